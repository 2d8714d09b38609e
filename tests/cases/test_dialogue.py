"""Dialogue appointments (LKN Arts 30, 39; NĐ 124 Art 28 as amended by NĐ 155/2026 Art 11; K10)."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput
from cases.models import Case, CaseEvent, Dialogue, Status
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED, ACCEPTED = D(2026, 7, 6), D(2026, 7, 8)
PARTIES = ["Nguyễn Văn A (người khiếu nại)", "Chủ tịch UBND xã A (người bị khiếu nại)"]


def verifying(world, *, kind="complaint", received=RECEIVED, accepted=ACCEPTED, findings_differ=True,
              **kw):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**make(world, received=received, **kw)).case
    services.case_accept(case=case, actor=world.head, now=aware(accepted))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(accepted))
    services.case_start_verification(case=case, actor=world.handler, now=aware(accepted))
    services.case_record_verification(case=case, actor=world.handler, findings="Khác yêu cầu.",
                                      findings_differ=findings_differ and kind == "complaint", now=aware(accepted))
    return Case.objects.get(pk=case.pk)


def schedule(world, case, *, day, on, hour=9, **kw):
    values = {"case": case, "actor": world.handler, "scheduled_at": aware(day, hour), "place": "Trụ sở UBND xã A",
              "participants": PARTIES, "now": aware(on)}
    values.update(kw)
    return services.case_schedule_dialogue(**values)


def decide(world, case, on):
    return services.case_decide(case=case, actor=world.head, decision_number="20/QĐ", summary="Giữ nguyên.",
                                now=aware(on))


def test_the_invitation_goes_out_at_least_five_days_before_and_a_shorter_notice_names_the_earliest_date(world):
    case = verifying(world)
    with pytest.raises(InvalidInput, match="earliest date is 15/07/2026") as refused:
        schedule(world, case, day=D(2026, 7, 14), on=D(2026, 7, 10))
    assert refused.value.field == "scheduled_at"
    assert not Dialogue.objects.exists() and Case.objects.get(pk=case.pk).status == Status.IN_VERIFICATION
    # an invitation sent earlier (typed in the form) counts from its own date
    with pytest.raises(InvalidInput, match="earliest date is 13/07/2026"):
        schedule(world, case, day=D(2026, 7, 12), on=D(2026, 7, 10), invited_on=D(2026, 7, 8))

    schedule(world, case, day=D(2026, 7, 15), on=D(2026, 7, 10), hour=14)
    case.refresh_from_db()
    dialogue = case.dialogues.get()
    assert case.status == Status.IN_DIALOGUE
    assert (dialogue.state, dialogue.place, dialogue.participants, dialogue.invited_on) == (
        "scheduled", "Trụ sở UBND xã A", PARTIES, D(2026, 7, 10))
    assert dialogue.basis["rule"] == "K10" and dialogue.basis["earliest"] == "2026-07-15"
    event = CaseEvent.objects.get(case=case, action="schedule_dialogue")
    assert event.payload["dialogue"] == dialogue.pk and event.payload["lead_time"]["rule"] == "K10"
    assert (event.from_status, event.to_status) == ("in_verification", "in_dialogue")


def test_before_1_july_2026_the_law_set_no_minimum_lead_time(world):
    case = verifying(world, received=D(2026, 5, 4), accepted=D(2026, 5, 6))
    schedule(world, case, day=D(2026, 6, 23), on=D(2026, 6, 22))
    dialogue = Dialogue.objects.get(case=case)
    assert "rule" not in dialogue.basis and "no minimum lead time" in dialogue.basis["note"]


@pytest.mark.parametrize("change, field", [
    ({"place": "  "}, "place"),
    ({"participants": []}, "participants"),
    ({"participants": "\n \n"}, "participants"),
    ({"scheduled_at": dt.datetime(2026, 7, 20, 9)}, "scheduled_at"),  # naive
    ({"scheduled_at": "2026-07-20"}, "scheduled_at"),
    ({"invited_on": D(2026, 7, 11)}, "invited_on"),  # after today
    ({"invited_on": D(2026, 7, 7)}, "invited_on"),  # before the acceptance
    ({"scheduled_at": aware(D(2026, 7, 9))}, "scheduled_at"),  # in the past
])
def test_bad_appointments_are_refused_with_the_field(world, change, field):
    case = verifying(world)
    with pytest.raises(InvalidInput) as refused:
        schedule(world, case, day=D(2026, 7, 20), on=D(2026, 7, 10), **change)
    assert refused.value.field == field
    assert not Dialogue.objects.exists()


def test_a_denunciation_has_no_dialogue(world):
    case = verifying(world, kind="denunciation")
    with pytest.raises(Conflict, match="denunciation has no dialogue"):
        schedule(world, case, day=D(2026, 7, 20), on=D(2026, 7, 10))
    with pytest.raises(Conflict, match="denunciation has no dialogue"):
        services.case_start_dialogue(case=case, actor=world.handler, now=aware(D(2026, 7, 10)))
    assert not Dialogue.objects.exists() and Case.objects.get(pk=case.pk).status == Status.IN_VERIFICATION


def test_only_the_handler_or_the_head_schedules_and_only_once_verification_runs(world):
    case = verifying(world)
    with pytest.raises(Forbidden):
        schedule(world, case, day=D(2026, 7, 20), on=D(2026, 7, 10), actor=world.reception)
    accepted = services.case_intake(**complaint_kwargs(world, respondent_number="9/QĐ")).case
    services.case_accept(case=accepted, actor=world.head, now=aware(D(2026, 7, 8)))
    with pytest.raises(Conflict, match="Accepted"):
        schedule(world, accepted, day=D(2026, 7, 20), on=D(2026, 7, 10), actor=world.head)


def test_the_minutes_come_after_the_day_with_attendance_and_then_the_decision_may_be_signed(world):
    case = verifying(world)
    with pytest.raises(Conflict, match="no dialogue is scheduled"):
        services.case_start_dialogue(case=case, actor=world.handler, now=aware(D(2026, 7, 10)))
        services.case_record_dialogue(case=case, actor=world.handler, minutes="x", attendance=PARTIES,
                                      now=aware(D(2026, 7, 10)))
    case = verifying(world, respondent_number="2/QĐ")
    schedule(world, case, day=D(2026, 7, 15), on=D(2026, 7, 10))
    with pytest.raises(Conflict, match="scheduled for 15/07/2026 09:00"):
        decide(world, case, D(2026, 7, 14))
    with pytest.raises(Conflict, match="scheduled for 15/07/2026"):
        services.case_record_dialogue(case=case, actor=world.handler, minutes="Biên bản", attendance=PARTIES,
                                      now=aware(D(2026, 7, 14)))
    with pytest.raises(InvalidInput) as refused:
        services.case_record_dialogue(case=case, actor=world.handler, minutes="Biên bản", attendance=[],
                                      now=aware(D(2026, 7, 15), 11))
    assert refused.value.field == "attendance"
    with pytest.raises(InvalidInput) as refused:
        services.case_record_dialogue(case=case, actor=world.handler, minutes=" ", attendance=PARTIES,
                                      now=aware(D(2026, 7, 15), 11))
    assert refused.value.field == "minutes"
    assert not Case.objects.get(pk=case.pk).dialogue_held

    services.case_record_dialogue(case=case, actor=world.handler, minutes="Hai bên thống nhất một phần.",
                                  attendance=PARTIES[:1], absent=PARTIES[1:], outcome="Còn khác về diện tích.",
                                  now=aware(D(2026, 7, 15), 11))
    case.refresh_from_db()
    dialogue = case.dialogues.get()
    assert case.dialogue_held and case.status == Status.IN_DIALOGUE
    assert (dialogue.state, dialogue.attendance, dialogue.absent, dialogue.outcome) == (
        "held", PARTIES[:1], PARTIES[1:], "Còn khác về diện tích.")
    event = CaseEvent.objects.get(case=case, action="record_dialogue")
    assert event.payload["dialogue"] == dialogue.pk and event.payload["attendance"] == PARTIES[:1]
    decide(world, case, D(2026, 7, 16))
    assert Case.objects.get(pk=case.pk).status == Status.DECIDED


def test_a_complainant_absent_without_a_valid_reason_does_not_stop_the_decision(world):
    case = verifying(world)
    schedule(world, case, day=D(2026, 7, 15), on=D(2026, 7, 10))
    with pytest.raises(InvalidInput) as refused:
        services.case_record_dialogue_absence(case=case, actor=world.handler, absent=[], now=aware(D(2026, 7, 15)))
    assert refused.value.field == "absent"
    services.case_record_dialogue_absence(case=case, actor=world.handler, absent=PARTIES[:1],
                                          attendance=PARTIES[1:], now=aware(D(2026, 7, 15), 10))
    case.refresh_from_db()
    assert case.dialogue_held and case.dialogues.get().state == "absent"
    assert CaseEvent.objects.get(case=case, action="record_dialogue_absence").payload["valid_reason"] is False
    decide(world, case, D(2026, 7, 16))
    assert Case.objects.get(pk=case.pk).status == Status.DECIDED


def test_an_absence_for_a_valid_reason_postpones_the_dialogue_until_it_is_scheduled_again(world):
    case = verifying(world)
    schedule(world, case, day=D(2026, 7, 15), on=D(2026, 7, 10))
    with pytest.raises(InvalidInput) as refused:
        services.case_record_dialogue_absence(case=case, actor=world.handler, absent=PARTIES[:1], valid_reason=True,
                                              now=aware(D(2026, 7, 15)))
    assert refused.value.field == "reason"
    services.case_record_dialogue_absence(case=case, actor=world.handler, absent=PARTIES[:1], valid_reason=True,
                                          reason="Ốm, có giấy của trạm y tế.", now=aware(D(2026, 7, 15), 10))
    case.refresh_from_db()
    assert not case.dialogue_held and case.dialogues.get().state == "postponed"
    with pytest.raises(Conflict, match="requires a dialogue"):
        decide(world, case, D(2026, 7, 16))
    with pytest.raises(Conflict, match="no dialogue is scheduled"):
        services.case_record_dialogue(case=case, actor=world.handler, minutes="x", attendance=PARTIES,
                                      now=aware(D(2026, 7, 16)))
    schedule(world, case, day=D(2026, 7, 22), on=D(2026, 7, 16))
    assert list(case.dialogues.order_by("pk").values_list("state", flat=True)) == ["postponed", "scheduled"]


def test_scheduling_again_postpones_the_pending_appointment(world):
    case = verifying(world)
    schedule(world, case, day=D(2026, 7, 15), on=D(2026, 7, 10))
    first = Dialogue.objects.get(case=case)
    schedule(world, case, day=D(2026, 7, 17), on=D(2026, 7, 11))
    first.refresh_from_db()
    assert first.state == "postponed"
    pending = services.pending_dialogue(case)
    assert pending.pk != first.pk and pending.state == "scheduled"
    event = CaseEvent.objects.filter(case=case, action="schedule_dialogue").latest("pk")
    assert event.payload["replaces"] == [first.pk] and (event.from_status, event.to_status) == ("in_dialogue",) * 2


def test_a_first_round_complaint_whose_findings_agree_needs_no_dialogue(world):
    case = verifying(world, findings_differ=False)
    decide(world, case, D(2026, 7, 10))
    assert Case.objects.get(pk=case.pk).status == Status.DECIDED


def test_a_dialogue_recorded_before_appointments_existed_becomes_a_held_record(world):
    """Migration 0011: the rules read the records now, so a case whose dialogue was recorded by the old code
    (the ``dialogue_held`` column and a ``record_dialogue`` event, no appointment) keeps meeting the requirement."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0014_h3_dialogue_notices")
    case = verifying(world)
    services.case_start_dialogue(case=case, actor=world.handler, now=aware(D(2026, 7, 10)))
    CaseEvent.objects.create(case=case, at=aware(D(2026, 7, 11)), action="record_dialogue", payload={"minutes": "Cũ."})
    Case.objects.filter(pk=case.pk).update(dialogue_held=True)
    case = Case.objects.get(pk=case.pk)
    with pytest.raises(Conflict, match="requires a dialogue"):
        decide(world, case, D(2026, 7, 12))
    migration.dialogues_from_events(apps, None)
    dialogue = Dialogue.objects.get(case=case)
    assert (dialogue.state, dialogue.minutes, dialogue.held_at) == ("held", "Cũ.", aware(D(2026, 7, 11)))
    decide(world, Case.objects.get(pk=case.pk), D(2026, 7, 12))
