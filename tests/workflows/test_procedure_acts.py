"""Issue 6 acts where a person takes them: the dialogue task in its steps, and the case page's act pages
(suspension grounds, decision notices, partial extension, complexity, withdrawal and termination)."""
import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseNotice, Status
from tests.factories import aware
from workflows.flows import CaseFlow

from .conftest import (
    RECEIVED,
    complaint_kwargs,
    denunciation_kwargs,
    open_nodes,
    open_task,
    trail,
)
from .test_case_flow import intake, through_verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def in_dialogue_task(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    through_verification(driver, case, reception=world.reception, head=world.head, handler=world.handler,
                         findings={"findings": "Khác yêu cầu.", "findings_differ": "on"})
    assert open_nodes(case.process) == {"dialogue"}
    return case


def test_the_dialogue_task_invites_then_records_an_absence_without_reason_and_moves_on(world, driver):
    case = in_dialogue_task(world, driver)
    process = case.process
    today = timezone.localdate()
    too_soon = today + dt.timedelta(days=3)
    response = driver.complete(process, CaseFlow.dialogue, world.handler, {
        "scheduled_at": f"{too_soon}T09:00", "place": "UBND xã A", "participants": "Nguyễn Văn A"}, expect=400)
    earliest = today + dt.timedelta(days=5)
    assert f"the earliest date is {earliest:%d/%m/%Y}" in response.content.decode()
    assert not case.dialogues.exists()

    day = today + dt.timedelta(days=5)
    response = driver.complete(process, CaseFlow.dialogue, world.handler, {
        "scheduled_at": f"{day}T14:30", "place": "Hội trường UBND xã A",
        "participants": "Nguyễn Văn A (người khiếu nại)\nÔng B (người bị khiếu nại)"})
    task = open_task(process, CaseFlow.dialogue)
    assert response["Location"] == driver.url(task, "index")  # back to the same task, still open
    page = driver.client.get(driver.url(task, "execute")).content.decode()
    assert "Hội trường UBND xã A" in page and f"{day:%d/%m/%Y} 14:30" in page and "Ông B" in page
    assert 'name="result"' in page  # now the outcome form
    case_page = driver.client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Hội trường UBND xã A" in case_page  # the appointment on the case page

    # before the day the outcome cannot be recorded
    response = driver.complete(process, CaseFlow.dialogue, world.handler,
                               {"result": "absent", "absent": "Nguyễn Văn A"}, expect=409)
    assert "once that day has come" in response.content.decode()
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(16))), tick=True):
        driver.complete(process, CaseFlow.dialogue, world.handler,
                        {"result": "absent", "absent": "Nguyễn Văn A (người khiếu nại)", "attendance": "Ông B"})
        assert open_nodes(process) == {"draft_decision"}
    case.refresh_from_db()
    assert case.dialogue_held and case.dialogues.get().state == "absent"
    assert [a for a, _ in trail(case)][-2:] == ["schedule_dialogue", "record_dialogue_absence"]


def test_a_valid_reason_postpones_the_dialogue_and_the_task_asks_for_a_new_date(world, driver):
    case = in_dialogue_task(world, driver)
    process = case.process
    day = timezone.localdate() + dt.timedelta(days=6)
    driver.complete(process, CaseFlow.dialogue, world.handler, {
        "scheduled_at": f"{day}T09:00", "place": "UBND xã A", "participants": "Nguyễn Văn A"})
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), tick=True):
        driver.complete(process, CaseFlow.dialogue, world.handler,
                        {"result": "postponed", "absent": "Nguyễn Văn A"}, expect=400)  # the reason is needed
        driver.complete(process, CaseFlow.dialogue, world.handler,
                        {"result": "postponed", "absent": "Nguyễn Văn A", "reason": "Nằm viện."})
        assert open_nodes(process) == {"dialogue"}
        task = open_task(process, CaseFlow.dialogue)
        page = driver.client.get(driver.url(task, "execute")).content.decode()
        assert 'name="scheduled_at"' in page and "Nằm viện." in page
    assert case.dialogues.get().state == "postponed" and not Case.objects.get(pk=case.pk).dialogue_held


