"""Acceptance and eligibility (reference §4.2–4.3): the K1 limitation, the grounds for not accepting,
a competent unit that must be set, and the notice of acceptance or refusal of a complaint (K2)."""
import datetime as dt

import pytest

from cases import rules, services
from cases.errors import Conflict, InvalidInput
from cases.models import Case, CaseEvent, Status
from cases.sla import sweep_sla
from organisation.models import Role
from tests.factories import aware, member

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED = D(2026, 7, 6)  # a Monday


def intake(world, **kw):
    return services.case_intake(**complaint_kwargs(world, **kw)).case


# --- K1: 90 days from knowing the decision, force majeure not counted -------------------------------

def test_a_complaint_past_the_limitation_period_is_not_accepted_and_says_why(world):
    case = intake(world, respondent_date=D(2026, 3, 1))
    assert case.knew_on == D(2026, 3, 1)  # by default, the decision's date
    with pytest.raises(Conflict) as refused:
        services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    # 1/3 + 90 days = Sat 30/5 -> Mon 1/6 (BLDS Art 148(5)); received 6/7
    assert "K1, Art 9, Law on Complaints" in refused.value.message and "01/06/2026" in refused.value.message
    assert "06/07/2026" in refused.value.message
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED
    services.case_refuse(case=case, actor=world.head, ground="limitation_expired", now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert (case.status, case.refusal_ground) == (Status.NOT_ACCEPTED, "limitation_expired")
    event = CaseEvent.objects.get(case=case, action="refuse")
    assert event.legal_basis == "LKN Arts 9, 11"
    assert event.payload["limitation"] == {"from": "2026-03-01", "not_counted": 0, "due": "2026-06-01",
                                           "rule": "K1", "source": "LKN Art 9"}


def test_the_limitation_runs_from_the_day_the_complainant_learned_of_the_decision(world):
    case = intake(world, respondent_date=D(2026, 3, 1), knew_on=D(2026, 4, 10))  # + 90 = Thu 9/7
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


@pytest.mark.parametrize(("days", "accepted"), [(40, True), (30, False)])
def test_proven_force_majeure_is_not_counted(world, days, accepted):
    case = intake(world, respondent_date=D(2026, 3, 1), force_majeure_days=days, force_majeure_ground="illness",
                  force_majeure_note="Nằm viện")
    assert (case.force_majeure_days, case.force_majeure_ground) == (days, "illness")
    window = rules.limitation_window(case)
    assert window.due == (D(2026, 7, 9) if days == 40 else D(2026, 6, 29))  # 1/3 + 130 = Thu 9/7; + 120 = Mon 29/6
    if accepted:
        services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    else:
        with pytest.raises(Conflict, match="29/06/2026"):
            services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
        with pytest.raises(InvalidInput, match="ground"):  # a ground that fits the facts is still required
            services.case_refuse(case=case, actor=world.head, now=aware(D(2026, 7, 8)))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"force_majeure_days": 10}, "force_majeure_ground"),
    ({"force_majeure_ground": "war"}, "force_majeure_days"),
    ({"force_majeure_days": 10, "force_majeure_ground": "other"}, "force_majeure_note"),
    ({"force_majeure_days": 10, "force_majeure_ground": "bad luck"}, "force_majeure_ground"),
    ({"force_majeure_days": -1, "force_majeure_ground": "war"}, "force_majeure_days"),
    ({"respondent_date": D(2026, 3, 1), "knew_on": D(2026, 2, 1)}, "knew_on"),  # before the decision
    ({"knew_on": D(2026, 7, 7)}, "knew_on"),  # after the receipt
])
def test_limitation_facts_are_checked_at_intake(world, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        intake(world, **overrides)
    assert refused.value.field == field
    assert not Case.objects.exists()


def test_limitation_facts_belong_to_a_first_complaint_only(world):
    with pytest.raises(InvalidInput) as refused:
        services.case_intake(**denunciation_kwargs(world, knew_on=D(2026, 7, 1)))
    assert refused.value.field == "knew_on"


def test_classification_records_the_limitation_facts(world):
    case = intake(world)
    assert case.knew_on is None and rules.limitation_window(case) is None
    services.case_classify(case=case, actor=world.reception, respondent_date=D(2026, 3, 1), now=aware(D(2026, 7, 7)))
    case.refresh_from_db()
    assert case.knew_on == D(2026, 3, 1)
    with pytest.raises(InvalidInput) as refused:
        services.case_classify(case=case, actor=world.reception, force_majeure_days=40, now=aware(D(2026, 7, 7)))
    assert refused.value.field == "force_majeure_ground"
    services.case_classify(case=case, actor=world.reception, force_majeure_days=40, force_majeure_ground="far_away",
                           force_majeure_note="Đi làm ăn xa", now=aware(D(2026, 7, 7)))
    case.refresh_from_db()
    changes = CaseEvent.objects.filter(case=case, action="classify").last().payload["changes"]
    assert changes["force_majeure_days"] == [0, 40] and changes["force_majeure_ground"] == ["", "far_away"]
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))


