"""The SLA sweep on PostgreSQL: state moves, one event per transition, escalations, flags, racing sweeps."""
import datetime as dt
import itertools
import json
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from cases.models import Case, CaseEvent, Status
from cases.sla import apply_sweep, changed_rows_sql, sweep_params, sweep_sla
from deadlines.calendar import get_calendar
from notifications.models import Escalation
from organisation.models import Role
from tests.factories import UnitFactory, aware, member

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)
D = dt.date(2026, 3, 16)  # a Monday inside the period that started on 15/12/2025


def make_case(unit, *, status=Status.RECEIVED, received=D - dt.timedelta(days=5), competent_unit=None, **fields):
    """Test data set up directly: production code changes status only through transitions."""
    return Case.objects.create(
        kind="complaint",
        channel="in_person",
        received_at=aware(received),
        receiving_unit=unit,
        competent_unit=competent_unit,
        content="Nội dung",
        tracking_code=f"SLA{next(_codes):08d}",
        pin_hash="x",
        status=status,
        **fields,
    )


def row(case):
    return Case.objects.values(
        "acceptance_sla", "resolution_sla", "notice_sla", "sla_state", "is_backlogged", "is_prolonged"
    ).get(pk=case.pk)


def sla_events(case=None):
    events = CaseEvent.objects.filter(action__startswith="sla_")
    return events.filter(case=case) if case else events


@pytest.fixture(autouse=True)
def knobs(settings):
    settings.SLA_DUE_SOON_WORKING_DAYS = 3
    settings.SLA_PROLONGED_AFTER_DAYS = 180
    settings.REPORT_PERIOD_RULES = None  # the default rules: reporting periods start on 15/12


@pytest.fixture
def unit():
    return UnitFactory()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep as beat runs it: its digests are built once its transaction commits."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_sla(**kwargs)

    return run


def test_acceptance_moves_on_track_due_soon_overdue_with_one_event_per_transition(unit, sweep):
    heads = {member(unit, Role.HEAD), member(unit, Role.HEAD)}
    member(unit, Role.HANDLER)
    case = make_case(unit, acceptance_due=D, deadline_basis=[
        {"deadline": "acceptance", "note": "no source on this entry"},
        {"deadline": "acceptance", "rule": "K2", "source": "LKN 2011 Art 27"},
    ])

    sweep(now=aware(D - dt.timedelta(days=6)))  # Tue 10/3: 3 working days later is Fri 13/3
    assert row(case)["acceptance_sla"] == row(case)["sla_state"] == "on_track"
    assert not sla_events().exists() and not Escalation.objects.exists()

    result = sweep(now=aware(D - dt.timedelta(days=5)))  # Wed 11/3: 3 working days reach Mon 16/3
    assert row(case)["sla_state"] == "due_soon"
    assert (result.changed["acceptance"], result.events, result.escalations) == (1, 1, 2)
    event = sla_events(case).get()
    assert (event.action, event.from_status, event.to_status, event.actor) == ("sla_due_soon", "received", "received", None)
    assert event.payload == {"deadline": "acceptance", "due": D.isoformat(), "state": "due_soon", "previous": "on_track"}
    assert event.legal_basis == "LKN 2011 Art 27"
    assert event.dedupe_key == f"sla:{case.pk}:acceptance:due_soon:{D.isoformat()}"
    digests = Escalation.objects.filter(reason="due_soon")
    assert {e.recipient for e in digests} == heads
    assert {(e.unit_id, e.case_count, tuple(e.case_ids)) for e in digests} == {(unit.pk, 1, (case.pk,))}

    again = sweep(now=aware(D))  # still due soon on the due day itself
    assert (again.cases, again.events, again.escalations) == (0, 0, 0)

    result = sweep(now=aware(D + dt.timedelta(days=1)))
    assert row(case)["sla_state"] == "overdue"
    assert (result.events, result.escalations) == (1, 2)
    assert list(sla_events(case).values_list("action", flat=True)) == ["sla_due_soon", "sla_overdue"]
    assert Escalation.objects.filter(reason="overdue", case_ids=[case.pk]).count() == 2

    rerun = sweep(now=aware(D + dt.timedelta(days=2)))
    assert (rerun.cases, rerun.events, rerun.escalations) == (0, 0, 0)
    assert sla_events(case).count() == 2


