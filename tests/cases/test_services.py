"""The legal lifecycle: which acts are allowed, refused, and what trace they leave."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput, NotFound
from cases.models import Case, CaseEvent, Petitioner, Status
from deadlines.engine import DeadlineInput, compute_deadlines
from organisation.models import Role
from tests.factories import aware, member

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db


def intake(world, **kw):
    return services.case_intake(**complaint_kwargs(world, **kw)).case


def accepted_denunciation(world, *, received=dt.date(2026, 7, 6), accept_on=dt.date(2026, 7, 8), **kw):
    case = services.case_intake(**denunciation_kwargs(world, received=received, **kw)).case
    return services.case_accept(case=case, actor=world.head, now=aware(accept_on))


def actions(case):
    """The case's acts (SLA alerts recorded alongside them are left out)."""
    events = CaseEvent.objects.filter(case=case).exclude(action__startswith="sla_")
    return list(events.values_list("action", "from_status", "to_status"))


# --- intake --------------------------------------------------------------------------

def test_intake_records_case_petitioners_deadlines_and_event(world):
    result = services.case_intake(**complaint_kwargs(world))
    case = Case.objects.get(pk=result.case.pk)
    assert case.status == Status.RECEIVED
    assert case.petitioners.count() == 1
    expected = compute_deadlines(DeadlineInput(kind="complaint", received=dt.date(2026, 7, 6)))
    assert case.acceptance_due == expected.acceptance_due
    assert case.resolution_due is None  # not active until accepted
    assert actions(case) == [("intake", "", "received")]
    event = case.events.get()
    assert event.actor == world.reception
    assert len(case.tracking_code) == 12
    assert services.check_pin(case, result.pin)
    assert not services.check_pin(case, "999999" if result.pin != "999999" else "000000")


def test_intake_flags_mass_petition_of_five_or_more(world):
    people = [{"full_name": f"Người {i}", "id_number": f"00109000010{i}"} for i in range(5)]
    assert intake(world, petitioners=people).is_mass
    assert not intake(world, petitioners=people[:4], respondent_number="9/QĐ").is_mass


def test_intake_flags_repeat_petition_by_same_person_on_same_decision(world):
    first = intake(world)
    second = intake(world, received=dt.date(2026, 7, 7), content="Lại khiếu nại.")
    other_decision = intake(world, received=dt.date(2026, 7, 7), respondent_number="777/QĐ-UBND")
    assert second.is_duplicate and second.duplicate_of == first
    assert not other_decision.is_duplicate
    assert not first.is_duplicate


def test_intake_flags_over_level_when_province_receives_a_commune_matter(world):
    case = intake(world, actor=world.province_reception, receiving_unit=world.province, competent_unit=world.commune)
    assert case.is_over_level
    own_level = intake(world, actor=world.province_reception, receiving_unit=world.province,
                       competent_unit=world.province, respondent_number="5/QĐ")
    assert not own_level.is_over_level


def test_over_level_is_not_flagged_when_the_lower_level_already_decided(world):
    first = intake(world)
    services.case_accept(case=first, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    services.case_assign(case=first, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 7)))
    services.case_start_verification(case=first, actor=world.handler, now=aware(dt.date(2026, 7, 8)))
    services.case_decide(case=first, actor=world.head, decision_number="1/QĐ", summary="Bác đơn",
                         now=aware(dt.date(2026, 7, 20)))
    later = intake(world, actor=world.province_reception, receiving_unit=world.province,
                   competent_unit=world.commune, received=dt.date(2026, 7, 21))
    assert later.duplicate_of == first
    assert not later.is_over_level


