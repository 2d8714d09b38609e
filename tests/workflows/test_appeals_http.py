"""Over HTTP, as the officers do it: a second complaint from the case page (within K5, or when the first level is
overdue), a refusal on a ground of the law, the notice of refusal, and classification setting the competent unit."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from viewflow.workflow.status import PROCESS

from cases import services
from cases.models import Case, CaseEvent, Status
from tests.factories import aware
from workflows.flows import CaseFlow

from .conftest import RECEIVED, complaint_kwargs, denunciation_kwargs, open_nodes

pytestmark = pytest.mark.django_db

D = dt.date


def on(month, day, hour=9):
    return aware(D(2026, month, day), hour)


def intake(kwargs):
    case = services.case_intake(**{**kwargs, "start_process": True}).case
    return Case.objects.get(pk=case.pk)


def decided_and_closed(world):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    services.case_accept(case=case, actor=world.head, now=on(7, 8))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=on(7, 8))
    services.case_start_verification(case=case, actor=world.handler, now=on(7, 9))
    services.case_decide(case=case, actor=world.head, decision_number="45/QĐ", summary="Giữ nguyên.", now=on(7, 30))
    services.case_close(case=case, actor=world.head, now=on(7, 31))
    return Case.objects.get(pk=case.pk)


def verifying(world):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    services.case_accept(case=case, actor=world.head, now=on(7, 8))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=on(7, 8))
    services.case_start_verification(case=case, actor=world.handler, now=on(7, 9))
    return Case.objects.get(pk=case.pk)


def page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_closed_complaint_is_appealed_from_its_case_page_within_k5(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    case = decided_and_closed(world)
    url = reverse("workflow:case_appeal", args=[case.pk])
    with time_machine.travel(on(8, 3, 10), tick=False):
        body = page(client, world.province_reception, case)
        assert url in body
        assert "03/09/2026" in body and "K5" in body and "K6" in body  # the decision's dates, with their rules
        assert url not in page(client, world.reception, case)  # the first level does not record it
        client.force_login(world.province_reception)
        form = client.get(url)
        assert form.status_code == 200
        assert "Tỉnh A" in form.content.decode() and "03/09/2026" in form.content.decode()
        response = client.post(url, {"received_at": "2026-08-03T08:30", "content": "Khiếu nại lần hai."})
    case.refresh_from_db()
    assert case.status == Status.APPEALED
    second = Case.objects.get(previous_round=case)
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[second.pk])
    assert (second.round, second.competent_unit, second.content) == (2, world.province, "Khiếu nại lần hai.")
    assert open_nodes(second.process) == {"classify"}
    case.process.refresh_from_db()
    assert case.process.status == PROCESS.DONE and not open_nodes(case.process)


def test_the_first_level_may_not_record_a_second_complaint(world, client):
    case = decided_and_closed(world)
    with time_machine.travel(on(8, 3, 10), tick=False):
        client.force_login(world.reception)
        response = client.post(reverse("workflow:case_appeal", args=[case.pk]), {"received_at": "2026-08-03T08:30"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_an_appeal_after_k5_is_refused_with_the_last_day(world, client, settings):
    case = decided_and_closed(world)
    url = reverse("workflow:case_appeal", args=[case.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(on(9, 10, 10), tick=False):
        assert url not in page(client, world.province_reception, case)  # no button once K5 has lapsed
        response = client.post(url, {"received_at": "2026-09-04T08:00"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "K5" in body and "03/09/2026" in body
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED and not Case.objects.filter(round=2).exists()


def test_a_second_complaint_when_the_first_level_is_overdue_over_http(world, client, settings):
    case = verifying(world)
    url = reverse("workflow:case_appeal_overdue", args=[case.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(on(8, 5, 10), tick=False):
        assert url not in page(client, world.province_reception, case)  # K3 ends on 7/8: not overdue yet
        response = client.post(url, {"received_at": "2026-08-05T08:00"})
        assert response.status_code == 409 and "07/08/2026" in response.content.decode()
    with time_machine.travel(on(8, 10, 10), tick=False):
        assert url in page(client, world.province_reception, case)
        response = client.post(url, {"received_at": "2026-08-10T08:00"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_VERIFICATION and case.is_escalated
    assert open_nodes(case.process) == {"verify"}  # still the lower level's work
    second = Case.objects.get(previous_round=case)
    assert response["Location"] == reverse("case_detail", args=[second.pk])
    with time_machine.travel(on(8, 10, 11), tick=False):
        assert "taken to the second level while overdue" in page(client, world.head, case)


def test_the_refusal_task_offers_the_grounds_of_the_kind_and_needs_one(world, driver):
    case = intake(denunciation_kwargs(world, received=RECEIVED))
    driver.complete(case.process, CaseFlow.classify, world.reception,
                    {"kind": case.kind, "competent_unit": case.competent_unit_id, "complexity": case.complexity})
    response = driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "refuse"},
                               expect=200)  # the form again, with the error
    body = response.content.decode()
    assert "This field is required for the chosen decision." in body
    assert 'value="follows_resolved_complaint"' in body and 'value="limitation_expired"' not in body
    driver.complete(case.process, CaseFlow.decide_acceptance, world.head,
                    {"decision": "refuse", "ground": "follows_resolved_complaint"})
    case.refresh_from_db()
    assert (case.status, case.refusal_ground) == (Status.NOT_ACCEPTED, "follows_resolved_complaint")
    assert CaseEvent.objects.get(case=case, action="refuse").legal_basis == "LTC Art 29(1)"


def test_refusal_and_its_notice_from_the_case_page(world, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    case = intake(complaint_kwargs(world, received=RECEIVED, channel="forwarded"))
    refuse = reverse("workflow:case_refuse", args=[case.pk])
    notices = reverse("workflow:case_send_notices", args=[case.pk])
    with time_machine.travel(on(7, 8, 10), tick=False):
        assert refuse in page(client, world.head, case)
        form = client.get(refuse).content.decode()
        assert 'value="limitation_expired"' in form and 'value="follows_resolved_complaint"' not in form
        assert client.post(refuse, {"ground": "other"}).status_code == 400  # "other" needs the words
        assert client.post(refuse, {"ground": "in_court", "reason": "Tòa án đã thụ lý."}).status_code == 302
        case.refresh_from_db()
        assert case.status == Status.NOT_ACCEPTED and not open_nodes(case.process)
        body = page(client, world.head, case)
        assert notices in body and "15/07/2026" in body  # the notice of refusal, due under K2
        assert "Already accepted or resolved by a court — Tòa án đã thụ lý." in body
        assert client.post(notices).status_code == 302
        assert notices not in page(client, world.head, case)
        assert client.post(notices).status_code == 409
    case.refresh_from_db()
    assert case.notice_sent_on == D(2026, 7, 8)
    event = CaseEvent.objects.get(case=case, action="send_notices")
    assert "forwarding_body" in event.payload["recipients"] and event.actor == world.head


def test_classification_sets_the_competent_unit_intake_left_empty(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED, competent_unit=None))
    assert case.competent_unit is None
    # the form suggests the receiving unit; leaving it as suggested sets it
    driver.complete(case.process, CaseFlow.classify, world.reception,
                    {"kind": case.kind, "competent_unit": world.commune.pk, "complexity": case.complexity})
    case.refresh_from_db()
    assert case.competent_unit == world.commune
    driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "accept"})
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_the_intake_form_records_the_limitation_facts_and_no_competent_unit(world, time_machine):
    from tests.cases.test_intake_view import logged_in, submit

    time_machine.move_to(on(7, 6, 15), tick=False)
    client = logged_in(world.reception)
    refused = submit(client, world, respondent_date="2026-03-01", knew_on="2026-04-10", force_majeure_days="5")
    assert refused.status_code == 400 and "ground" in refused.content.decode()
    response = submit(client, world, respondent_date="2026-03-01", knew_on="2026-04-10", force_majeure_days="5",
                      force_majeure_ground="natural_disaster", force_majeure_note="Lũ lụt")
    assert response.status_code == 303
    case = Case.objects.get()
    assert (case.knew_on, case.force_majeure_days, case.force_majeure_ground) == (D(2026, 4, 10), 5,
                                                                                  "natural_disaster")
    assert case.competent_unit is None  # left empty on the form: classification sets it