def test_escalations_go_to_active_heads_of_the_competent_unit_else_the_receiving_unit(unit, sweep):
    competent = UnitFactory()
    competent_head = member(competent, Role.HEAD)
    receiving_head = member(unit, Role.HEAD)
    retired = member(competent, Role.HEAD)
    retired.is_active = False
    retired.save()
    routed = make_case(unit, competent_unit=competent, acceptance_due=D - dt.timedelta(days=1))
    unrouted = make_case(unit, acceptance_due=D - dt.timedelta(days=1))

    sweep(now=aware(D))

    digests = {(e.unit_id, e.recipient_id, tuple(e.case_ids)) for e in Escalation.objects.all()}
    assert digests == {(competent.pk, competent_head.pk, (routed.pk,)), (unit.pk, receiving_head.pk, (unrouted.pk,))}


def test_each_deadline_runs_only_in_its_statuses_and_the_worst_one_wins(unit):
    resolving = make_case(
        unit, status=Status.IN_VERIFICATION, acceptance_due=D - dt.timedelta(days=30),
        resolution_due=D + dt.timedelta(days=20), notice_due=D - dt.timedelta(days=1),
    )
    notified = make_case(
        unit, status=Status.ACCEPTED, resolution_due=D + dt.timedelta(days=2),
        notice_due=D - dt.timedelta(days=1), notice_sent_on=D - dt.timedelta(days=2),
    )

    result = sweep_sla(now=aware(D))

    assert row(resolving) == {"acceptance_sla": "", "resolution_sla": "on_track", "notice_sla": "overdue",
                              "sla_state": "overdue", "is_backlogged": False, "is_prolonged": False}
    assert row(notified)["notice_sla"] == "" and row(notified)["sla_state"] == "due_soon"
    assert set(sla_events().values_list("case", "action", "payload__deadline")) == {
        (resolving.pk, "sla_overdue", "notice"), (notified.pk, "sla_due_soon", "resolution"),
    }
    assert result.changed == {"acceptance": 0, "resolution": 2, "notice": 1, "backlogged": 0, "prolonged": 0}


def test_a_closed_case_loses_its_state_and_flags_but_a_refiled_one_stays_prolonged(unit):
    closed = make_case(unit, status=Status.CLOSED, resolution_due=D - dt.timedelta(days=9), resolution_sla="overdue",
                       sla_state="overdue", is_backlogged=True, is_prolonged=True)
    refiled = make_case(unit, status=Status.CLOSED, is_refiled=True)

    result = sweep_sla(now=aware(D))

    assert row(closed) == {"acceptance_sla": "", "resolution_sla": "", "notice_sla": "", "sla_state": "",
                           "is_backlogged": False, "is_prolonged": False}
    assert row(refiled)["is_prolonged"] is True
    assert result.events == 0 and result.cases == 2


def test_backlogged_and_prolonged_flags(unit, settings):
    settings.SLA_PROLONGED_AFTER_DAYS = 60
    late = make_case(unit, status=Status.IN_DIALOGUE, resolution_due=D - dt.timedelta(days=1))
    carried_over = make_case(unit, status=Status.SUSPENDED, received=dt.date(2025, 12, 14))
    this_period = make_case(unit, status=Status.SUSPENDED, received=dt.date(2025, 12, 15))
    decided = make_case(unit, status=Status.DECIDED, received=dt.date(2025, 1, 1), resolution_due=D - dt.timedelta(days=60))
    old = make_case(unit, status=Status.ACCEPTED, received=D - dt.timedelta(days=61), resolution_due=D + dt.timedelta(days=30))
    recent = make_case(unit, status=Status.ACCEPTED, received=D - dt.timedelta(days=59), resolution_due=D + dt.timedelta(days=30))

    sweep_sla(now=aware(D))
    flags = {c.pk: (row(c)["is_backlogged"], row(c)["is_prolonged"]) for c in (late, carried_over, this_period, decided, old, recent)}
    assert flags == {
        late.pk: (True, False), carried_over.pk: (True, True), this_period.pk: (False, True),
        decided.pk: (False, False), old.pk: (False, True), recent.pk: (False, False),
    }
    # the extended deadline no longer passed: the flag is cleared
    Case.objects.filter(pk=late.pk).update(resolution_due=D + dt.timedelta(days=10))
    sweep_sla(now=aware(D))
    assert row(late)["is_backlogged"] is False


