"""The decision notices' sweep (cases.notice_sweep): states, one event per transition, digests, indexes.

Runs on PostgreSQL (one statement) and on SQLite (the same SELECT twice); the index proof is PostgreSQL's.
"""
import datetime as dt
import itertools
import re

import pytest
from deadlines.calendar import get_calendar
from django.db import connection, transaction

from cases import notice_sweep
from cases.models import Case, CaseEvent, CaseNotice, Status
from cases.sla import sweep_params, sweep_sla
from notifications.models import Escalation
from organisation.models import Role
from tests.factories import UnitFactory, aware, member

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)
D = dt.date(2026, 7, 10)  # a Friday


@pytest.fixture
def unit():
    return UnitFactory()


def make_case(unit, **fields):
    """Test data set up directly: production code changes status only through transitions."""
    values = {"kind": "denunciation", "channel": "in_person", "received_at": aware(D - dt.timedelta(days=20)),
              "receiving_unit": unit, "content": "Nội dung", "tracking_code": f"NTC{next(_codes):08d}",
              "pin_hash": "x", "status": Status.SUSPENDED, "accused": "X"}
    values.update(fields)
    return Case.objects.create(**values)


def make_notice(case, *, due, purpose=CaseNotice.Purpose.SUSPENSION, **fields):
    return CaseNotice.objects.create(case=case, purpose=purpose, decided_on=D, due=due, rule="T5",
                                     legal_source="LTC Art 34(1), (2), (4)", **fields)


def alerts(case=None):
    events = CaseEvent.objects.filter(action__startswith="sla_", payload__deadline__startswith="notice:")
    return events.filter(case=case) if case else events


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(day, hour=8):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_sla(now=aware(day, hour))

    return run


def test_a_notice_moves_on_track_due_soon_overdue_with_one_event_per_transition(unit, sweep):
    case = make_case(unit)
    notice = make_notice(case, due=dt.date(2026, 7, 17))  # T5: 5 working days from Fri 10/7
    sweep(D)
    notice.refresh_from_db()
    assert notice.sla == "on_track" and not alerts().exists()
    sweep(D)  # nothing to change: nothing written
    assert not alerts().exists()
    sweep(dt.date(2026, 7, 15))
    notice.refresh_from_db()
    assert notice.sla == "due_soon"
    sweep(dt.date(2026, 7, 16))
    sweep(dt.date(2026, 7, 18))
    notice.refresh_from_db()
    assert notice.sla == "overdue"
    assert list(alerts(case).order_by("pk").values_list("action", "dedupe_key", "legal_basis")) == [
        ("sla_due_soon", f"notice:{notice.pk}:due_soon:2026-07-17", "LTC Art 34(1), (2), (4)"),
        ("sla_overdue", f"notice:{notice.pk}:overdue:2026-07-17", "LTC Art 34(1), (2), (4)"),
    ]
    event = alerts(case).latest("pk")
    assert event.payload == {"deadline": "notice:suspension", "notice": notice.pk, "due": "2026-07-17",
                             "state": "overdue", "previous": "due_soon"}
    assert (event.from_status, event.to_status, event.actor) == ("suspended", "suspended", None)


def test_the_clock_runs_whatever_the_case_status_and_stops_once_sent(unit, sweep):
    withdrawn = make_case(unit, kind="complaint", status=Status.WITHDRAWN, accused="")
    owed = make_notice(withdrawn, purpose=CaseNotice.Purpose.TERMINATION, due=dt.date(2026, 7, 15))
    sent = make_notice(withdrawn, due=dt.date(2026, 7, 15), sent_on=D, sla="due_soon")
    timeless = make_notice(withdrawn, purpose=CaseNotice.Purpose.EXTENSION, due=None, sla="on_track")
    sweep(dt.date(2026, 7, 16))
    states = dict(CaseNotice.objects.values_list("pk", "sla"))
    assert states == {owed.pk: "overdue", sent.pk: "", timeless.pk: ""}
    assert list(alerts().values_list("case", flat=True)) == [withdrawn.pk]


