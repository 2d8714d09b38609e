"""Recompute on change (issue 6): a rule or calendar change moves the stored due dates of the open cases it touches.

Reproduction from the issue: a day off added on Wed 8/7/2026 changed no stored date.
"""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services, tasks
from cases.models import Case, CaseEvent, SlaState
from cases.recompute import recompute_open_cases
from deadlines import changes
from deadlines.models import CalendarOverride, CalendarYear, DeadlineRule
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db

DAY_OFF = dt.date(2026, 7, 8)


@pytest.fixture
def world():
    return World()


@pytest.fixture
def run_queued(monkeypatch, django_capture_on_commit_callbacks):
    """Commit callbacks run, and the queued task runs here instead of on a worker."""
    monkeypatch.setattr(tasks.recompute_deadlines_task, "delay", lambda change: tasks.recompute_deadlines_task(change))

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def intake(world, received: dt.date, kind="complaint") -> Case:
    kwargs = (complaint_kwargs if kind == "complaint" else denunciation_kwargs)(
        world, received=received, now=aware(received, 15))
    return services.case_intake(**kwargs).case


def add_day_off(day=DAY_OFF, *, actor=None):
    with changes.acting(actor):
        return CalendarOverride.objects.create(date=day, kind=CalendarOverride.Kind.DAY_OFF,
                                               description="Nghỉ bù (thử nghiệm)", source="Thông báo số 1/TB (test)")


