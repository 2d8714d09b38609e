"""Events and identity accesses are append-only in the database itself, not only in Python (finding 12)."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.identity import content_for
from cases.models import CaseEvent, IdentityAccess
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db

if connection.vendor != "postgresql":  # pragma: no cover - the suite runs on PostgreSQL
    pytest.skip("the triggers are PostgreSQL's", allow_module_level=True)


@pytest.fixture
def trail(world):
    case = services.case_intake(**denunciation_kwargs(world)).case
    content_for(user=world.reception, case=case, purpose="read", now=aware(dt.date(2026, 7, 7)))
    return case


def refused(run) -> None:
    """pgtrigger raises in PL/pgSQL (SQLSTATE P0001): psycopg reports it as a ProgrammingError."""
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        run()


@pytest.mark.parametrize("model", [CaseEvent, IdentityAccess])
def test_update_and_delete_are_refused_by_the_database(trail, model):
    rows = model.objects.filter(case=trail)
    assert rows.exists()
    refused(lambda: rows.update(at=aware(dt.date(2000, 1, 1))))
    refused(lambda: rows.delete())
    refused(lambda: rows.first().delete())
    with connection.cursor() as cursor:  # raw SQL is refused alike
        refused(lambda: cursor.execute(f"DELETE FROM {model._meta.db_table}"))
    assert rows.exclude(at=aware(dt.date(2000, 1, 1))).count() == rows.count() > 0


def test_inserts_still_work_including_the_sweeps_on_conflict_inserts(trail, world):
    before = CaseEvent.objects.count()
    services.case_accept(case=trail, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(
                f"INSERT INTO {CaseEvent._meta.db_table} (case_id, at, action, from_status, to_status, legal_basis,"
                " payload, dedupe_key) VALUES (%s, now(), 'sla_test', '', '', '', '{}', 'dedupe-1')"
                " ON CONFLICT DO NOTHING", [trail.pk])
    assert CaseEvent.objects.count() == before + 2


def test_seed_demo_reset_may_still_wipe_the_demo():
    """The one deliberate exception: ``seed_demo --reset`` deletes under pgtrigger.ignore, and only there."""
    call_command("seed_demo", "--cases", "0", "--seed", "3")
    first = set(CaseEvent.objects.values_list("pk", flat=True))
    call_command("seed_demo", "--reset", "--cases", "0", "--seed", "3")
    again = set(CaseEvent.objects.values_list("pk", flat=True))
    assert again and not first & again  # the old trail is gone, a new one was written
    refused(lambda: CaseEvent.objects.all().delete())
    refused(lambda: CaseEvent.objects.all().update(action="x"))


def test_membership_changes_and_case_links_are_append_only_too(world):
    from cases.models import CaseLink
    from organisation.models import MembershipChange, Role
    from organisation.services import membership_grant
    from tests.factories import UserFactory

    membership_grant(actor=None, user=UserFactory(), unit=world.commune, role=Role.HANDLER)
    changes = MembershipChange.objects.all()
    assert changes.exists()
    refused(lambda: changes.update(role=Role.HEAD))
    refused(lambda: changes.delete())
    first = services.case_intake(**denunciation_kwargs(world)).case
    second = services.case_intake(**denunciation_kwargs(world, accused="Người khác")).case
    CaseLink.objects.create(case=second, related=first, found_at=aware(dt.date(2026, 7, 7)),
                            visible_to_unit=world.commune)
    refused(lambda: CaseLink.objects.update(found_at=aware(dt.date(2000, 1, 1))))
    refused(lambda: CaseLink.objects.all().delete())