def test_the_notices_alerts_join_the_case_sweeps_digests(unit, sweep):
    head = member(unit, Role.HEAD)
    late_case = make_case(unit, kind="complaint", status=Status.RECEIVED, accused="",
                          acceptance_due=dt.date(2026, 7, 14))
    owing = make_case(unit)
    make_notice(owing, due=dt.date(2026, 7, 15))
    sweep(dt.date(2026, 7, 16))
    digest = Escalation.objects.get(recipient=head, reason="overdue")
    assert sorted(digest.case_ids) == sorted([late_case.pk, owing.pk]) and digest.case_count == 2

    # a sweep whose only alerts are the notices' publishes them itself
    other = make_case(unit)
    make_notice(other, due=dt.date(2026, 7, 20))
    sweep(dt.date(2026, 7, 21))
    assert Escalation.objects.filter(recipient=head, reason="overdue").latest("created_at").case_ids == [other.pk]


def test_racing_sweeps_never_record_an_alert_twice(unit):
    notice = make_notice(make_case(unit), due=dt.date(2026, 7, 15))
    now = aware(dt.date(2026, 7, 16))
    with transaction.atomic():
        notice_sweep.apply(now=now)
        CaseNotice.objects.filter(pk=notice.pk).update(sla="")  # as a second sweep's stale snapshot would see it
        notice_sweep.apply(now=now)
    assert alerts().count() == 1


def test_one_case_mode_touches_only_that_cases_notices(unit):
    mine, theirs = make_case(unit), make_case(unit)
    a, b = make_notice(mine, due=dt.date(2026, 7, 15)), make_notice(theirs, due=dt.date(2026, 7, 15))
    with transaction.atomic():
        result = notice_sweep.apply(now=aware(dt.date(2026, 7, 16)), case_id=mine.pk)
    assert result.changed == {"notices": 1} and result.events == 1
    assert dict(CaseNotice.objects.values_list("pk", "sla")) == {a.pk: "overdue", b.pk: ""}


@pytest.mark.parametrize("n", [10, 200])
def test_the_sweep_is_one_more_statement_whatever_the_number_of_notices(unit, n, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("the statement count is PostgreSQL's (SQLite runs two)")
    for i in range(n):
        make_notice(make_case(unit), due=dt.date(2026, 7, 14) + dt.timedelta(days=i % 4))
    get_calendar()  # the calendar snapshot is built once per process, not by each sweep
    # savepoint, advisory lock, two SET LOCAL, the case sweep, the notices' sweep, release
    with django_assert_num_queries(7):
        sweep_sla(now=aware(dt.date(2026, 7, 16)))
    assert CaseNotice.objects.filter(sla="").count() == 0


def test_every_arm_of_the_notice_sweep_is_answered_by_its_partial_index(unit):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    make_notice(make_case(unit), due=D)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + notice_sweep.changed_rows_sql(), sweep_params(aware(D)))
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    for index in ("cases_notice_overdue_idx", "cases_notice_due_soon_idx", "cases_notice_on_track_idx",
                  "cases_notice_stale_idx"):
        assert index in plan, plan


def test_a_no_op_sweep_reads_only_index_pages_not_the_notices(unit):
    """Thousands of notices long sent or already overdue: the sweep that changes nothing reads no heap page."""
    if connection.vendor != "postgresql":
        pytest.skip("the buffer counts are PostgreSQL's")
    case = make_case(unit)
    old = D - dt.timedelta(days=200)
    CaseNotice.objects.bulk_create(
        [CaseNotice(case=case, purpose="suspension", decided_on=old, due=old, sla="overdue", rule="T5") for _ in range(2000)]
        + [CaseNotice(case=case, purpose="suspension", decided_on=old, due=old, sent_on=old, rule="T5")
           for _ in range(2000)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CaseNotice._meta.db_table}")
        cursor.execute("SELECT relpages FROM pg_class WHERE relname = %s", [CaseNotice._meta.db_table])
        table_pages = cursor.fetchone()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + notice_sweep.changed_rows_sql(), sweep_params(aware(D)))
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "rows=0 loops=1" in plan.splitlines()[0], plan
    buffers = int(re.search(r"Buffers: shared hit=(\d+)", plan).group(1))  # the top node's, reads included
    # a few index pages (and the heap pages of rows earlier tests rolled back, until a vacuum), never the table
    assert table_pages >= 40 and buffers < table_pages // 2, plan