def recompute_events(case=None):
    found = CaseEvent.objects.filter(action="recompute_deadlines")
    return found.filter(case=case) if case is not None else found


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_day_off_added_moves_the_cases_whose_window_spans_it(world, run_queued, time_machine):
    time_machine.move_to(aware(dt.date(2026, 7, 16)), tick=False)
    spanning = intake(world, dt.date(2026, 7, 6))  # 7 wd from Mon 6/7: Wed 15/7
    later = intake(world, dt.date(2026, 7, 10))  # received after the day off: Tue 21/7
    refused = intake(world, dt.date(2026, 7, 6))
    services.case_refuse(case=refused, actor=world.head, ground="in_court", reason="Đang ở Tòa án",
                         now=aware(dt.date(2026, 7, 7)))
    accepted = intake(world, dt.date(2026, 7, 1))  # 7 wd from Wed 1/7: Fri 10/7
    services.case_accept(case=accepted, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    assert (spanning.acceptance_due, later.acceptance_due, accepted.acceptance_due) == (
        dt.date(2026, 7, 15), dt.date(2026, 7, 21), dt.date(2026, 7, 10))
    assert accepted.resolution_due == dt.date(2026, 8, 6)  # 30 calendar days from Tue 7/7
    from cases.sla import sweep_sla

    sweep_sla(now=aware(dt.date(2026, 7, 16)))
    assert fresh(spanning).acceptance_sla == SlaState.OVERDUE
    untouched = {c.pk: (fresh(c).updated_at, fresh(c).deadline_basis) for c in (later,)}
    admin = world.province_head

    with run_queued():
        add_day_off(actor=admin)

    spanning = fresh(spanning)
    assert spanning.acceptance_due == dt.date(2026, 7, 16)
    assert spanning.resolution_due is None  # not accepted: the resolution date is not stored yet
    assert spanning.deadline_basis[0]["due"] == "2026-07-16"
    event = recompute_events(spanning).get()
    assert event.actor == admin
    assert (event.from_status, event.to_status) == ("received", "received")
    assert "08/07/2026" in event.legal_basis and "Thông báo số 1/TB" in event.legal_basis
    assert event.payload["changes"] == {"acceptance_due": ["2026-07-15", "2026-07-16"]}
    assert event.payload["cause"]["model"] == "CalendarOverride"
    # the SLA sweep ran after the recompute: no longer overdue on Thu 16/7, due today
    assert spanning.acceptance_sla == SlaState.DUE_SOON

    accepted = fresh(accepted)
    assert (accepted.acceptance_due, accepted.resolution_due) == (dt.date(2026, 7, 13), dt.date(2026, 8, 6))
    # the complaint's notice of acceptance is owed within the same K2 window from receipt: it moves too
    assert recompute_events(accepted).get().payload["changes"] == {
        "acceptance_due": ["2026-07-10", "2026-07-13"], "notice_due": ["2026-07-10", "2026-07-13"]}

    for case in (later,):  # received after the day off
        assert (fresh(case).updated_at, fresh(case).deadline_basis) == untouched[case.pk]
        assert not recompute_events(case).exists()
    # Refused, but its notice of refusal (K2) is still owed: that clock follows the calendar too.
    refused = fresh(refused)
    assert refused.notice_due == dt.date(2026, 7, 16) and refused.notice_sent_on is None
    assert recompute_events(refused).get().payload["changes"] == {
        "acceptance_due": ["2026-07-15", "2026-07-16"], "notice_due": ["2026-07-15", "2026-07-16"]}

    # Idempotent: nothing left to change, no new event.
    again = recompute_open_cases(now=aware(dt.date(2026, 7, 16)))
    assert (again.cases, again.events) == (0, 0)
    assert recompute_events().count() == 3

    # Removing the day off moves them back, with an event each again.
    with run_queued(), changes.acting(admin):
        CalendarOverride.objects.get(date=DAY_OFF).delete()
    assert fresh(spanning).acceptance_due == dt.date(2026, 7, 15)
    assert recompute_events(spanning).count() == 2
    assert recompute_events(spanning).last().payload["changes"] == {"acceptance_due": ["2026-07-16", "2026-07-15"]}


def test_a_rolled_back_change_recomputes_nothing(world, run_queued):
    case = intake(world, dt.date(2026, 7, 6))
    from django.db import transaction

    with run_queued(), pytest.raises(RuntimeError), transaction.atomic():
        add_day_off()
        raise RuntimeError("the admin's save failed")
    assert fresh(case).acceptance_due == dt.date(2026, 7, 15) and not recompute_events().exists()


def test_a_new_rule_row_moves_the_cases_it_now_governs(world, run_queued):
    before = intake(world, dt.date(2026, 7, 6))
    after = intake(world, dt.date(2026, 7, 10))
    denunciation = intake(world, dt.date(2026, 7, 10), kind="denunciation")
    old = DeadlineRule.objects.get(code="K2", deadline_type="acceptance", effective_from=dt.date(2026, 7, 1))
    with run_queued():
        old.effective_to = dt.date(2026, 7, 7)
        old.save()
        DeadlineRule.objects.create(
            code="K2", deadline_type="acceptance", kind="complaint", start_event="receipt", length=5,
            day_count="working", effective_from=dt.date(2026, 7, 8), legal_source="Nghị định thử nghiệm Art 1")
    assert fresh(before).acceptance_due == dt.date(2026, 7, 15)  # received 6/7: still 7 wd
    assert fresh(after).acceptance_due == dt.date(2026, 7, 17)  # received 10/7: 5 wd
    assert fresh(after).deadline_basis[0]["source"] == "Nghị định thử nghiệm Art 1"
    event = recompute_events(after).get()
    assert event.payload["changes"] == {"acceptance_due": ["2026-07-21", "2026-07-17"]}
    assert "K2" in event.legal_basis
    assert not recompute_events(denunciation).exists()
    # Received 6/7 under the old row, whose window now outlives it: the stored date keeps the applied
    # reading, the stricter one (5 wd from 6/7, not before 8/7) becomes the alert date (reference §9).
    assert fresh(before).acceptance_alert_due == dt.date(2026, 7, 13)
    assert recompute_events(before).get().payload["changes"] == {"acceptance_alert_due": [None, "2026-07-13"]}


def test_a_rule_length_changed_moves_the_open_cases_of_its_kind(world, run_queued):
    complaint = intake(world, dt.date(2026, 7, 6))
    denunciation = intake(world, dt.date(2026, 7, 6), kind="denunciation")
    rule = DeadlineRule.objects.get(code="K2", deadline_type="acceptance", effective_from=dt.date(2026, 7, 1))
    with run_queued():
        rule.length = 8
        rule.save()
    assert fresh(complaint).acceptance_due == dt.date(2026, 7, 16)
    assert fresh(denunciation).acceptance_due == dt.date(2026, 7, 15)
    assert recompute_events().count() == 1


def test_confirming_a_year_updates_the_basis_without_an_event(world, run_queued):
    case = intake(world, dt.date(2026, 11, 20))
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 12, 2)))
    resolution = next(e for e in fresh(case).deadline_basis if e["deadline"] == "resolution")
    assert resolution["assumed_years"] == [2027]
    with run_queued():
        CalendarYear.objects.create(year=2027, confirmed=True, source="Thông báo lịch nghỉ 2027 (test)")
    resolution = next(e for e in fresh(case).deadline_basis if e["deadline"] == "resolution")
    assert "assumed_years" not in resolution
    assert not recompute_events().exists()  # no date moved