# --- grounds for not accepting ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "ground", "basis"), [
    ("complaint", "in_court", "LKN Art 11; TT 07/2014 Art 7(2)"),
    ("complaint", "finally_resolved", "LKN Art 11; TT 07/2014 Arts 6(2)(b), 28"),
    ("complaint", "sent_to_several", "TT 07/2014 Art 6"),
    ("denunciation", "sent_to_several", "LTC Art 24(3)"),
    ("denunciation", "resent_after_guidance", "LTC Art 24(3)"),
    ("denunciation", "follows_resolved_complaint", "LTC Art 29(1)"),
    ("denunciation", "finally_resolved", "TT 07/2014 Arts 6(2)(b), 28"),
    ("complaint", "follows_resolved_complaint", None),
    ("complaint", "resent_after_guidance", None),
    ("denunciation", "limitation_expired", None),
    ("denunciation", "in_court", None),
    ("complaint", "gossip", None),
])
def test_a_refusal_records_its_ground_and_legal_basis(world, kind, ground, basis):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**make(world)).case
    if basis is None:
        with pytest.raises(InvalidInput) as refused:
            services.case_refuse(case=case, actor=world.head, ground=ground, now=aware(D(2026, 7, 8)))
        assert refused.value.field == "ground"
        assert Case.objects.get(pk=case.pk).status == Status.RECEIVED
        return
    services.case_refuse(case=case, actor=world.head, ground=ground, reason="Theo hồ sơ.", now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert (case.status, case.refusal_ground, case.status_reason) == (Status.NOT_ACCEPTED, ground, "Theo hồ sơ.")
    event = CaseEvent.objects.get(case=case, action="refuse")
    assert event.legal_basis == basis and event.payload["ground"] == ground
    assert event.payload["changes"]["refusal_ground"] == ["", ground]


def test_the_ground_choices_fit_the_kind():
    complaint = dict(rules.refusal_grounds("complaint"))
    denunciation = dict(rules.refusal_grounds("denunciation"))
    assert {"in_court", "finally_resolved", "sent_to_several", "limitation_expired", "anonymous", "other"} == set(
        complaint)
    assert {"sent_to_several", "resent_after_guidance", "follows_resolved_complaint", "finally_resolved",
            "anonymous", "other"} == set(denunciation)
    assert set(dict(rules.refusal_grounds("feedback"))) == {"finally_resolved", "sent_to_several", "other"}


def test_without_a_text_the_grounds_label_is_the_reason(world):
    case = intake(world)
    services.case_refuse(case=case, actor=world.head, ground="in_court", now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert case.status_reason == "Already accepted or resolved by a court"


# --- the competent unit is set by a person, never by default --------------------------------------------------

def test_intake_leaves_the_competent_unit_empty_and_acceptance_refuses_without_it(world):
    case = intake(world, competent_unit=None)
    assert case.competent_unit is None
    with pytest.raises(Conflict, match="no competent unit is set"):
        services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_classify(case=case, actor=world.reception, competent_unit=world.commune, now=aware(D(2026, 7, 7)))
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_without_a_competent_unit_the_receiving_units_remoteness_holds_until_classification(world):
    remote_reception = member(world.remote_commune, Role.RECEPTION)
    case = intake(world, actor=remote_reception, receiving_unit=world.remote_commune, competent_unit=None)
    assert case.competent_unit is None and case.is_remote
    services.case_classify(case=case, actor=world.province_reception, competent_unit=world.commune,
                           now=aware(D(2026, 7, 7)))
    case.refresh_from_db()
    assert case.competent_unit == world.commune and not case.is_remote


# --- K2: the notice of acceptance or refusal of a complaint --------------------------------------------------------

def test_a_complaints_notice_is_due_within_the_acceptance_window_counted_from_receipt(world):
    case = intake(world)
    assert case.notice_due is None  # nothing owed yet: the acceptance clock runs
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert case.notice_due == D(2026, 7, 15)  # Mon 6/7 + 7 working days (from 1/7/2026)
    entry = next(e for e in case.deadline_basis if e["deadline"] == "notice")
    assert (entry["rule"], entry["from"], entry["unit"], entry["length"]) == ("K2", "2026-07-06", "working", 7)
    before = intake(world, received=D(2026, 6, 1), respondent_number="2/QĐ")
    services.case_accept(case=before, actor=world.head, now=aware(D(2026, 6, 3)))
    before.refresh_from_db()
    assert before.notice_due == D(2026, 6, 15)  # 10 working days before the reform


def test_the_notice_of_refusal_is_tracked_until_it_is_recorded(world, django_capture_on_commit_callbacks):
    case = intake(world, channel="forwarded")
    services.case_refuse(case=case, actor=world.head, ground="in_court", now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert (case.notice_due, case.notice_sla) == (D(2026, 7, 15), "on_track")
    sweep_sla(now=aware(D(2026, 7, 16)))
    case.refresh_from_db()
    assert (case.notice_sla, case.sla_state) == ("overdue", "overdue")
    alert = CaseEvent.objects.get(case=case, action="sla_overdue")
    assert alert.payload["deadline"] == "notice" and alert.legal_basis.startswith("LKN Arts 27, 36")
    services.case_send_notices(case=case, actor=world.head, now=aware(D(2026, 7, 16)))
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCEPTED and case.notice_sent_on == D(2026, 7, 16)
    assert (case.notice_sla, case.sla_state) == ("", "")
    event = CaseEvent.objects.get(case=case, action="send_notices")
    assert event.payload["recipients"] == ["complainant", "inspectorate", "forwarding_body"]
    assert (event.from_status, event.to_status) == ("not_accepted", "not_accepted")
    with pytest.raises(Conflict, match="already sent"):
        services.case_send_notices(case=case, actor=world.head, now=aware(D(2026, 7, 17)))


def test_a_refused_denunciation_owes_no_t3_notice(world):
    case = services.case_intake(**denunciation_kwargs(world)).case
    services.case_refuse(case=case, actor=world.head, ground="sent_to_several", now=aware(D(2026, 7, 8)))
    case.refresh_from_db()
    assert case.notice_due is None and case.notice_sla == ""


def test_only_the_head_or_handler_records_the_notices(world):
    case = intake(world)
    services.case_refuse(case=case, actor=world.head, ground="in_court", now=aware(D(2026, 7, 8)))
    from cases.errors import Forbidden

    with pytest.raises(Forbidden):
        services.case_send_notices(case=case, actor=world.reception, now=aware(D(2026, 7, 9)))
