"""Rule changes during a case (issue 6, reference §9): a complaint received before 1/7/2026 whose
acceptance window runs past that date keeps the 10-working-day deadline the engine applies, its basis
names the transitional question with both readings, and the alerts use the stricter reading."""
import datetime as dt

import pytest

from cases import services
from cases.models import Case, CaseEvent, SlaState
from cases.sla import sweep_sla
from deadlines.engine import DeadlineInput, compute_deadlines
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db


def acceptance(kind="complaint", received=dt.date(2026, 6, 25)):
    result = compute_deadlines(DeadlineInput(kind=kind, received=received))
    return result, next(e for e in result.basis if e["deadline"] == "acceptance")


def test_a_window_running_past_1_7_2026_names_both_readings():
    result, entry = acceptance(received=dt.date(2026, 6, 25))  # Thu 25/6/2026
    assert result.acceptance_due == dt.date(2026, 7, 9)  # 10 wd under the old K2: the reading applied
    assert result.acceptance_alert_due == dt.date(2026, 7, 6)  # 7 wd from the same day: the stricter one
    assert entry["due"] == "2026-07-09" and entry["alert_due"] == "2026-07-06"
    note = entry["transitional"]
    assert "§9" in note["question"]
    assert (note["applied"]["length"], note["applied"]["due"]) == (10, "2026-07-09")
    assert (note["stricter"]["length"], note["stricter"]["due"], note["stricter"]["unit"]) == (7, "2026-07-06", "working")
    assert "NĐ 155/2026" in note["stricter"]["source"]


def test_the_stricter_reading_never_ends_before_the_new_rule_took_effect():
    result, _entry = acceptance(received=dt.date(2026, 6, 19))  # Fri: 10 wd end Fri 3/7; 7 wd would end Tue 30/6
    assert result.acceptance_due == dt.date(2026, 7, 3)
    assert result.acceptance_alert_due == dt.date(2026, 7, 1)


@pytest.mark.parametrize("kind, received", [
    ("complaint", dt.date(2026, 6, 10)),  # the window ends on 24/6, before the change
    ("complaint", dt.date(2026, 7, 1)),  # received under the new rule
    ("denunciation", dt.date(2026, 6, 25)),  # its acceptance rule did not change
])
def test_no_transitional_question_otherwise(kind, received):
    result, entry = acceptance(kind=kind, received=received)
    assert result.acceptance_alert_due is None
    assert "transitional" not in entry and "alert_due" not in entry


def test_the_case_stores_the_applied_date_and_the_sweep_alerts_on_the_stricter_one():
    world = World()
    case = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 6, 25),
                                                   now=aware(dt.date(2026, 6, 25), 15))).case
    case = Case.objects.get(pk=case.pk)
    assert (case.acceptance_due, case.acceptance_alert_due) == (dt.date(2026, 7, 9), dt.date(2026, 7, 6))
    sweep_sla(now=aware(dt.date(2026, 6, 30)))  # 3 wd after Tue 30/6 reach Fri 3/7: 6/7 is on track
    assert Case.objects.get(pk=case.pk).acceptance_sla == SlaState.ON_TRACK
    sweep_sla(now=aware(dt.date(2026, 7, 1)))  # Thu 2, Fri 3, Mon 6: the stricter date is due soon
    assert Case.objects.get(pk=case.pk).acceptance_sla == SlaState.DUE_SOON
    sweep_sla(now=aware(dt.date(2026, 7, 7)))  # past the stricter date, before the applied one
    case = Case.objects.get(pk=case.pk)
    assert case.acceptance_sla == case.sla_state == SlaState.OVERDUE
    assert case.acceptance_due == dt.date(2026, 7, 9)
    event = CaseEvent.objects.get(case=case, action="sla_overdue")
    assert event.payload["due"] == "2026-07-06"
    # accepted within the applied reading: the acceptance clock stops, nothing stays flagged
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).acceptance_sla == ""


def test_a_denunciation_received_the_same_day_has_no_alert_date():
    world = World()
    case = services.case_intake(**denunciation_kwargs(world, received=dt.date(2026, 6, 25),
                                                      now=aware(dt.date(2026, 6, 25), 15))).case
    assert case.acceptance_alert_due is None


def test_the_case_page_names_the_stricter_reading():
    from django.test import Client

    world = World()
    case = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 6, 25),
                                                   now=aware(dt.date(2026, 6, 25), 15))).case
    client = Client()
    client.force_login(world.head)
    client.cookies["django_language"] = "en"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "stricter reading, due 06/07/2026" in html
    assert "09/07/2026" in html
