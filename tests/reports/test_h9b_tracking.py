"""Sign-off, what changed since it, who has reported, and the reminders of unsigned reports."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.errors import Conflict, Forbidden, InvalidInput
from cases.models import CaseEvent
from reports import tracking
from reports.models import ReportReminder, ReportSnapshot
from reports.runs import start_run
from tests.factories import aware

from .h9b_world import World, make_case

pytestmark = pytest.mark.django_db

H1_FROM, H1_TO = dt.date(2025, 12, 15), dt.date(2026, 6, 14)


@pytest.fixture
def world():
    return World()


def h1_run(world, user, unit, *, rollup=False):
    return start_run(actor=user, unit=unit, rollup=rollup, date_from=H1_FROM, date_to=H1_TO, label="H1-2026")


def test_the_head_signs_off_once_and_nobody_else_can(world):
    with time_machine.travel(aware(dt.date(2026, 6, 8)), tick=False):
        run = h1_run(world, world.head_a, world.ward_a)
        with pytest.raises(Forbidden):
            tracking.sign_off(actor=world.handler_a, run=run)
        snapshot = tracking.sign_off(actor=world.head_a, run=run)
        with pytest.raises(Conflict):
            tracking.sign_off(actor=world.head_a, run=run)
        ranged = start_run(actor=world.head_a, unit=world.ward_a, rollup=False, date_from=H1_FROM,
                           date_to=dt.date(2026, 5, 1))
        with pytest.raises(InvalidInput):
            tracking.sign_off(actor=world.head_a, run=ranged)
    assert (snapshot.period, snapshot.deadline, snapshot.generated_at) == ("H1-2026", dt.date(2026, 6, 10), run.generated_at)
    assert snapshot.result == run.result and not snapshot.is_late


def test_signing_through_the_page(world, client):
    with time_machine.travel(aware(dt.date(2026, 6, 8)), tick=False):
        run = h1_run(world, world.head_a, world.ward_a)
        client.force_login(world.handler_a)
        assert client.post(reverse("report_run_sign", args=[run.pk])).status_code == 403
        client.force_login(world.head_b)
        assert client.post(reverse("report_run_sign", args=[run.pk])).status_code == 404
        client.force_login(world.head_a)
        assert b"report_run_sign" not in client.get(reverse("report_run", args=[run.pk])).content
        assert client.post(reverse("report_run_sign", args=[run.pk])).status_code == 302
        assert client.post(reverse("report_run_sign", args=[run.pk])).status_code == 409
    assert ReportSnapshot.objects.get().signed_by == world.head_a


def test_regenerating_a_signed_period_shows_the_late_entry_and_the_correction(world, client):
    with time_machine.travel(aware(dt.date(2026, 2, 3)), tick=False):
        early = make_case(world.ward_a, received=dt.date(2026, 2, 3))
    with time_machine.travel(aware(dt.date(2026, 6, 8)), tick=False):
        tracking.sign_off(actor=world.head_a, run=h1_run(world, world.head_a, world.ward_a))
    with time_machine.travel(aware(dt.date(2026, 6, 9)), tick=False):
        late = make_case(world.ward_a, received=dt.date(2026, 5, 20))  # entered after the sign-off
        make_case(world.ward_b, received=dt.date(2026, 5, 20))  # another unit: not this report's business
        CaseEvent.objects.create(case=early, at=aware(dt.date(2026, 6, 9), 11), action="accept",
                                 from_status="received", to_status="accepted")
        rerun = h1_run(world, world.head_a, world.ward_a)
    client.force_login(world.head_a)
    page = client.get(reverse("report_run", args=[rerun.pk]))
    changes = page.context["changes"]
    assert ("petitions.received", 1, 2) in changes.figures
    assert [row["tracking_code"] for row in changes.late_entries] == [late.tracking_code]
    assert [(row["case__tracking_code"], row["action"]) for row in changes.corrections] == [(early.tracking_code, "accept")]
    html = page.content.decode()
    assert late.tracking_code in html and early.tracking_code in html


def test_an_unchanged_regeneration_says_so(world, client):
    with time_machine.travel(aware(dt.date(2026, 2, 3)), tick=False):
        make_case(world.ward_a, received=dt.date(2026, 2, 3))
    with time_machine.travel(aware(dt.date(2026, 6, 8)), tick=False):
        tracking.sign_off(actor=world.head_a, run=h1_run(world, world.head_a, world.ward_a))
    with time_machine.travel(aware(dt.date(2026, 6, 9)), tick=False):
        rerun = h1_run(world, world.head_a, world.ward_a)
    client.force_login(world.head_a)
    page = client.get(reverse("report_run", args=[rerun.pk]))
    assert not page.context["changes"].any and b"report-unchanged" in page.content


def sign(world, head, unit, day):
    with time_machine.travel(aware(day), tick=False):
        return tracking.sign_off(actor=head, run=h1_run(world, head, unit))


def test_the_compiler_sees_who_is_on_time_late_missing_or_pending(world, client, django_assert_max_num_queries):
    sign(world, world.head_a, world.ward_a, dt.date(2026, 6, 10))  # on the deadline: on time
    sign(world, world.head_b, world.ward_b, dt.date(2026, 6, 11))  # a day late
    rows = {row.unit.code: row.status for row in
            tracking.submissions(scope=world.committee, period_code="H1-2026", today=dt.date(2026, 6, 12))}
    assert rows == {"xa-a": "on_time", "xa-b": "late", "thon-a1": "missing"}  # the office itself does not report
    before = {row.unit.code: row.status for row in
              tracking.submissions(scope=world.committee, period_code="H1-2026", today=dt.date(2026, 6, 10))}
    assert before["thon-a1"] == "pending"

    client.force_login(world.compiler)
    with time_machine.travel(aware(dt.date(2026, 6, 12)), tick=False):
        with django_assert_max_num_queries(8):
            page = client.get(reverse("report_submissions"), {"period": "H1-2026"})
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-unit="thon-a1" data-status="missing"' in html and 'data-unit="xa-b" data-status="late"' in html
        assert client.get(reverse("report_submissions"), {"period": "H9-2026"}).status_code == 404
        client.force_login(world.head_a)
        assert client.get(reverse("report_submissions")).status_code == 404


def test_reminders_go_once_a_day_to_heads_of_units_not_signed(world, django_assert_num_queries):
    sign(world, world.head_a, world.ward_a, dt.date(2026, 6, 2))
    with time_machine.travel(aware(dt.date(2026, 6, 2), 8), tick=False):
        assert tracking.send_reminders() == 0  # 8 days before the deadline: not yet
    day = aware(dt.date(2026, 6, 5), 8)
    with django_assert_num_queries(1):
        assert tracking.send_reminders(now=day) == 2
    assert tracking.send_reminders(now=day) == 0  # the beat may run many times a day
    assert tracking.send_reminders(now=day + dt.timedelta(hours=5)) == 0
    reminded = set(ReportReminder.objects.values_list("user__username", "unit__code", "period", "deadline"))
    assert reminded == {("head-b", "xa-b", "H1-2026", dt.date(2026, 6, 10)),
                        ("head-hamlet", "thon-a1", "H1-2026", dt.date(2026, 6, 10))}
    assert tracking.send_reminders(now=day + dt.timedelta(days=1)) == 2  # the next day, again
    assert tracking.send_reminders(now=aware(dt.date(2026, 6, 11), 8)) == 0  # after the deadline: the compiler's list
    assert tracking.send_reminders(now=aware(dt.date(2026, 11, 20), 8)) == 3  # the annual report


def test_the_head_sees_the_reminder_on_the_report_page_until_signed(world, client):
    day = aware(dt.date(2026, 6, 5), 8)
    tracking.send_reminders(now=day)
    client.force_login(world.head_b)
    with time_machine.travel(day, tick=False):
        assert "H1-2026" in client.get(reverse("report_page")).content.decode()
    sign(world, world.head_b, world.ward_b, dt.date(2026, 6, 5))
    with time_machine.travel(day, tick=False):
        assert not client.get(reverse("report_page")).context["reminders"]
