"""Suspension and resumption: legal grounds as choices, and the decision notices with their clocks (K11, T5)."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput, NotFound
from cases.models import Case, CaseEvent, CaseNotice, Status
from cases.sla import sweep_sla
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
FRIDAY = D(2026, 7, 10)


def accepted(world, kind="denunciation", **kw):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**make(world, **kw)).case
    return services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))


def suspend(world, case, *, ground, on=FRIDAY, **kw):
    return services.case_suspend(case=case, actor=world.head, ground=ground, now=aware(on), **kw)


def test_a_denunciations_suspension_is_sent_within_five_working_days(world):
    case = accepted(world)
    suspend(world, case, ground="await_expert", grounds="Chờ kết luận giám định chữ ký.", decision_number="3/QĐ-TĐC")
    notice = CaseNotice.objects.get(case=case)
    assert (notice.purpose, notice.decided_on, notice.due, notice.rule) == ("suspension", FRIDAY, D(2026, 7, 17), "T5")
    assert notice.decision_number == "3/QĐ-TĐC" and notice.legal_source.startswith("LTC Art 34")
    assert notice.grounds == {"code": "await_expert", "text": "Chờ kết luận giám định chữ ký."}
    assert notice.basis["rule"] == "T5" and notice.basis["unit"] == "working" and notice.basis["due"] == "2026-07-17"
    assert notice.sla == "on_track"  # brought up to date in the act itself
    event = CaseEvent.objects.get(case=case, action="suspend")
    assert event.payload["ground"] == "await_expert" and event.payload["decision_number"] == "3/QĐ-TĐC"


def test_a_complaints_suspension_and_resumption_are_sent_within_three_working_days(world):
    case = accepted(world, "complaint")
    suspend(world, case, ground="objective_obstacle", grounds="Người khiếu nại nằm viện.")
    services.case_resume(case=case, actor=world.head, ground="obstacle_ended", now=aware(D(2026, 7, 20)))
    rows = list(CaseNotice.objects.filter(case=case).order_by("pk").values_list("purpose", "due", "rule"))
    assert rows == [("suspension", D(2026, 7, 15), "K11"), ("resumption", D(2026, 7, 23), "K11")]
    assert CaseEvent.objects.get(case=case, action="resume").payload["ground"] == "obstacle_ended"


@pytest.mark.parametrize("kind, ground, detail, field", [
    ("denunciation", "force_majeure", "", "ground"),  # a complaint's ground
    ("denunciation", "other", "Lý do khác", "ground"),  # LTC Art 34(1) is a closed list
    ("complaint", "await_expert", "", "ground"),  # a denunciation's ground
    ("complaint", "other", "  ", "grounds"),  # "other" needs the text
    ("complaint", "", "Chờ", "ground"),
])
def test_the_ground_must_be_one_the_law_gives_for_the_kind(world, kind, ground, detail, field):
    case = accepted(world, kind)
    with pytest.raises(InvalidInput) as refused:
        suspend(world, case, ground=ground, grounds=detail)
    assert refused.value.field == field
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED and not CaseNotice.objects.exists()


def test_a_refused_suspension_leaves_no_notice(world):
    case = accepted(world)
    with pytest.raises(Forbidden):
        services.case_suspend(case=case, actor=world.handler, ground="await_expert", now=aware(FRIDAY))
    suspend(world, case, ground="await_expert")
    with pytest.raises(Conflict):
        suspend(world, case, ground="await_expert")
    assert CaseNotice.objects.filter(case=case).count() == 1


def test_the_notice_clock_goes_due_soon_then_overdue_until_it_is_recorded_as_sent(world):
    case = accepted(world)
    suspend(world, case, ground="await_other_body")
    notice = CaseNotice.objects.get(case=case)
    sweep_sla(now=aware(D(2026, 7, 15)))
    notice.refresh_from_db()
    assert notice.sla == "due_soon"
    sweep_sla(now=aware(D(2026, 7, 18)))
    notice.refresh_from_db()
    assert notice.sla == "overdue"

    with pytest.raises(Forbidden):
        services.case_send_decision_notice(case=case, actor=world.reception, notice=notice, now=aware(D(2026, 7, 20)))
    services.case_send_decision_notice(case=case, actor=world.head, notice=notice.pk, now=aware(D(2026, 7, 20)))
    notice.refresh_from_db()
    assert (notice.sent_on, notice.sla) == (D(2026, 7, 20), "")
    event = CaseEvent.objects.get(case=case, action="send_decision_notice")
    assert event.payload["late"] is True and event.payload["purpose"] == "suspension"
    assert (event.from_status, event.to_status) == ("suspended", "suspended")
    with pytest.raises(Conflict, match="already recorded as sent"):
        services.case_send_decision_notice(case=case, actor=world.head, notice=notice, now=aware(D(2026, 7, 21)))
    assert CaseEvent.objects.filter(case=case, action="send_decision_notice").count() == 1


def test_a_notice_of_another_case_or_unknown_is_not_found(world):
    case, other = accepted(world), accepted(world, accused="Người khác")
    suspend(world, other, ground="await_expert")
    with pytest.raises(NotFound):
        services.case_send_decision_notice(case=case, actor=world.head, notice=CaseNotice.objects.get().pk,
                                           now=aware(FRIDAY))
    with pytest.raises(NotFound):
        services.case_send_decision_notice(case=case, actor=world.head, notice=987654, now=aware(FRIDAY))


def test_available_acts_offer_the_sending_only_while_a_decision_waits(world):
    from access import policy

    case = accepted(world)
    assert "send_decision_notice" not in policy.available_acts(world.head, case)
    suspend(world, case, ground="await_expert")
    case = Case.objects.get(pk=case.pk)
    assert "send_decision_notice" in policy.available_acts(world.head, case)
    assert "send_decision_notice" not in policy.available_acts(world.reception, case)
    services.case_send_decision_notice(case=case, actor=world.head, notice=case.notices.get(), now=aware(FRIDAY))
    assert "send_decision_notice" not in policy.available_acts(world.head, Case.objects.get(pk=case.pk))