def test_an_edit_that_cannot_move_a_date_recomputes_nothing(world, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.recompute_deadlines_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        override = add_day_off()
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=True):
        override.description = "Nghỉ bù (đã sửa mô tả)"
        override.save()
    assert len(queued) == 1


def test_the_number_of_queries_does_not_depend_on_the_number_of_cases(world, time_machine):
    time_machine.move_to(aware(dt.date(2026, 7, 20)), tick=False)
    days = [dt.date(2026, 6, 29) + dt.timedelta(days=n) for n in range(9)]  # every window spans 8/7
    counts = {}
    for size, toggle in ((10, add_day_off), (100, lambda: CalendarOverride.objects.get(date=DAY_OFF).delete())):
        for n in range(Case.objects.count(), size):
            intake(world, days[n % len(days)], kind=("complaint", "denunciation")[n % 2])
        with changes.muted():  # the day off is toggled by hand here: the recompute is measured alone
            toggle()
        with CaptureQueriesContext(connection) as queries:
            result = recompute_open_cases(now=aware(dt.date(2026, 7, 20)))
        assert result.cases == result.events == size
        counts[size] = len(queries)
    assert counts[10] == counts[100], counts
    assert counts[100] <= 20


def test_the_command_recomputes_and_prints_its_counts(world, capsys):
    case = intake(world, dt.date(2026, 7, 6))
    with changes.muted():  # e.g. a bulk load of overrides: nothing recomputed by itself
        add_day_off()
    assert fresh(case).acceptance_due == dt.date(2026, 7, 15)
    call_command("recompute_deadlines", "--kind", "complaint", "--from", "2026-07-08", "--to", "2026-07-08",
                 "--no-sweep")
    printed = json.loads(capsys.readouterr().out)
    assert (printed["cases"], printed["events"], printed["failed"], printed["sweep"]) == (1, 1, 0, None)
    assert fresh(case).acceptance_due == dt.date(2026, 7, 16)
    event = recompute_events(case).get()
    assert event.actor is None and event.legal_basis


def test_the_admin_adding_a_day_off_moves_the_dates_with_the_administrator_named(run_queued):
    from tests.organisation.conftest import Org, client_for

    org = Org()
    case = services.case_intake(
        actor=_reception(org), kind="complaint", channel="in_person",
        received_at=aware(dt.date(2026, 7, 6)), receiving_unit=org.ward, content="Khiếu nại quyết định",
        respondent_number="1/QĐ", petitioners=[{"full_name": "Trần Thị Lan"}], now=aware(dt.date(2026, 7, 6), 15),
        start_process=False,
    ).case
    with run_queued():
        response = client_for(org.sysadmin).post("/admin/deadlines/calendaroverride/add/", {
            "date": "2026-07-08", "kind": "day_off", "description": "Nghỉ bù", "source": "Thông báo (test)",
        })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = recompute_events(case).get()
    assert event.actor == org.sysadmin
    assert fresh(case).acceptance_due == dt.date(2026, 7, 16)
    # the staff see the event on the case page, with its basis
    page = client_for(org.ward_head).get(f"/cases/{case.pk}/").content.decode()
    assert "08/07/2026" in page


def _reception(org):
    from organisation.models import Role
    from tests.factories import member

    return member(org.ward, Role.RECEPTION, "tiepdan.thu")


def test_the_input_and_output_column_lists_are_all_the_recompute_needs(world):
    """Guard for whoever adds a DeadlineInput field: the set-based recompute reads exactly
    ``DEADLINE_INPUT_COLUMNS`` and stores exactly ``DEADLINE_OUTPUT_COLUMNS``."""
    import types

    case = intake(world, dt.date(2026, 6, 25))
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 2)))
    case = fresh(case)
    inputs = {name: getattr(case, name) for name in services.DEADLINE_INPUT_COLUMNS}
    copy = types.SimpleNamespace(**inputs)  # an attribute read but not listed fails here
    services.recompute_deadlines(copy)
    assert set(vars(copy)) - set(inputs) == set(services.DEADLINE_OUTPUT_COLUMNS)
    assert {name: getattr(copy, name) for name in services.DEADLINE_OUTPUT_COLUMNS} == {
        name: getattr(case, name) for name in services.DEADLINE_OUTPUT_COLUMNS}