def test_remote_competent_unit_makes_the_case_remote(world):
    case = intake(world, actor=world.province_reception, receiving_unit=world.province,
                  competent_unit=world.remote_commune)
    assert case.is_remote


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": aware(dt.date(2026, 7, 10))}, "received_at"),  # after `now`
        ({"respondent_number": "", "respondent_act": ""}, "respondent_number"),
        ({"is_signed": False}, "is_signed"),
        ({"petitioners": []}, "petitioners"),
        ({"petitioners": [{"full_name": "  "}]}, "petitioners"),
        ({"content": "   "}, "content"),
        ({"kind": "gossip"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"round": 2}, "previous_round"),
        ({"received_at": dt.datetime(2026, 7, 6, 9)}, "received_at"),  # naive
    ],
)
def test_intake_refuses_bad_input_and_writes_nothing(world, overrides, field):
    with pytest.raises(InvalidInput) as error:
        services.case_intake(**complaint_kwargs(world, **overrides))
    assert error.value.field == field
    assert error.value.message
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0 and Petitioner.objects.count() == 0


def test_intake_refuses_a_denunciation_without_the_accused(world):
    with pytest.raises(InvalidInput, match="accused"):
        services.case_intake(**denunciation_kwargs(world, accused=""))
    assert Case.objects.count() == 0


def test_intake_refuses_an_unknown_unit(world):
    with pytest.raises(NotFound, match="unknown receiving unit"):
        services.case_intake(**complaint_kwargs(world, receiving_unit=987654))
    with pytest.raises(NotFound):
        services.case_intake(**complaint_kwargs(world, competent_unit="not-a-number"))
    assert Case.objects.count() == 0


def test_intake_refuses_a_unit_that_no_longer_existed(world):
    from organisation.models import UnitLevel
    from tests.factories import UnitFactory

    district = UnitFactory(level=UnitLevel.DISTRICT, parent=world.province, valid_to=dt.date(2025, 6, 30))
    with pytest.raises(InvalidInput, match="did not exist"):
        services.case_intake(**complaint_kwargs(world, competent_unit=district))


def test_intake_needs_a_reception_or_head_role_in_the_receiving_unit(world):
    with pytest.raises(Forbidden):
        services.case_intake(**complaint_kwargs(world, actor=world.handler))
    with pytest.raises(Forbidden):
        services.case_intake(**complaint_kwargs(world, actor=world.outsider))
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("start_process", "budget"), [(False, 8), (True, 18)])  # + the outbox: the petitioners' phones
def test_intake_query_budget_does_not_grow_with_petitioners(world, django_assert_max_num_queries, start_process,
                                                            budget):
    """Intake — case, petitioners, event, and the process with its first task — costs a fixed number of queries."""
    many = [{"full_name": f"Người {i}", "id_number": f"0010900002{i:02d}"} for i in range(30)]
    services.case_intake(**complaint_kwargs(world, start_process=start_process))  # warm caches (rules, calendar)
    with django_assert_max_num_queries(budget):
        services.case_intake(**complaint_kwargs(world, petitioners=many, respondent_number="8/QĐ",
                                                start_process=start_process))


# --- acceptance -----------------------------------------------------------------------

def test_head_accepts_and_resolution_clock_starts_the_day_after(world):
    case = intake(world)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.accepted_on == dt.date(2026, 7, 8)
    expected = compute_deadlines(
        DeadlineInput(kind="complaint", received=dt.date(2026, 7, 6), accepted=dt.date(2026, 7, 8))
    )
    assert case.resolution_due == expected.resolution_due
    assert case.resolution_due > dt.date(2026, 8, 6)  # 30 calendar days, not fewer
    assert actions(case)[-1] == ("accept", "received", "accepted")


