"""The people who route a petition outside competence, and who conclude a denunciation, do it over HTTP.

* Outside competence or over-level (§4.3): the acceptance step waits for the head of the unit that received the
  petition and offers only the route — guide a complaint, forward a denunciation (T2) — or archiving.
* A denunciation is concluded, not decided: its task pages ask for the conclusion's number, summary and handling
  measures; its verification has no "findings differ, dialogue needed" box; its pages say "concluded".
* A mass petition comes first in the inbox among tasks due the same day.
"""
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from viewflow.workflow.status import PROCESS

from cases import selectors, services
from cases.models import Case, CaseEvent, Status
from tests.factories import aware
from workflows.flows import CaseFlow

from .conftest import (
    RECEIVED,
    complaint_kwargs,
    denunciation_kwargs,
    open_nodes,
    open_task,
)

pytestmark = pytest.mark.django_db

CONCLUSION = {"conclusion_number": "21/KL-UBND", "summary": "Tố cáo đúng một phần: cán bộ có nhận tiền.",
              "measures": "Kỷ luật khiển trách cán bộ địa chính; buộc trả lại số tiền đã nhận."}


@pytest.fixture(autouse=True)
def pinned_clock(time_machine):
    """The people act the day after the petitions were received."""
    time_machine.move_to(aware(RECEIVED + dt.timedelta(days=1), 10), tick=False)


def intake(kwargs):
    result = services.case_intake(**{**kwargs, "start_process": True})
    return Case.objects.get(pk=result.case.pk), result.pin


def over_level(world, make):
    return intake(make(world, received=RECEIVED, actor=world.province_reception, receiving_unit=world.province,
                       competent_unit=world.commune))[0]


def classify(driver, case, user, **extra):
    data = {"kind": case.kind, "competent_unit": case.competent_unit_id, "complexity": case.complexity, **extra}
    driver.complete(case.process, CaseFlow.classify, user, data)


def acceptance_page(driver, case, user):
    task = open_task(case.process, CaseFlow.decide_acceptance)
    driver.client.force_login(user)
    driver.client.post(driver.url(task, "assign"))
    return driver.client.get(driver.url(task, "execute")).content.decode()


def test_an_over_level_complaint_is_guided_by_the_head_of_the_unit_that_received_it(world, driver):
    case = over_level(world, complaint_kwargs)
    assert case.is_over_level
    classify(driver, case, world.province_reception)
    task = open_task(case.process, CaseFlow.decide_acceptance)
    assert task.owner_permission == f"head@{world.province.pk}"  # not the commune's head
    page = acceptance_page(driver, case, world.province_head)
    assert 'value="guide"' in page and 'value="archive"' in page
    assert 'value="accept"' not in page and 'value="forward"' not in page and 'value="refuse"' not in page
    assert "over the level of the competent unit" in page
    response = driver.complete(case.process, CaseFlow.decide_acceptance, world.province_head,
                               {"decision": "accept"}, expect=200)
    assert "Select a valid choice" in response.content.decode()
    driver.complete(case.process, CaseFlow.decide_acceptance, world.province_head,
                    {"decision": "guide", "instructions": "Gửi đơn đến Chủ tịch UBND xã A."})
    case.refresh_from_db()
    assert case.status == Status.GUIDED
    case.process.refresh_from_db()
    assert case.process.status == PROCESS.DONE and not open_nodes(case.process)


def test_an_over_level_denunciation_is_forwarded_to_the_competent_unit(world, driver):
    case = over_level(world, denunciation_kwargs)
    classify(driver, case, world.province_reception)
    page = acceptance_page(driver, case, world.province_head)
    assert 'value="forward"' in page and 'value="guide"' not in page and 'value="accept"' not in page
    assert 'name="to_body" value="Xã A"' in page  # the competent unit, ready to send to
    assert re.search(r'name="petitioner_notified"[^>]*checked', page)
    driver.complete(case.process, CaseFlow.decide_acceptance, world.province_head,
                    {"decision": "forward", "to_body": "Xã A", "petitioner_notified": "on"})
    case.refresh_from_db()
    assert case.status == Status.FORWARDED
    payload = CaseEvent.objects.get(case=case, action="forward").payload
    assert (payload["to_body"], payload["petitioner_notified_on"], payload["due"], payload["late"]) == (
        "Xã A", "2026-07-07", "2026-07-13", False)


def test_the_clerk_classifies_a_denunciation_outside_competence_and_the_head_forwards_it(world, driver):
    case, _pin = intake(denunciation_kwargs(world, received=RECEIVED))
    assert case.acceptance_due == dt.date(2026, 7, 15)
    classify(driver, case, world.reception, competence="outside")
    case.refresh_from_db()
    assert case.competence == "outside" and case.acceptance_due == dt.date(2026, 7, 13)
    response = driver.complete(case.process, CaseFlow.decide_acceptance, world.head,
                               {"decision": "forward", "to_body": ""}, expect=200)
    assert "required for the chosen decision" in response.content.decode()
    driver.complete(case.process, CaseFlow.decide_acceptance, world.head,
                    {"decision": "forward", "to_body": "Thanh tra tỉnh", "petitioner_notified": "on"})
    assert Case.objects.get(pk=case.pk).status == Status.FORWARDED


