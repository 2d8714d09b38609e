import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is slow by design; tests log in with a cheap hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_deadline_snapshots():
    """A test may add calendar overrides or rules and roll them back; no snapshot may outlive it."""
    from deadlines import cache

    cache.invalidate()
    yield
    cache.invalidate()