def test_reception_may_not_accept(world):
    case = intake(world)
    with pytest.raises(Forbidden):
        services.case_accept(case=case, actor=world.reception, now=aware(dt.date(2026, 7, 8)))
    with pytest.raises(Forbidden):
        services.case_accept(case=case, actor=world.outsider, now=aware(dt.date(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED
    assert actions(case) == [("intake", "", "received")]


def test_anonymous_complaint_cannot_be_accepted(world):
    case = intake(world, is_anonymous=True, is_signed=False, petitioners=[])
    with pytest.raises(Conflict, match="anonymous"):
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED


def test_anonymous_denunciation_has_no_timers_and_is_archived_as_information(world):
    case = services.case_intake(**denunciation_kwargs(world, is_anonymous=True, petitioners=[])).case
    assert case.acceptance_due is None and case.resolution_due is None
    with pytest.raises(Conflict, match="information"):
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    services.case_archive(case=case, actor=world.reception, reason="Xử lý như thông tin (LTC Art 25)",
                          now=aware(dt.date(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).status == Status.ARCHIVED


def test_multi_person_complaint_needs_every_signature(world):
    people = [{"full_name": "A", "id_number": "001090000011"},
              {"full_name": "B", "id_number": "001090000012", "has_signed": False}]
    case = intake(world, petitioners=people)
    with pytest.raises(Conflict, match="sign"):
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))


def test_refuse_needs_a_ground_and_other_needs_a_reason(world):
    case = intake(world)
    with pytest.raises(InvalidInput):
        services.case_refuse(case=case, actor=world.head, reason="Không rõ", now=aware(dt.date(2026, 7, 8)))
    with pytest.raises(InvalidInput):
        services.case_refuse(case=case, actor=world.head, ground="other", reason=" ", now=aware(dt.date(2026, 7, 8)))
    services.case_refuse(case=case, actor=world.head, ground="other", reason="Đơn không rõ nội dung",
                         now=aware(dt.date(2026, 7, 8)))
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCEPTED and case.status_reason == "Đơn không rõ nội dung"
    assert case.refusal_ground == "other"


def test_guidance_is_given_only_once_on_the_same_content(world):
    first = intake(world)
    services.case_guide(case=first, actor=world.reception, instructions="Gửi UBND tỉnh", now=aware(dt.date(2026, 7, 7)))
    repeat = intake(world, received=dt.date(2026, 7, 9), now=aware(dt.date(2026, 7, 9), 15))
    assert repeat.duplicate_of == first
    with pytest.raises(Conflict, match="once"):
        services.case_guide(case=repeat, actor=world.reception, instructions="Gửi UBND tỉnh",
                            now=aware(dt.date(2026, 7, 9)))
    services.case_archive(case=repeat, actor=world.reception, reason="Đã hướng dẫn một lần",
                          now=aware(dt.date(2026, 7, 9)))


# --- resolution path ----------------------------------------------------------------------

def test_acts_out_of_order_are_refused_as_conflicts(world):
    case = intake(world)
    for act, kwargs in [
        (services.case_decide, {"decision_number": "1", "summary": "x"}),
        (services.case_close, {}),
        (services.case_start_dialogue, {}),
        (services.case_resume, {"ground": "result_received"}),
        (services.case_extend, {"grounds": "x"}),
    ]:
        with pytest.raises(Conflict):
            act(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)), **kwargs)
    assert actions(case) == [("intake", "", "received")]


def test_verification_needs_an_assigned_handler_and_only_that_handler_acts(world):
    case = intake(world)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    with pytest.raises(Conflict, match="handler"):
        services.case_start_verification(case=case, actor=world.head, now=aware(dt.date(2026, 7, 9)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 9)))
    other_handler = member(world.commune, Role.HANDLER)
    with pytest.raises(Forbidden):
        services.case_start_verification(case=case, actor=other_handler, now=aware(dt.date(2026, 7, 9)))
    services.case_start_verification(case=case, actor=world.handler, now=aware(dt.date(2026, 7, 9)))
    assert Case.objects.get(pk=case.pk).status == Status.IN_VERIFICATION


def test_assign_refuses_a_user_outside_the_competent_unit(world):
    case = intake(world)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    with pytest.raises(InvalidInput, match="not a handler"):
        services.case_assign(case=case, actor=world.head, handler=world.outsider, now=aware(dt.date(2026, 7, 9)))


