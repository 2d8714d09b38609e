import importlib
import os
import secrets

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# manage.py and celery subprocesses run the system checks, which refuse development keys with DEBUG off.
os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(48))
os.environ.setdefault("PIN_KEY", "test-pin-" + secrets.token_urlsafe(48))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is slow by design; tests log in with a cheap hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_deadline_snapshots():
    """A test may add calendar overrides or rules and roll them back; no snapshot may outlive it."""
    from deadlines import cache

    cache.drop_local()
    yield
    cache.drop_local()


# The data migrations that seed statutory rows, in order.
SEEDING_MIGRATIONS = (
    "deadlines.migrations.0002_seed_rules_and_calendar",
    "deadlines.migrations.0004_h1_seed_calendar_years",
    "deadlines.migrations.0005_h2_complaint_notice_rules",
    "open311.migrations.0002_seed_services",
    "notifications.migrations.0004_h8a_seed_message_templates",
)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def statutory_data(request):
    """Transactional tests end with a flush that also empties the tables the data
    migration seeded (rules, calendar overrides): put them back for the next one."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from deadlines import cache, changes

    with changes.muted():  # seeding is not a change to recompute cases for (and the working-day table is rebuilt on demand)
        for module in SEEDING_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
    cache.drop_local()
    yield
