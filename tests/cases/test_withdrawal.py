"""Withdrawal: a complaint ends with a termination decision and its notice, then the K8 lapse; a denunciation
continued after a full withdrawal names its ground (LKN Art 10; NĐ 155 Arts 5, 12; LTC Art 33; NĐ 156 Art 1)."""
import datetime as dt

import pytest

from cases import services
from cases.errors import InvalidInput
from cases.models import Case, CaseEvent, CaseNotice, Status
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
FRIDAY = D(2026, 7, 10)
RECEIVED, ACCEPTED = D(2026, 7, 6), D(2026, 7, 8)


def accepted(world, kind="complaint", received=RECEIVED, on=ACCEPTED, **kw):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**make(world, received=received, **kw)).case
    return services.case_accept(case=case, actor=world.head, now=aware(on))


def withdraw(world, case, on=FRIDAY, **kw):
    return services.case_withdraw(case=case, actor=world.reception, reason="Đơn xin rút toàn bộ.", now=aware(on), **kw)


def test_a_full_withdrawal_terminates_an_accepted_complaint_and_its_notice_starts_the_k8_lapse(world):
    case = accepted(world)
    with pytest.raises(InvalidInput) as refused:
        withdraw(world, case)
    assert refused.value.field == "decision_number"
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED

    withdraw(world, case, decision_number="9/QĐ-ĐC")
    case.refresh_from_db()
    assert (case.status, case.termination_number, case.terminated_on, case.lapse_on) == (
        Status.WITHDRAWN, "9/QĐ-ĐC", FRIDAY, None)
    notice = CaseNotice.objects.get(case=case)
    assert (notice.purpose, notice.due, notice.rule, notice.decision_number) == (
        "termination", D(2026, 7, 15), "K11", "9/QĐ-ĐC")  # 3 working days
    assert CaseEvent.objects.get(case=case, action="withdraw").payload["termination_number"] == "9/QĐ-ĐC"

    services.case_send_decision_notice(case=case, actor=world.head, notice=notice, now=aware(D(2026, 7, 14)))
    case.refresh_from_db()
    assert case.lapse_on == D(2026, 8, 13)  # K8: 30 days from the notice
    notice.refresh_from_db()
    assert notice.basis["lapse"]["rule"] == "K8" and notice.basis["lapse"]["due"] == "2026-08-13"
    event = CaseEvent.objects.get(case=case, action="send_decision_notice")
    assert event.payload["lapse_on"] == "2026-08-13" and event.payload["changes"]["lapse_on"] == [None, "2026-08-13"]


def test_before_1_july_2026_the_termination_notice_has_no_statutory_clock_but_the_lapse_runs(world):
    case = accepted(world, received=D(2026, 5, 4), on=D(2026, 5, 6))
    withdraw(world, case, on=D(2026, 5, 20), decision_number="2/QĐ-ĐC")
    notice = CaseNotice.objects.get(case=case)
    assert (notice.due, notice.sla, notice.rule) == (None, "", "") and "TT 07/2013" in notice.basis["note"]
    services.case_send_decision_notice(case=case, actor=world.head, notice=notice, now=aware(D(2026, 5, 21)))
    assert Case.objects.get(pk=case.pk).lapse_on == D(2026, 6, 22)  # 20/6 is a Saturday: rolled to Monday


def test_a_withdrawal_before_acceptance_or_by_some_petitioners_terminates_nothing(world):
    received = services.case_intake(**complaint_kwargs(world)).case
    withdraw(world, received)
    assert Case.objects.get(pk=received.pk).status == Status.WITHDRAWN
    people = [{"full_name": "A", "id_number": "001090000011"}, {"full_name": "B", "id_number": "001090000022"}]
    group = accepted(world, petitioners=people, respondent_number="4/QĐ")
    withdraw(world, group, petitioner_ids=[group.petitioners.order_by("pk").first().pk])
    group.refresh_from_db()
    assert group.status == Status.ACCEPTED and not group.terminated_on
    assert not CaseNotice.objects.exists()


def test_a_denunciation_continued_after_a_full_withdrawal_names_its_ground(world):
    case = accepted(world, "denunciation")
    for kwargs, field in (({"continue_resolution": True}, "continue_ground"),
                          ({"continue_resolution": True, "continue_ground": "because"}, "continue_ground"),
                          ({"continue_ground": "coerced", "decision_number": "1"}, "continue_ground")):
        with pytest.raises(InvalidInput) as refused:
            withdraw(world, case, **kwargs)
        assert refused.value.field == field
    withdraw(world, case, continue_resolution=True, continue_ground="coerced")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and not case.terminated_on and not CaseNotice.objects.exists()
    payload = CaseEvent.objects.get(case=case, action="withdraw_partially").payload
    assert (payload["full"], payload["continues"], payload["continue_ground"]) == (True, True, "coerced")


def test_a_denunciation_withdrawn_in_full_is_terminated_with_a_t5_notice_and_no_lapse(world):
    case = accepted(world, "denunciation")
    withdraw(world, case, decision_number="7/QĐ-ĐC")
    notice = CaseNotice.objects.get(case=case)
    assert (notice.purpose, notice.due, notice.rule) == ("termination", D(2026, 7, 17), "T5")
    services.case_send_decision_notice(case=case, actor=world.head, notice=notice, now=aware(D(2026, 7, 13)))
    assert Case.objects.get(pk=case.pk).lapse_on is None  # K8 is a complaint's
