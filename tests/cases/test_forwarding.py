"""A petition outside the receiving unit's competence is routed, not accepted (reference §4.3): a denunciation is
forwarded with its own T2 clock (5 working days, LTC Art 24(2)), shown on the case page and the tracking page and
swept like any other deadline; a complaint is guided."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from cases import selectors, services
from cases.errors import Conflict, InvalidInput
from cases.models import Case, CaseEvent, Competence, Status
from cases.sla import sweep_sla
from deadlines.engine import DeadlineInput, compute_deadlines
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 7, 6)  # a Monday
# By hand: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 → the 5th working day after Mon 6/7/2026; T1's 7th is Wed 15/7.
T2_DUE = dt.date(2026, 7, 13)
T1_DUE = dt.date(2026, 7, 15)


def outside_denunciation(world, **overrides):
    return services.case_intake(**denunciation_kwargs(world, competence=Competence.OUTSIDE, **overrides)).case


def basis(case_or_result, name):
    entries = getattr(case_or_result, "deadline_basis", None) or case_or_result.basis
    return next((entry for entry in entries if entry.get("deadline") == name), None)


# --- the engine ------------------------------------------------------------------------------

def test_the_engine_runs_t2_instead_of_t1_for_a_denunciation_outside_competence():
    inside = compute_deadlines(DeadlineInput(kind="denunciation", received=RECEIVED))
    outside = compute_deadlines(DeadlineInput(kind="denunciation", received=RECEIVED, outside_competence=True))
    assert inside.acceptance_due == T1_DUE and inside.resolution_due is not None
    assert outside.acceptance_due == T2_DUE
    assert (outside.resolution_due, outside.notice_due) == (None, None)  # nothing is resolved here
    [entry] = outside.basis
    assert (entry["deadline"], entry["rule"], entry["length"], entry["unit"], entry["due"]) == (
        "forward", "T2", 5, "working", "2026-07-13")
    assert "LTC Art 24(2)" in entry["source"]


def test_a_complaint_outside_competence_keeps_its_acceptance_clock_with_a_note():
    result = compute_deadlines(DeadlineInput(kind="complaint", received=RECEIVED, outside_competence=True))
    assert result.acceptance_due == compute_deadlines(DeadlineInput(kind="complaint", received=RECEIVED)).acceptance_due
    assert "guided" in basis(result, "forward")["note"]
    assert basis(result, "acceptance")["rule"] == "K2"


def test_the_forwarding_clock_does_not_apply_once_accepted_or_when_anonymous():
    accepted = compute_deadlines(DeadlineInput(kind="denunciation", received=RECEIVED, accepted=RECEIVED,
                                               outside_competence=True))
    assert accepted.resolution_due is not None and basis(accepted, "forward") is None
    anonymous = compute_deadlines(DeadlineInput(kind="denunciation", received=RECEIVED, anonymous=True,
                                                outside_competence=True))
    assert anonymous.acceptance_due is None


# --- the case ------------------------------------------------------------------------------------

def test_a_denunciation_received_outside_competence_runs_t2(world):
    case = outside_denunciation(world)
    assert case.outside_competence and case.acceptance_due == T2_DUE
    assert basis(case, "forward")["rule"] == "T2" and basis(case, "acceptance") is None
    flags = CaseEvent.objects.get(case=case, action="intake").payload["flags"]
    assert flags["outside_competence"] is True


def test_classifying_a_denunciation_outside_competence_switches_t1_for_t2_and_records_it(world):
    case = services.case_intake(**denunciation_kwargs(world)).case
    assert case.acceptance_due == T1_DUE
    services.case_classify(case=case, actor=world.reception, competence=Competence.OUTSIDE,
                           now=aware(RECEIVED, 16))
    case.refresh_from_db()
    assert case.acceptance_due == T2_DUE and basis(case, "forward")["rule"] == "T2"
    event = CaseEvent.objects.get(case=case, action="classify")
    assert event.payload["changes"]["acceptance_due"] == ["2026-07-15", "2026-07-13"]
    assert event.payload["changes"]["competence"] == ["", "outside"]
    assert event.payload["routing"] == {"outside_competence": [False, True], "route": "forward"}
    # and back: classified within competence, the acceptance clock (T1) runs again
    services.case_classify(case=case, actor=world.reception, competence=Competence.WITHIN, now=aware(RECEIVED, 17))
    case.refresh_from_db()
    assert case.acceptance_due == T1_DUE and not case.outside_competence


def test_an_unknown_competence_is_refused(world):
    case = services.case_intake(**denunciation_kwargs(world)).case
    with pytest.raises(InvalidInput) as error:
        services.case_classify(case=case, actor=world.reception, competence="elsewhere", now=aware(RECEIVED, 16))
    assert error.value.field == "competence"
    with pytest.raises(InvalidInput):
        services.case_intake(**denunciation_kwargs(world, competence="elsewhere"))


def test_a_petition_outside_competence_cannot_be_accepted(world):
    case = outside_denunciation(world)
    with pytest.raises(Conflict, match="forward it to the competent body within 5 working days") as error:
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    assert error.value.http_status == 409
    complaint = services.case_intake(**complaint_kwargs(world, competence=Competence.OUTSIDE)).case
    with pytest.raises(Conflict, match="guide the complainant"):
        services.case_accept(case=complaint, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED


def test_forwarding_records_the_body_the_notice_to_the_denouncer_and_the_deadline_met(world):
    case = outside_denunciation(world)
    services.case_forward(case=case, actor=world.reception, to_body="Thanh tra tỉnh", now=aware(dt.date(2026, 7, 10)))
    event = CaseEvent.objects.get(case=case, action="forward")
    assert event.payload | {"changes": None} == {
        "to_body": "Thanh tra tỉnh", "reason": "", "petitioner_notified_on": "2026-07-10", "due": "2026-07-13",
        "late": False, "over_level": False, "changes": None}
    assert event.legal_basis.startswith("LTC Art 24(2)")
    case.refresh_from_db()
    assert case.status == Status.FORWARDED and case.acceptance_sla == "" and case.sla_state == ""


def test_a_late_forwarding_is_recorded_as_late(world):
    case = outside_denunciation(world)
    services.case_forward(case=case, actor=world.reception, to_body="Thanh tra tỉnh", now=aware(dt.date(2026, 7, 14)))
    assert CaseEvent.objects.get(case=case, action="forward").payload["late"] is True


def test_the_denouncer_must_be_told_where_it_went(world):
    case = outside_denunciation(world)
    with pytest.raises(InvalidInput) as error:
        services.case_forward(case=case, actor=world.reception, to_body="Thanh tra tỉnh", petitioner_notified=False,
                              now=aware(dt.date(2026, 7, 8)))
    assert error.value.field == "petitioner_notified" and error.value.http_status == 400
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED


def test_the_sweep_raises_the_t2_alerts(world, settings):
    settings.SLA_DUE_SOON_DAYS = 3
    case = outside_denunciation(world)
    sweep_sla(now=aware(dt.date(2026, 7, 10), 8))
    case.refresh_from_db()
    assert case.acceptance_sla == "due_soon"
    sweep_sla(now=aware(dt.date(2026, 7, 14), 8))
    case.refresh_from_db()
    assert case.acceptance_sla == case.sla_state == "overdue"
    alerts = list(CaseEvent.objects.filter(case=case, action__startswith="sla_").values_list("action", "payload"))
    assert [(action, payload["due"]) for action, payload in alerts] == [("sla_due_soon", "2026-07-13"),
                                                                          ("sla_overdue", "2026-07-13")]


# --- what people see ------------------------------------------------------------------------------

def test_the_case_page_shows_the_forwarding_deadline_and_its_basis(world):
    case = outside_denunciation(world)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.head)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Forwarding to the competent body" in body and "13/07/2026" in body and "T2 Art 24(2)–(3), Law on Denunciations" in body
    assert "outside competence: guide or forward" in body
    services.case_forward(case=case, actor=world.reception, to_body="Thanh tra tỉnh", now=aware(dt.date(2026, 7, 9)))
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Forward (to Thanh tra tỉnh)" in body


def test_the_tracking_page_shows_the_forwarding_deadline_then_where_it_went(world):
    result = services.case_intake(**denunciation_kwargs(world, competence=Competence.OUTSIDE))
    client = Client(REMOTE_ADDR="198.51.100.77")
    client.cookies["django_language"] = "en"
    try:
        html = client.post("/track/", {"code": result.case.tracking_code, "pin": result.pin}).content.decode()
        assert 'data-field="forward_due">13/07/2026<' in html and "Forwarding to the competent body due by" in html
        assert 'data-field="acceptance_due"' not in html
        services.case_forward(case=result.case, actor=world.reception, to_body="Thanh tra tỉnh",
                              now=aware(dt.date(2026, 7, 9)))
        html = client.post("/track/", {"code": result.case.tracking_code, "pin": result.pin}).content.decode()
        assert 'data-field="forwarded_to">Thanh tra tỉnh<' in html
        assert 'data-field="status">Forwarded to the competent body<' in html
    finally:
        cache.delete_many(selectors.tracking_keys(result.case.tracking_code, "198.51.100.77"))