def test_the_period_rolls_over_on_15_december(unit):
    case = make_case(unit, status=Status.ACCEPTED, received=dt.date(2026, 12, 1), resolution_due=dt.date(2027, 1, 20))
    sweep_sla(now=aware(dt.date(2026, 12, 14)))
    assert row(case)["is_backlogged"] is False
    sweep_sla(now=aware(dt.date(2026, 12, 15), hour=0))
    assert row(case)["is_backlogged"] is True


def test_a_deadline_pushed_back_becomes_due_soon_again_with_its_new_date(unit):
    case = make_case(unit, status=Status.ACCEPTED, resolution_due=D - dt.timedelta(days=1))
    sweep_sla(now=aware(D))
    Case.objects.filter(pk=case.pk).update(resolution_due=D + dt.timedelta(days=2))
    sweep_sla(now=aware(D))
    assert list(sla_events(case).values_list("dedupe_key", flat=True)) == [
        f"sla:{case.pk}:resolution:overdue:{D - dt.timedelta(days=1)}",
        f"sla:{case.pk}:resolution:due_soon:{D + dt.timedelta(days=2)}",
    ]


@pytest.mark.parametrize("n", [10, 200])
def test_query_count_does_not_depend_on_the_number_of_cases(unit, n, django_assert_num_queries,
                                                            django_capture_on_commit_callbacks):
    member(unit, Role.HEAD)
    for i in range(n):
        make_case(unit, acceptance_due=D - dt.timedelta(days=i % 3))
    get_calendar()  # the calendar snapshot is built once per process, not by each sweep
    with django_capture_on_commit_callbacks() as digests:
        # savepoint, advisory lock, two SET LOCAL, the sweep statement, the decision notices' statement, release
        with django_assert_num_queries(7):
            result = sweep_sla(now=aware(D))
    with django_assert_num_queries(3):  # the digests: savepoint, one INSERT … SELECT, release
        for deliver in digests:
            deliver()
    assert (result.cases, result.events, result.escalations) == (n, n, 2)  # one digest per state
    assert sorted(e.case_count for e in Escalation.objects.all()) == sorted(
        [sum(1 for i in range(n) if i % 3 == 0), sum(1 for i in range(n) if i % 3)]
    )


def test_every_arm_of_the_sweep_is_answered_by_an_index(unit):
    make_case(unit, acceptance_due=D)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + changed_rows_sql(), sweep_params(aware(D)))
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Seq Scan" not in plan, plan


def test_the_command_prints_its_counts(unit, capsys):
    make_case(unit, acceptance_due=D - dt.timedelta(days=1))
    call_command("sla_sweep", "--now", f"{D}T08:00")
    printed = json.loads(capsys.readouterr().out)
    assert (printed["acceptance"], printed["events"], printed["skipped"]) == (1, 1, False)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_record_each_event_once(unit):
    """B's snapshot is taken while A's changes are uncommitted: only the unique dedupe key can save us."""
    member(unit, Role.HEAD)
    cases = [make_case(unit, acceptance_due=D - dt.timedelta(days=1)) for _ in range(20)]
    now = aware(D)
    a_swept, results, errors = threading.Event(), {}, []
    b_pid = []

    def sweeper(name):
        try:
            with transaction.atomic():
                if name == "b":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        b_pid.append(cursor.fetchone()[0])
                results[name] = apply_sweep(now=now)
                if name == "a":
                    a_swept.set()
                    wait_until_blocked(b_pid)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    a = threading.Thread(target=sweeper, args=("a",))
    a.start()
    assert a_swept.wait(30)
    b = threading.Thread(target=sweeper, args=("b",))
    b.start()
    a.join(60)
    b.join(60)

    assert not errors
    assert sla_events().count() == len(cases)
    digest = Escalation.objects.get()  # the sweep whose events all conflicted escalated nothing
    assert sorted(digest.case_ids) == sorted(c.pk for c in cases)
    assert results["a"].events + results["b"].events == len(cases)


