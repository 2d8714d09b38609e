"""Second complaints (reference §3.1 K5–K7, §4.3): after the decision within K5, or when the first level is
overdue; the second round goes to the superior, links to the first, and is a complaint."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, InvalidInput
from cases.models import Case, CaseEvent, Status
from deadlines.engine import DeadlineInput, compute_deadlines
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, aware, member

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date


def on(month, day, hour=9):
    return aware(D(2026, month, day), hour)


DECIDED_ON = aware(D(2026, 7, 30))


def decided_complaint(world, *, staff=None, decide_on=DECIDED_ON, **kw):
    """A first complaint received 6/7/2026, accepted 8/7 and decided on ``decide_on`` (Thu 30/7 by default)."""
    staff = staff or {"reception": world.reception, "handler": world.handler, "head": world.head}
    case = services.case_intake(**complaint_kwargs(world, actor=staff["reception"], **kw)).case
    services.case_accept(case=case, actor=staff["head"], now=on(7, 8))
    services.case_assign(case=case, actor=staff["head"], handler=staff["handler"], now=on(7, 8))
    services.case_start_verification(case=case, actor=staff["handler"], now=on(7, 9))
    services.case_decide(case=case, actor=staff["head"], decision_number="45/QĐ-UBND", summary="Giữ nguyên.",
                         now=decide_on)
    return Case.objects.get(pk=case.pk)


def verifying_complaint(world, **kw):
    case = services.case_intake(**complaint_kwargs(world, **kw)).case
    services.case_accept(case=case, actor=world.head, now=on(7, 8))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=on(7, 8))
    services.case_start_verification(case=case, actor=world.handler, now=on(7, 9))
    return Case.objects.get(pk=case.pk)


def acts(case):
    return list(CaseEvent.objects.filter(case=case).exclude(action__startswith="sla_").values_list("action", flat=True))


# --- K5, K6, K7 are computed and stored at the decision ------------------------------------------

def test_the_decision_stores_the_k5_last_day_and_the_k6_final_date_with_their_basis(world):
    case = decided_complaint(world)
    # By hand: Thu 30/07/2026 + 30 days = Sat 29/08; Mon 31/08 – Wed 02/09 are the National Day break.
    assert case.appeal_due == D(2026, 9, 3)
    assert case.final_on == D(2026, 9, 3)
    basis = {entry["deadline"]: entry for entry in case.deadline_basis}
    assert (basis["appeal"]["rule"], basis["appeal"]["source"], basis["appeal"]["from"]) == (
        "K5", "LKN Art 33(1)", "2026-07-30")
    assert (basis["final"]["rule"], basis["final"]["source"]) == ("K6", "LKN Art 44(1)")
    assert basis["appeal"]["rolled"] == {"from": "2026-08-29", "to": "2026-09-03", "source": "BLDS Art 148(5)"}
    changes = CaseEvent.objects.get(case=case, action="decide").payload["changes"]
    assert changes["appeal_due"] == [None, "2026-09-03"] and changes["final_on"] == [None, "2026-09-03"]


def test_in_a_remote_area_k5_and_k6_are_45_days(world):
    staff = {role: member(world.remote_commune, getattr(Role, role.upper())) for role in ("reception", "handler", "head")}
    case = decided_complaint(world, staff=staff, receiving_unit=world.remote_commune)
    assert case.is_remote
    assert case.appeal_due == case.final_on == D(2026, 9, 14)  # Thu 30/07 + 45 = Sun 13/09 -> Mon 14/09


def test_a_second_round_decision_becomes_final_under_k7_and_has_no_k5(world):
    first = decided_complaint(world)
    second = services.case_appeal(case=first, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    province_handler = member(world.province, Role.HANDLER)
    services.case_accept(case=second, actor=world.province_head, now=on(8, 4))
    services.case_assign(case=second, actor=world.province_head, handler=province_handler, now=on(8, 4))
    services.case_start_verification(case=second, actor=province_handler, now=on(8, 5))
    services.case_schedule_dialogue(case=second, actor=province_handler, scheduled_at=on(8, 12, 14),
                                    place="Trụ sở UBND tỉnh", participants=["Người khiếu nại"], now=on(8, 6))
    services.case_record_dialogue(case=second, actor=province_handler, minutes="Biên bản.",
                                  attendance=["Người khiếu nại"], now=on(8, 12, 16))
    services.case_decide(case=second, actor=world.province_head, decision_number="9/QĐ", summary="x", now=on(8, 20))
    second.refresh_from_db()
    assert second.appeal_due is None  # after a second decision, only a lawsuit
    assert second.final_on == D(2026, 9, 21)  # Thu 20/08 + 30 = Sat 19/09 -> Mon 21/09
    assert [e["rule"] for e in second.deadline_basis if e.get("deadline") == "final"] == ["K7"]
    first.refresh_from_db()
    assert first.final_on is None  # K6 applies only if no second complaint is filed


# --- an appeal after the decision ------------------------------------------------------------------

def test_an_appeal_within_k5_reopens_a_closed_case_into_a_linked_second_round(world):
    case = decided_complaint(world)
    services.case_close(case=case, actor=world.head, now=on(7, 31))
    second = services.case_appeal(case=case, actor=world.province_reception, received_at=on(9, 3),
                                  content="Không đồng ý quyết định lần đầu.", now=on(9, 3, 15))  # the last day
    case.refresh_from_db()
    assert case.status == Status.APPEALED and case.final_on is None
    assert acts(case)[-2:] == ["close", "appeal"]
    event = CaseEvent.objects.get(case=case, action="appeal")
    assert (event.from_status, event.to_status, event.legal_basis) == ("closed", "appealed", "LKN Arts 7(1), 33(1)")
    assert event.payload["k5"] == {"from": "2026-07-30", "due": "2026-09-03", "rule": "K5", "source": "LKN Art 33(1)"}
    assert event.payload["second_round_unit"] == world.province.pk and "note" not in event.payload
    assert (second.round, second.kind, second.previous_round_id) == (2, "complaint", case.pk)
    assert second.competent_unit == second.receiving_unit == world.province
    assert second.status == Status.RECEIVED and second.content == "Không đồng ý quyết định lần đầu."
    assert second.petitioners.count() == 1 and second.knew_on is None


def test_an_appeal_after_k5_is_refused_with_the_ground_and_the_last_day(world):
    case = decided_complaint(world)
    services.case_close(case=case, actor=world.head, now=on(7, 31))
    with pytest.raises(Conflict) as refused:
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(9, 4), now=on(9, 4, 15))
    assert "K5" in refused.value.message and "03/09/2026" in refused.value.message
    assert refused.value.details["reasons"] == [refused.value.message]
    case.refresh_from_db()
    assert case.status == Status.CLOSED and "appeal" not in acts(case)
    assert not Case.objects.filter(round=2).exists()


def test_k5_runs_from_a_later_receipt_of_the_decision(world):
    case = decided_complaint(world)
    with pytest.raises(InvalidInput) as bad:
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(9, 8),
                             decision_received_on=D(2026, 7, 29), now=on(9, 8, 15))
    assert bad.value.field == "decision_received_on"
    # received on 10/8: the window runs to Wed 9/9, so a complaint on 8/9 is in time
    second = services.case_appeal(case=case, actor=world.province_reception, received_at=on(9, 8),
                                  decision_received_on=D(2026, 8, 10), now=on(9, 8, 15))
    assert second.round == 2
    payload = CaseEvent.objects.get(case=case, action="appeal").payload
    assert payload["k5"]["from"] == "2026-08-10" and payload["k5"]["due"] == "2026-09-09"


def test_a_second_complaint_cannot_predate_the_decision_and_goes_only_to_the_superior(world):
    case = decided_complaint(world)
    with pytest.raises(InvalidInput) as early:
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(7, 29), now=on(8, 3))
    assert early.value.field == "received_at"
    with pytest.raises(InvalidInput) as elsewhere:
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 3),
                             competent_unit=world.remote_commune, now=on(8, 3, 15))
    assert elsewhere.value.field == "competent_unit" and "Tỉnh A" in elsewhere.value.message
    assert Case.objects.get(pk=case.pk).status == Status.DECIDED


def test_the_second_level_passes_over_an_abolished_parent_and_says_so(world):
    district = UnitFactory(code="huyen-cu", name="Huyện Cũ", level=UnitLevel.DISTRICT, parent=world.province,
                           valid_to=D(2025, 6, 30))
    ward = UnitFactory(code="xa-c", name="Xã C", level=UnitLevel.COMMUNE, parent=district)
    staff = {role: member(ward, getattr(Role, role.upper())) for role in ("reception", "handler", "head")}
    case = decided_complaint(world, staff=staff, receiving_unit=ward)
    second = services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    assert second.competent_unit == world.province
    payload = CaseEvent.objects.get(case=case, action="appeal").payload
    assert payload["abolished_units"] == [{"id": district.pk, "name": "Huyện Cũ", "valid_to": "2025-06-30"}]
    assert "Huyện Cũ" in payload["note"] and "Tỉnh A" in payload["note"]


def test_only_a_first_round_complaint_is_appealed_and_only_once(world):
    denunciation = services.case_intake(**denunciation_kwargs(world)).case
    services.case_accept(case=denunciation, actor=world.head, now=on(7, 8))
    services.case_assign(case=denunciation, actor=world.head, handler=world.handler, now=on(7, 8))
    services.case_start_verification(case=denunciation, actor=world.handler, now=on(7, 9))
    services.case_decide(case=denunciation, actor=world.head, decision_number="1/KL", summary="x", now=on(7, 20))
    with pytest.raises(Conflict, match="first-round complaint"):
        services.case_appeal(case=denunciation, actor=world.province_reception, received_at=on(7, 21),
                             now=on(7, 21, 15))
    case = decided_complaint(world, respondent_number="77/QĐ")
    services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    with pytest.raises(Conflict):
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 4), now=on(8, 4, 15))
    assert Case.objects.filter(round=2).count() == 1


# --- the first level is overdue ---------------------------------------------------------------------

def test_a_second_complaint_when_the_first_level_is_overdue(world):
    case = verifying_complaint(world)
    assert case.resolution_due == D(2026, 8, 7)  # accepted Wed 8/7 + 30 days = Fri 7/8 (K3)
    second = services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(8, 10),
                                          now=on(8, 10, 15))
    case.refresh_from_db()
    # Still the lower level's duty: the case stays in verification, flagged, its overdue clock still running.
    assert case.status == Status.IN_VERIFICATION and case.is_escalated
    assert case.resolution_sla == "overdue" and case.is_backlogged
    event = CaseEvent.objects.get(case=case, action="appeal_overdue")
    assert (event.from_status, event.to_status) == ("in_verification", "in_verification")
    assert event.payload["resolution_due"] == "2026-08-07"
    assert event.payload["k5"]["from"] == "2026-08-07" and event.payload["k5"]["due"] == "2026-09-07"
    assert event.payload["changes"]["is_escalated"] == [False, True]
    assert (second.round, second.previous_round_id, second.competent_unit_id) == (2, case.pk, world.province.pk)
    # the lower level may still decide, but the decision is not taken to the second level a second time
    services.case_decide(case=case, actor=world.head, decision_number="3/QĐ", summary="x", now=on(8, 20))
    case.refresh_from_db()
    assert case.final_on is None and case.appeal_due is not None
    with pytest.raises(Conflict, match="already recorded"):
        services.case_appeal(case=case, actor=world.province_reception, received_at=on(8, 21), now=on(8, 21, 15))


def test_a_first_level_still_in_time_is_not_overdue(world):
    case = verifying_complaint(world)
    with pytest.raises(Conflict) as refused:
        services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(8, 7),
                                     now=on(8, 7, 15))
    assert "not overdue" in refused.value.message and "07/08/2026" in refused.value.message
    case.refresh_from_db()
    assert not case.is_escalated and not Case.objects.filter(round=2).exists()
    assert "appeal_overdue" not in acts(case)


def test_k5_counted_from_the_end_of_the_resolution_period_also_lapses(world):
    case = verifying_complaint(world)
    # K3 ended Fri 7/8; + 30 days = Sun 6/9 -> Mon 7/9
    with pytest.raises(Conflict) as refused:
        services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(9, 8),
                                     now=on(9, 8, 15))
    assert "K5" in refused.value.message and "07/09/2026" in refused.value.message
    second = services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(9, 7),
                                          now=on(9, 8, 15))
    assert second.previous_round_id == case.pk


def test_a_suspended_or_received_first_case_cannot_be_taken_up_as_overdue(world):
    case = services.case_intake(**complaint_kwargs(world)).case
    with pytest.raises(Conflict, match="cannot"):
        services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(9, 1), now=on(9, 1))
    assert not Case.objects.filter(round=2).exists()


# --- round-2 intake rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["denunciation", "no_previous", "previous_denunciation", "not_appealed",
                                 "not_superior", "twice"])
def test_a_round_two_intake_refuses_anything_but_a_complaint_linked_to_its_taken_up_first_round(world, bad):
    first = decided_complaint(world)
    kwargs = complaint_kwargs(world, actor=world.province_reception, receiving_unit=world.province,
                              received=D(2026, 8, 3), round=2, previous_round=first)
    field = "previous_round"
    if bad == "denunciation":
        kwargs.update(kind="denunciation", accused="Ông X", respondent_number="")
        field = "round"
    elif bad == "no_previous":
        kwargs["previous_round"] = None
    elif bad == "previous_denunciation":
        kwargs["previous_round"] = services.case_intake(**denunciation_kwargs(world)).case
    elif bad == "not_superior":
        services.case_appeal(case=first, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
        kwargs["competent_unit"] = world.remote_commune
        field = "competent_unit"
    elif bad == "twice":
        services.case_appeal(case=first, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    # "not_appealed": the first case is decided but nobody recorded its appeal
    before = Case.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.case_intake(**kwargs)
    assert refused.value.field == field and refused.value.message
    assert Case.objects.count() == before


def test_a_round_two_complaint_always_needs_a_dialogue(world):
    from cases import rules

    first = decided_complaint(world)
    second = services.case_appeal(case=first, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    assert rules.dialogue_required(second) and not rules.dialogue_requirement_met(second)


def test_engine_and_case_agree_on_the_decision_dates(world):
    case = decided_complaint(world)
    result = compute_deadlines(DeadlineInput(kind="complaint", received=D(2026, 7, 6), accepted=D(2026, 7, 8),
                                             decided=D(2026, 7, 30)))
    assert (result.appeal_due, result.final_on) == (case.appeal_due, case.final_on)


# --- who records it, and what the citizen is shown ---------------------------------------------------------

def test_the_second_level_records_a_second_complaint_not_the_first(world):
    from cases.errors import Forbidden

    case = decided_complaint(world)
    for first_level in (world.reception, world.head):
        with pytest.raises(Forbidden):
            services.case_appeal(case=case, actor=first_level, received_at=on(8, 3), now=on(8, 3, 15))
    assert Case.objects.get(pk=case.pk).status == Status.DECIDED
    services.case_appeal(case=case, actor=world.province_head, received_at=on(8, 3), now=on(8, 3, 15))


def test_the_tracking_page_shows_the_stored_k5_day(world):
    from cases.citizen import appeal_right, public_view

    case = decided_complaint(world)
    assert appeal_right(case)["due"] == D(2026, 9, 3) and appeal_right(case)["days"] == 30
    Case.objects.filter(pk=case.pk).update(appeal_due=D(2026, 9, 4))  # as a recompute after a calendar change would
    case.refresh_from_db()
    assert public_view(case)["appeal"]["due"] == D(2026, 9, 4)


def test_an_escalated_first_case_offers_no_second_appeal_and_its_trail_says_why(world):
    from cases.citizen import appeal_right, public_view

    case = verifying_complaint(world)
    services.case_appeal_overdue(case=case, actor=world.province_reception, received_at=on(8, 10), now=on(8, 10, 15))
    services.case_decide(case=Case.objects.get(pk=case.pk), actor=world.head, decision_number="3/QĐ", summary="x",
                         now=on(8, 20))
    case.refresh_from_db()
    assert appeal_right(case) is None
    labels = [step["label"] for step in public_view(case)["trail"]]
    assert "Second complaint filed with the higher level: the time limit had passed" in labels


def rules_for_round_two():
    from cases.rules import refusal_grounds

    return refusal_grounds("complaint", 2)


def test_a_second_complaint_is_not_held_to_the_first_complaints_limitation(world):
    """K1 binds the first complaint; a second one is timed by K5, checked when it was recorded."""
    # The decision of 5/1 reached the complainant on 1/6: the first complaint (6/7) was in time.
    first = decided_complaint(world, respondent_date=D(2026, 1, 5), knew_on=D(2026, 6, 1))
    second = services.case_appeal(case=first, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    assert second.respondent_date == D(2026, 1, 5)
    services.case_accept(case=second, actor=world.province_head, now=on(8, 4))
    assert Case.objects.get(pk=second.pk).status == Status.ACCEPTED
    third = decided_complaint(world, respondent_date=D(2026, 5, 1), respondent_number="88/QĐ")
    assert "limitation_expired" not in dict(rules_for_round_two())
    fourth = services.case_appeal(case=third, actor=world.province_reception, received_at=on(8, 3), now=on(8, 3, 15))
    with pytest.raises(InvalidInput):
        services.case_refuse(case=fourth, actor=world.province_head, ground="limitation_expired", now=on(8, 4))