def test_suspension_offers_the_kinds_grounds_and_its_notice_is_recorded_as_sent_from_the_case_page(world, english):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    english.force_login(world.head)
    suspend = reverse("workflow:case_suspend", args=[case.pk])
    form = english.get(suspend).content.decode()
    assert "waiting for a supplementary or repeat expert assessment" in form
    assert "force majeure" not in form  # a complaint's ground
    assert english.post(suspend, {"ground": "await_expert", "decision_number": "4/QĐ-TĐC"}).status_code == 302

    page = english.get(reverse("case_detail", args=[case.pk])).content.decode()
    send = reverse("workflow:case_send_notice", args=[case.pk])
    assert "Decisions sent to the parties" in page and "Suspension decision" in page and "4/QĐ-TĐC" in page
    assert "T5" in page and send in page
    notice = CaseNotice.objects.get(case=case)
    assert english.post(send, {"notice": 999999}).status_code == 400
    assert english.post(send, {"notice": notice.pk}).status_code == 302
    notice.refresh_from_db()
    assert notice.sent_on is not None and notice.sla == ""
    assert send not in english.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_the_extension_page_takes_the_days_up_to_the_limit(world, english):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED, complexity="complex",
                                                      complexity_grounds="Nhiều nơi")).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    english.force_login(world.head)
    url = reverse("workflow:case_extend", args=[case.pk])
    assert 'max="30"' in english.get(url).content.decode()
    response = english.post(url, {"days": 45, "grounds": "Phức tạp."})
    assert response.status_code == 400 and "at most 30 days" in response.content.decode()
    assert english.post(url, {"days": 12, "grounds": "Phức tạp."}).status_code == 302
    case.refresh_from_db()
    assert case.extension_days == [12]


def test_the_head_reassesses_the_complexity_from_the_case_page(world, english):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    url = reverse("workflow:case_reassess_complexity", args=[case.pk])
    english.force_login(world.handler)
    assert url not in english.get(reverse("case_detail", args=[case.pk])).content.decode()
    english.force_login(world.head)
    assert url in english.get(reverse("case_detail", args=[case.pk])).content.decode()
    before = Case.objects.get(pk=case.pk).resolution_due
    response = english.post(url, {"complexity": "complex", "grounds": "Nhiều nội dung."})
    assert response.status_code == 400 and "statutory criteria" in response.content.decode()
    assert english.post(url, {"complexity": "complex", "grounds": "Nhiều nội dung.",
                              "criteria": ["several_contents", "several_bodies"]}).status_code == 302
    case.refresh_from_db()
    assert case.complexity == "complex" and case.resolution_due > before


def test_a_full_withdrawal_of_an_accepted_complaint_needs_the_termination_decision(world, english):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    english.force_login(world.reception)
    url = reverse("workflow:case_withdraw", args=[case.pk])
    assert "continue_ground" not in english.get(url).content.decode()  # a complaint is not continued
    response = english.post(url, {"reason": "Đã hòa giải."})
    assert response.status_code == 400 and "termination decision" in response.content.decode()
    assert english.post(url, {"reason": "Đã hòa giải.", "decision_number": "11/QĐ-ĐC"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN and case.termination_number == "11/QĐ-ĐC"
    english.force_login(world.head)
    assert english.post(reverse("workflow:case_send_notice", args=[case.pk]),
                        {"notice": case.notices.get().pk}).status_code == 302
    page = english.get(reverse("case_detail", args=[case.pk])).content.decode()
    case.refresh_from_db()
    assert "11/QĐ-ĐC" in page and f"{case.lapse_on:%d/%m/%Y}" in page and "K8" in page


def test_a_denunciation_continued_after_withdrawal_names_its_ground_on_the_page(world, english):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    english.force_login(world.reception)
    url = reverse("workflow:case_withdraw", args=[case.pk])
    assert english.post(url, {"reason": "Rút.", "continue_resolution": "on"}).status_code == 400
    assert english.post(url, {"reason": "Rút.", "continue_resolution": "on",
                              "continue_ground": "slander"}).status_code == 302
    event = CaseEvent.objects.get(case=case, action="withdraw_partially")
    assert event.payload["continue_ground"] == "slander"
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