def wait_until_blocked(pids, timeout=20.0):
    """Poll until the other sweep's backend waits on a lock held by this transaction."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            if pids:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pids[0]])
                found = cursor.fetchone()
                if found and found[0] == "Lock":
                    return
            time.sleep(0.02)
    raise AssertionError("the second sweep never blocked on the first")


@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_while_one_runs_is_skipped(unit):
    holding, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            sweep_sla(now=aware(D))
            holding.set()
            release.wait(20)
        connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(20)
        assert sweep_sla(now=aware(D)).skipped is True
    finally:
        release.set()
        thread.join(20)
    assert sweep_sla(now=aware(D)).skipped is False


def test_the_un_flag_arms_clear_exactly_the_flags_that_no_longer_hold(unit, settings):
    settings.SLA_PROLONGED_AFTER_DAYS = 60
    suspended = make_case(unit, status=Status.SUSPENDED, is_backlogged=True)  # received this period: not backlogged
    decided = make_case(unit, status=Status.DECIDED, resolution_due=D - dt.timedelta(days=3), is_backlogged=True,
                        is_prolonged=True, received=D - dt.timedelta(days=90))
    no_due = make_case(unit, status=Status.ACCEPTED, is_backlogged=True)
    carried = make_case(unit, status=Status.SUSPENDED, received=dt.date(2025, 12, 1), is_backlogged=True,
                        is_prolonged=True)
    late = make_case(unit, status=Status.ACCEPTED, resolution_due=D - dt.timedelta(days=1), is_backlogged=True)
    young = make_case(unit, status=Status.ACCEPTED, resolution_due=D + dt.timedelta(days=9), is_prolonged=True,
                      received=D - dt.timedelta(days=59))
    refiled = make_case(unit, status=Status.CLOSED, is_refiled=True, is_prolonged=True)

    result = sweep_sla(now=aware(D))

    flags = {c.pk: (row(c)["is_backlogged"], row(c)["is_prolonged"]) for c in
             (suspended, decided, no_due, carried, late, young, refiled)}
    assert flags == {
        suspended.pk: (False, False), decided.pk: (False, False), no_due.pk: (False, False),
        carried.pk: (True, True), late.pk: (True, False), young.pk: (False, False), refiled.pk: (False, True),
    }
    assert (result.changed["backlogged"], result.changed["prolonged"]) == (3, 2)
    assert sweep_sla(now=aware(D)).cases == 0


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_nothing_to_change_reads_no_row_again(unit, settings):
    """Each arm's index returns only rows that change: after a sweep, the flagged and overdue rows are not re-read.

    (The index entries of the rows' old versions are gone after VACUUM, as they are in a live table.)"""
    settings.SLA_PROLONGED_AFTER_DAYS = 60
    for i in range(20):
        make_case(unit, status=Status.IN_VERIFICATION, resolution_due=D - dt.timedelta(days=1 + i % 5),
                  received=D - dt.timedelta(days=30 + 3 * i))  # overdue, backlogged, some prolonged
        make_case(unit, acceptance_due=D - dt.timedelta(days=1))  # overdue
        make_case(unit, status=Status.SUSPENDED, received=dt.date(2025, 11, 1))  # carried over: backlogged, prolonged
        make_case(unit, status=Status.CLOSED, is_refiled=True)  # prolonged for good
        make_case(unit, acceptance_due=D + dt.timedelta(days=1))  # due soon
        make_case(unit, acceptance_due=D + dt.timedelta(days=20))  # on track
    assert sweep_sla(now=aware(D)).cases == 120
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + changed_rows_sql(), sweep_params(aware(D)))
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = list(_plan_nodes(plan[0]["Plan"]))
    scans = [n for n in nodes if n["Node Type"] in ("Bitmap Index Scan", "Index Scan", "Index Only Scan")]
    assert scans and all(n["Actual Rows"] == 0 for n in scans), "\n".join(f'{n.get("Index Name")} {n.get("Index Cond")} {n["Actual Rows"]}' for n in scans)
    assert not any(n.get("Rows Removed by Filter") or n.get("Rows Removed by Index Recheck") for n in nodes)
    assert not any(n.get("Exact Heap Blocks") or n.get("Lossy Heap Blocks") for n in nodes)