def _to_verification(world, case, day=dt.date(2026, 7, 9)):
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(day))
    return services.case_start_verification(case=case, actor=world.handler, now=aware(day))


def test_full_complaint_path_with_appeal_opens_a_linked_second_round(world):
    case = intake(world)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    _to_verification(world, case)
    services.case_decide(case=case, actor=world.head, decision_number="15/QĐ", summary="Giữ nguyên",
                         now=aware(dt.date(2026, 7, 30)))
    second = services.case_appeal(case=case, actor=world.province_reception, received_at=aware(dt.date(2026, 8, 5)),
                                  competent_unit=world.province, now=aware(dt.date(2026, 8, 5), 15))
    case.refresh_from_db()
    assert case.status == Status.APPEALED
    assert second.round == 2 and second.previous_round == case
    assert second.status == Status.RECEIVED and second.acceptance_due > dt.date(2026, 8, 5)
    assert second.petitioners.count() == 1
    assert [a for a, _, _ in actions(case)] == ["intake", "accept", "assign", "start_verification", "decide", "appeal"]


def test_second_round_complaint_cannot_be_decided_without_dialogue(world):
    first = intake(world)
    services.case_accept(case=first, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    _to_verification(world, first)
    services.case_decide(case=first, actor=world.head, decision_number="1", summary="x", now=aware(dt.date(2026, 7, 20)))
    province_handler = member(world.province, Role.HANDLER)
    second = services.case_appeal(case=first, actor=world.province_reception, received_at=aware(dt.date(2026, 7, 21)),
                                  competent_unit=world.province, now=aware(dt.date(2026, 7, 21), 15))
    services.case_accept(case=second, actor=world.province_head, now=aware(dt.date(2026, 7, 22)))
    services.case_assign(case=second, actor=world.province_head, handler=province_handler, now=aware(dt.date(2026, 7, 22)))
    services.case_start_verification(case=second, actor=province_handler, now=aware(dt.date(2026, 7, 22)))
    with pytest.raises(Conflict, match="dialogue"):
        services.case_decide(case=second, actor=world.province_head, decision_number="2", summary="x",
                             now=aware(dt.date(2026, 8, 1)))
    services.case_schedule_dialogue(case=second, actor=province_handler, scheduled_at=aware(dt.date(2026, 8, 6), 14),
                                    place="Trụ sở UBND tỉnh", participants=["Nguyễn Văn A"],
                                    now=aware(dt.date(2026, 8, 1)))
    with pytest.raises(Conflict, match="scheduled for 06/08/2026"):
        services.case_decide(case=second, actor=world.province_head, decision_number="2", summary="x",
                             now=aware(dt.date(2026, 8, 2)))
    services.case_record_dialogue(case=second, actor=province_handler, minutes="Biên bản", attendance=["Nguyễn Văn A"],
                                  now=aware(dt.date(2026, 8, 6), 16))
    services.case_decide(case=second, actor=world.province_head, decision_number="2", summary="x",
                         now=aware(dt.date(2026, 8, 7)))
    assert Case.objects.get(pk=second.pk).status == Status.DECIDED


def test_denunciations_cannot_be_appealed(world):
    case = accepted_denunciation(world)
    _to_verification(world, case)
    services.case_decide(case=case, actor=world.head, decision_number="1", summary="x", now=aware(dt.date(2026, 7, 20)))
    with pytest.raises(Conflict):
        services.case_appeal(case=case, actor=world.province_reception, received_at=aware(dt.date(2026, 7, 21)),
                             competent_unit=world.province, now=aware(dt.date(2026, 7, 21), 15))
    assert not Case.objects.filter(round=2).exists()


# --- extension, suspension, withdrawal -------------------------------------------------------

def test_complex_denunciation_gets_one_extension_especially_complex_two(world):
    complex_case = accepted_denunciation(world, complexity="complex", complexity_grounds="Nhiều nơi")
    before = complex_case.resolution_due
    services.case_extend(case=complex_case, actor=world.head, grounds="Cần xác minh thêm", now=aware(dt.date(2026, 7, 20)))
    complex_case.refresh_from_db()
    assert complex_case.extensions == 1
    assert complex_case.resolution_due > before
    with pytest.raises(Conflict, match="extension"):
        services.case_extend(case=complex_case, actor=world.head, grounds="Nữa", now=aware(dt.date(2026, 7, 21)))

    hard = accepted_denunciation(world, complexity="especially_complex", complexity_grounds="2 tiêu chí",
                                 accused="Người khác")
    for day in (20, 21):
        services.case_extend(case=hard, actor=world.head, grounds="Gia hạn", now=aware(dt.date(2026, 7, day)))
    with pytest.raises(Conflict):
        services.case_extend(case=hard, actor=world.head, grounds="Gia hạn", now=aware(dt.date(2026, 7, 22)))
    simple = accepted_denunciation(world, accused="Người thứ ba")
    with pytest.raises(Conflict):
        services.case_extend(case=simple, actor=world.head, grounds="x", now=aware(dt.date(2026, 7, 20)))
    assert [a for a, _, _ in actions(hard)].count("extend") == 2


def test_complaints_have_no_extension(world):
    case = intake(world, complexity="complex", complexity_grounds="x")
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    with pytest.raises(Conflict):
        services.case_extend(case=case, actor=world.head, grounds="x", now=aware(dt.date(2026, 7, 9)))


def test_suspension_pauses_and_resumption_moves_the_deadline(world):
    case = accepted_denunciation(world)
    _to_verification(world, case)
    original_due = Case.objects.get(pk=case.pk).resolution_due
    services.case_suspend(case=case, actor=world.head, ground="await_expert", now=aware(dt.date(2026, 7, 13)))
    case.refresh_from_db()
    assert case.status == Status.SUSPENDED and case.resolution_due is None
    services.case_resume(case=case, actor=world.head, ground="result_received", now=aware(dt.date(2026, 7, 23)))
    case.refresh_from_db()
    assert case.status == Status.IN_VERIFICATION  # back where it was
    expected = compute_deadlines(
        DeadlineInput(kind="denunciation", received=dt.date(2026, 7, 6), accepted=dt.date(2026, 7, 8),
                      suspensions=((dt.date(2026, 7, 13), dt.date(2026, 7, 23)),))
    )
    assert case.resolution_due == expected.resolution_due
    assert case.resolution_due > original_due
    assert [a for a, _, _ in actions(case)][-2:] == ["suspend", "resume"]


def test_complaint_suspension_exists_only_from_1_july_2026(world):
    old = intake(world, received=dt.date(2026, 5, 4))
    services.case_accept(case=old, actor=world.head, now=aware(dt.date(2026, 5, 6)))
    with pytest.raises(Conflict, match="suspension"):
        services.case_suspend(case=old, actor=world.head, ground="force_majeure", now=aware(dt.date(2026, 5, 20)))
    services.case_suspend(case=old, actor=world.head, ground="other", grounds="Chờ kết quả",
                          now=aware(dt.date(2026, 7, 2)))
    assert Case.objects.get(pk=old.pk).status == Status.SUSPENDED


def test_partial_withdrawal_keeps_the_case_full_withdrawal_ends_it(world):
    people = [{"full_name": "A", "id_number": "001090000011"}, {"full_name": "B", "id_number": "001090000022"}]
    case = intake(world, petitioners=people)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    first, second = case.petitioners.order_by("pk")
    services.case_withdraw(case=case, actor=world.reception, reason="Đơn rút", petitioner_ids=[first.pk],
                           now=aware(dt.date(2026, 7, 9)))
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.petitioners.filter(withdrawn_on__isnull=False).count() == 1
    with pytest.raises(InvalidInput):
        services.case_withdraw(case=case, actor=world.reception, reason="again", petitioner_ids=[first.pk],
                               now=aware(dt.date(2026, 7, 9)))
    services.case_withdraw(case=case, actor=world.reception, reason="Rút hết", decision_number="9/QĐ-ĐC",
                           now=aware(dt.date(2026, 7, 10)))
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert [a for a, _, _ in actions(case)][-2:] == ["withdraw_partially", "withdraw"]


def test_denunciation_with_signs_of_violation_continues_after_full_withdrawal(world):
    case = accepted_denunciation(world)
    services.case_withdraw(case=case, actor=world.reception, reason="Rút", continue_resolution=True,
                           continue_ground="signs_of_violation", now=aware(dt.date(2026, 7, 9)))
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    complaint = intake(world, respondent_number="77/QĐ")
    with pytest.raises(InvalidInput):
        services.case_withdraw(case=complaint, actor=world.reception, reason="Rút", continue_resolution=True,
                               now=aware(dt.date(2026, 7, 9)))


# --- concurrency ------------------------------------------------------------------------------

def test_transition_on_a_stale_copy_is_a_conflict_and_writes_nothing(world):
    case = intake(world)
    stale = Case.objects.get(pk=case.pk)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    events_before = CaseEvent.objects.count()
    with pytest.raises(Conflict, match="changed by someone else"):
        services.case_refuse(case=stale, actor=world.head, ground="other", reason="x", now=aware(dt.date(2026, 7, 8)))
    assert CaseEvent.objects.count() == events_before
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.ACCEPTED and fresh.status_reason == ""


def test_self_transition_on_a_stale_copy_is_a_conflict(world):
    case = accepted_denunciation(world, complexity="especially_complex", complexity_grounds="x")
    stale = Case.objects.get(pk=case.pk)
    services.case_extend(case=case, actor=world.head, grounds="Lần 1", now=aware(dt.date(2026, 7, 20)))
    with pytest.raises(Conflict):
        services.case_extend(case=stale, actor=world.head, grounds="Lần 1 (trùng)", now=aware(dt.date(2026, 7, 20)))
    assert Case.objects.get(pk=case.pk).extensions == 1
    assert CaseEvent.objects.filter(case=case, action="extend").count() == 1


def test_status_cannot_be_written_directly(world):
    case = intake(world)
    with pytest.raises(AttributeError):
        case.status = Status.CLOSED


def test_events_are_append_only(world):
    event = intake(world).events.get()
    event.action = "tampered"
    with pytest.raises(ValueError):
        event.save()


@pytest.mark.parametrize(
    ("people", "representatives", "accepted"),
    [(5, 0, False), (5, 1, True), (10, 2, True), (10, 3, False), (11, 5, True), (12, 6, False), (4, 0, True)],
)
def test_group_complaint_needs_representatives_in_the_legal_number(world, people, representatives, accepted):
    """LTCD Art 29: 5–10 people appoint 1–2 representatives, more than 10 at most 5."""
    petitioners = [
        {"full_name": f"Người {i}", "id_number": f"0020900{i:05d}", "is_representative": i < representatives}
        for i in range(people)
    ]
    case = intake(world, petitioners=petitioners)
    if accepted:
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
        assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    else:
        with pytest.raises(Conflict, match="representatives"):
            services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
        assert actions(case) == [("intake", "", "received")]


def test_services_read_the_injected_clock(world, time_machine):
    """With no ``now`` the services use the clock; pinned on the eve of Tết 2026 the deadlines skip the break."""
    time_machine.move_to(aware(dt.date(2026, 2, 13), 10), tick=False)
    case = services.case_intake(**complaint_kwargs(
        world, received=dt.date(2026, 2, 13), now=None, received_at=aware(dt.date(2026, 2, 13), 8)
    )).case
    assert case.events.get().at == aware(dt.date(2026, 2, 13), 10)
    # 10 working days from Fri 13/2/2026 with Tết (16–20/2) off: 23–27/2 and 2–6/3 → Fri 6/3/2026
    assert case.acceptance_due == dt.date(2026, 3, 6)
    with pytest.raises(InvalidInput, match="future"):
        services.case_intake(**complaint_kwargs(world, now=None, received_at=aware(dt.date(2026, 2, 14), 8)))


def test_attachments_are_filed_with_a_trace_and_bad_files_refused(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    case = intake(world)
    scan = SimpleUploadedFile("don-khieu-nai.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    attachment = services.case_attach(case=case, actor=world.reception, file=scan, description="Bản gốc",
                                      is_original=True, now=aware(dt.date(2026, 7, 7)))
    assert attachment.file.read() == b"%PDF-1.4 scan"
    assert actions(case)[-1] == ("attach", "received", "received")
    assert case.events.get(action="attach").payload["name"] == "don-khieu-nai.pdf"
    for bad in (SimpleUploadedFile("virus.exe", b"MZ"), SimpleUploadedFile("empty.pdf", b"")):
        with pytest.raises(InvalidInput):
            services.case_attach(case=case, actor=world.reception, file=bad, now=aware(dt.date(2026, 7, 7)))
    with pytest.raises(Forbidden):
        services.case_attach(case=case, actor=world.outsider, file=SimpleUploadedFile("a.pdf", b"x"),
                             now=aware(dt.date(2026, 7, 7)))
    assert case.attachments.count() == 1 and case.events.filter(action="attach").count() == 1


def test_each_act_leaves_the_case_with_the_sla_state_of_its_new_status(world):
    """No waiting for the next sweep: acceptance clears an overdue acceptance deadline at once."""
    case = intake(world, received=dt.date(2026, 7, 6), now=aware(dt.date(2026, 7, 30)))
    case.refresh_from_db()
    assert (case.acceptance_sla, case.sla_state) == ("overdue", "overdue")  # logged late: 7 wd ran out on 15/7
    assert CaseEvent.objects.filter(case=case, action="sla_overdue").count() == 1
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 30)))
    fresh = Case.objects.get(pk=case.pk)
    # The acceptance clock stopped; the notice of acceptance (K2, due with the acceptance on 15/7) is still owed.
    assert (fresh.acceptance_sla, fresh.resolution_sla, fresh.notice_sla) == ("", "on_track", "overdue")
    assert fresh.notice_due == dt.date(2026, 7, 15) and fresh.sla_state == "overdue"
    services.case_send_notices(case=case, actor=world.head, now=aware(dt.date(2026, 7, 30)))
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.acceptance_sla, fresh.resolution_sla, fresh.notice_sla, fresh.sla_state) == (
        "", "on_track", "", "on_track")
    assert (case.sla_state, case.resolution_sla) == ("on_track", "on_track")  # the caller's copy too



@pytest.mark.parametrize("days_before", [0, 1, 3, 6, 9, 14, 30, 200, 400])
@pytest.mark.parametrize("kind", ["complaint", "denunciation"])
def test_intake_leaves_exactly_the_state_the_sweep_would_write(world, days_before, kind):
    """Intake sets a quiet state itself and asks the sweep for anything else: either way a sweep
    run straight after finds nothing to change and nothing to record."""
    from cases.sla import apply_sweep

    now = aware(dt.date(2026, 11, 20), 15)
    kwargs = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**kwargs(world, received=dt.date(2026, 11, 20) - dt.timedelta(days=days_before),
                                         now=now)).case
    events = CaseEvent.objects.count()
    result = apply_sweep(now=now)
    assert (result.cases, result.events) == (0, 0)
    assert CaseEvent.objects.count() == events
    stored = Case.objects.get(pk=case.pk)
    assert stored.sla_state == (stored.acceptance_sla or "")
    if days_before >= 30:
        assert stored.sla_state == "overdue"
        assert CaseEvent.objects.filter(case=case, action="sla_overdue").count() == 1