def test_a_complaint_within_competence_is_still_offered_every_decision(world, driver):
    case, _pin = intake(complaint_kwargs(world, received=RECEIVED))
    classify(driver, case, world.reception)
    page = acceptance_page(driver, case, world.head)
    for value in ("accept", "refuse", "forward", "guide", "archive"):
        assert f'value="{value}"' in page


def test_a_denunciation_is_concluded_with_its_measures_and_every_page_says_so(world, driver, client):
    case, pin = intake(denunciation_kwargs(world, received=RECEIVED))
    process = case.process
    classify(driver, case, world.reception)
    driver.complete(process, CaseFlow.decide_acceptance, world.head, {"decision": "accept"})
    driver.complete(process, CaseFlow.assign_handler, world.head, {"handler": world.handler.pk})

    # the verification asks nothing about a dialogue: that is a complaint's step
    verify = open_task(process, CaseFlow.verify)
    driver.client.force_login(world.handler)
    page = driver.client.get(driver.url(verify, "execute")).content.decode()
    assert 'name="findings"' in page and 'name="findings_differ"' not in page
    driver.complete(process, CaseFlow.verify, world.handler, {"findings": "Có căn cứ.", "findings_differ": "on"})
    assert Case.objects.get(pk=case.pk).findings_differ is False

    draft = open_task(process, CaseFlow.draft_decision)
    page = driver.client.get(driver.url(draft, "execute")).content.decode()
    assert "Draft the conclusion" in page
    assert 'name="conclusion_number"' in page and 'name="measures"' in page and 'name="decision_number"' not in page
    response = driver.complete(process, CaseFlow.draft_decision, world.handler,
                               {"conclusion_number": "21/KL-UBND", "summary": "Dự thảo."}, expect=200)
    assert 'name="measures"' in response.content.decode()  # the measures are required
    driver.complete(process, CaseFlow.draft_decision, world.handler, CONCLUSION)

    sign = open_task(process, CaseFlow.sign_decision)
    driver.client.force_login(world.head)
    driver.client.post(driver.url(sign, "assign"))
    page = driver.client.get(driver.url(sign, "execute")).content.decode()
    assert "Sign the conclusion" in page and "Draft conclusion" in page
    assert CONCLUSION["measures"] in page  # prefilled from the draft
    inbox = driver.client.get(reverse("workflow:inbox")).content.decode()
    assert "Sign the conclusion" in inbox
    driver.complete(process, CaseFlow.sign_decision, world.head, CONCLUSION)

    event = CaseEvent.objects.get(case=case, action="decide")
    assert (event.payload["conclusion_number"], event.payload["measures"], event.legal_basis) == (
        CONCLUSION["conclusion_number"], CONCLUSION["measures"], "LTC Art 35")

    client.cookies["django_language"] = "en"
    client.force_login(world.head)
    body = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Conclude on the content of the denunciation (21/KL-UBND)" in body
    assert "<strong>Concluded</strong>" in body and "→ Concluded" in body
    assert "Decided" not in body

    track = Client(REMOTE_ADDR="198.51.100.78")
    track.cookies["django_language"] = "en"
    try:
        html = track.post("/track/", {"code": case.tracking_code, "pin": pin}).content.decode()
    finally:
        cache.delete_many(selectors.tracking_keys(case.tracking_code, "198.51.100.78"))
    assert 'data-field="status">Concluded<' in html
    assert 'data-field="outcome-title">Conclusion on the content of the denunciation<' in html
    assert 'data-field="decision_number">21/KL-UBND<' in html
    assert "Kỷ luật khiển trách" in html and "Handling measures" in html


def test_the_complaint_verification_keeps_its_dialogue_box(world, driver):
    case, _pin = intake(complaint_kwargs(world, received=RECEIVED))
    classify(driver, case, world.reception)
    driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "accept"})
    driver.complete(case.process, CaseFlow.assign_handler, world.head, {"handler": world.handler.pk})
    verify = open_task(case.process, CaseFlow.verify)
    driver.client.force_login(world.handler)
    page = driver.client.get(driver.url(verify, "execute")).content.decode()
    assert 'name="findings_differ"' in page


def test_the_service_refuses_a_dialogue_flag_on_a_denunciation(world):
    from cases.errors import InvalidInput

    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    day = aware(RECEIVED + dt.timedelta(days=1))
    services.case_accept(case=case, actor=world.head, now=day)
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=day)
    services.case_start_verification(case=case, actor=world.handler, now=day)
    with pytest.raises(InvalidInput) as error:
        services.case_record_verification(case=case, actor=world.handler, findings="x", findings_differ=True, now=day)
    assert error.value.field == "findings_differ"


def test_a_mass_petition_comes_first_in_the_inbox_among_tasks_due_the_same_day(world, client):
    from django.db import transaction

    single, _ = intake(complaint_kwargs(world, received=RECEIVED, respondent_number="1/QĐ"))
    people = [{"full_name": f"Người {i}", "id_number": f"00109000020{i}"} for i in range(5)]
    group, _ = intake(complaint_kwargs(world, received=RECEIVED, respondent_number="2/QĐ", petitioners=people))
    for case in (single, group):
        task = open_task(case.process, CaseFlow.classify)
        with transaction.atomic():
            CaseFlow.classify.activation_class(task).assign(world.reception)
    client.force_login(world.reception)
    page = client.get(reverse("workflow:inbox")).content.decode()
    order = re.findall(r'href="/cases/\d+/">([^<]+)</a>', page)
    assert order == [group.tracking_code, single.tracking_code]
