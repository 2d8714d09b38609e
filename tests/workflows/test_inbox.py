"""The handler's screens: the inbox and queue by due date, task pages showing the whole case,
the landing page after a completed task, and the page for someone else's task."""
import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from viewflow.workflow.status import STATUS

from cases import services
from cases.case_page import working_days_left
from cases.identity import mask_name
from cases.models import Case, IdentityAccess
from tests.factories import aware
from workflows.flows import CaseFlow

from .conftest import (
    RECEIVED,
    classify_data,
    complaint_kwargs,
    denunciation_kwargs,
    hold_dialogue,
    open_task,
    page_queries,
)
from .test_case_flow import through_verification

pytestmark = pytest.mark.django_db

TODAY = aware(RECEIVED + dt.timedelta(days=2), 10)


@pytest.fixture(autouse=True)
def pinned_clock(time_machine):
    time_machine.move_to(TODAY, tick=False)


def new_case(world, **overrides):
    kwargs = {**complaint_kwargs(world, received=RECEIVED), **overrides, "start_process": True}
    return Case.objects.get(pk=services.case_intake(**kwargs).case.pk)


def taken_by_reception(world, case):
    task = open_task(case.process, CaseFlow.classify)
    with transaction.atomic():
        CaseFlow.classify.activation_class(task).assign(world.reception)
    return task


def rows(page):
    """The tracking codes of the list's rows, in order."""
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', page)


def test_mask_name_keeps_only_initials():
    assert mask_name("Nguyễn Văn A") == "N. V. A."
    assert mask_name("  đỗ   thị  hoa ") == "Đ. T. H."
    assert mask_name("") == ""


def test_inbox_is_ordered_by_due_date_and_shows_the_masked_petitioner_the_sla_and_the_flags(world, client):
    late = new_case(world, petitioners=[{"full_name": "Trần Thị Bình", "id_number": "001090000002"}])
    soon = new_case(world, respondent_number="2/QĐ")
    # awaiting acceptance, an earlier acceptance due date puts a case first; no due date at all puts it last
    Case.objects.filter(pk=soon.pk).update(acceptance_due=RECEIVED + dt.timedelta(days=5), is_mass=True,
                                           is_over_level=True)
    Case.objects.filter(pk=late.pk).update(acceptance_due=RECEIVED + dt.timedelta(days=40))
    undated = new_case(world, respondent_number="3/QĐ")
    Case.objects.filter(pk=undated.pk).update(acceptance_due=None, resolution_due=None)
    for case in (undated, late, soon):
        taken_by_reception(world, case)

    client.force_login(world.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workflow:inbox")).content.decode()
    assert rows(page) == [soon.tracking_code, late.tracking_code, undated.tracking_code]
    assert "N. V. A." in page and "T. T. B." in page
    assert "Nguyễn Văn A" not in page and "Trần Thị Bình" not in page
    left = working_days_left(TODAY.date(), RECEIVED + dt.timedelta(days=5))
    assert f"{left} working days left" in page
    assert "mass petition" in page and "over-level" in page
    assert "duplicate / repeat" not in page  # no case carries that flag
    assert (RECEIVED + dt.timedelta(days=5)).strftime("%d/%m/%Y") in page
    assert "Classify the petition" in page and "Complaint" in page


def test_an_overdue_case_carries_the_overdue_badge(world, client):
    case = new_case(world)
    Case.objects.filter(pk=case.pk).update(sla_state="overdue")
    taken_by_reception(world, case)
    client.force_login(world.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "badge--overdue" in client.get(reverse("workflow:inbox")).content.decode()


def test_a_protected_case_shows_nothing_derived_from_the_name_and_logs_no_look(world, client):
    case = new_case(world, **denunciation_kwargs(world, received=RECEIVED))
    assert case.identity_protected
    taken_by_reception(world, case)
    client.force_login(world.reception)  # who may see this denouncer, on the case page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workflow:inbox")).content.decode()
    assert case.tracking_code in page
    assert "[protected]" in page and "N. V. A." not in page and "Nguyễn" not in page
    assert not IdentityAccess.objects.filter(case=case).exists()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "[được bảo vệ]" in client.get(reverse("workflow:inbox")).content.decode()


@pytest.mark.parametrize("listing", ["workflow:inbox", "workflow:queue"])
def test_the_task_lists_cost_the_same_for_2_and_20_tasks(world, client, listing):
    def add(count, start):
        for n in range(start, start + count):
            case = new_case(world, respondent_number=f"{n}/QĐ",
                            petitioners=[{"full_name": f"Lê Văn {n}", "id_number": f"0010900{n:05d}"}])
            if listing == "workflow:inbox":
                taken_by_reception(world, case)
        # a protected case among them changes nothing
        denunciation = new_case(world, **denunciation_kwargs(world, received=RECEIVED, accused=f"Cán bộ {start}"))
        if listing == "workflow:inbox":
            taken_by_reception(world, denunciation)

    client.force_login(world.reception)
    add(1, 0)
    two, page = page_queries(client, reverse(listing))
    assert page.count("/classify/") == 2
    add(17, 100)
    twenty, page = page_queries(client, reverse(listing))
    assert page.count("/classify/") == 20
    assert twenty == two


# --- task pages show the whole case -------------------------------------------------------


def test_a_task_page_shows_the_case_petitioners_contested_decision_and_what_was_recorded(world, driver):
    case = new_case(world)
    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Quyết định đúng một phần (ghi nhận XM-1).", "findings_differ": "on"},
    )
    hold_dialogue(driver, case.process, world.handler, minutes="Biên bản đối thoại ĐT-7.")
    task = open_task(case.process, CaseFlow.draft_decision)
    page = driver.client.get(driver.url(task, "execute")).content.decode()
    assert "Nguyễn Văn A" in page and "001090000001" in page  # the petitioners, as allowed
    assert "123/QĐ-UBND" in page and "Chủ tịch UBND xã A" in page  # the contested decision
    assert "XM-1" in page and "ĐT-7" in page  # findings and dialogue minutes
    assert "Verification findings" in page and "Dialogue minutes" in page
    assert reverse("case_detail", args=[case.pk]) in page

    driver.complete(case.process, CaseFlow.draft_decision, world.handler,
                    {"decision_number": "15/QĐ-UBND", "summary": "Dự thảo DT-9.", "outcome": "rejected"})
    sign = open_task(case.process, CaseFlow.sign_decision)
    driver.client.force_login(world.head)
    driver.client.post(driver.url(sign, "assign"))
    page = driver.client.get(driver.url(sign, "execute")).content.decode()
    assert "Draft decision" in page and "DT-9" in page and "XM-1" in page


def test_a_protected_case_records_are_hidden_from_an_officer_the_law_does_not_name(world, driver):
    case = new_case(world, **denunciation_kwargs(world, received=RECEIVED))
    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Người tố cáo Nguyễn Văn A cung cấp chứng cứ XM-2."},
    )
    driver.complete(case.process, CaseFlow.draft_decision, world.handler,
                    {"conclusion_number": "16/KL", "summary": "Kết luận.", "measures": "Không."})
    sign = open_task(case.process, CaseFlow.sign_decision)

    # the province's head may sign for the commune below, but is no officer §5 names
    above = world.province_head
    driver.client.force_login(above)
    assert driver.client.post(driver.url(sign, "assign")).status_code == 302
    page = driver.client.get(driver.url(sign, "execute")).content.decode()
    assert "XM-2" not in page and "Nguyễn Văn A" not in page
    assert "[protected]" in page
    assert IdentityAccess.objects.filter(case=case, user=above, granted=False).exists()


# --- a completed task lands on the next useful page --------------------------------------------


def test_a_completed_task_leads_to_the_users_next_task_on_the_case(world, driver):
    case = new_case(world)
    driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    response = driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "accept"})
    following = open_task(case.process, CaseFlow.assign_handler)
    assert response["Location"] == driver.url(following, "index")
    # the next task waits in the head's queue: its page offers to take it, with the message
    page = driver.client.get(response["Location"], follow=True).content.decode()
    assert "Completed: Decide on acceptance" in page


def test_a_completed_task_with_nothing_next_lands_on_the_case_page_with_a_translated_message(world, driver):
    case = new_case(world)
    driver.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    page = driver.client.get(response["Location"]).content.decode()
    assert "Đã hoàn thành: Phân loại đơn" in page
    assert 'role="status"' in page


def test_the_assign_toast_is_in_vietnamese(world, client):
    case = new_case(world)
    task = open_task(case.process, CaseFlow.classify)
    client.force_login(world.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.post(task.flow_task.reverse("assign", args=[case.process.pk, task.pk]), follow=True)
    body = page.content.decode()
    assert "Đã nhận công việc" in body and "has been assigned" not in body


# --- someone else's task --------------------------------------------------------------------


def test_a_head_opening_the_handlers_task_is_told_who_holds_it(world, driver):
    case = new_case(world)
    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Đúng một phần.", "findings_differ": "on"},
    )
    task = open_task(case.process, CaseFlow.dialogue)
    assert task.owner == world.handler
    world.handler.first_name, world.handler.last_name = "Cán bộ", "Hùng"
    world.handler.save()

    head = Client()
    head.force_login(world.head)
    head.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name in ("index", "execute", "detail"):
        response = head.get(driver.url(task, name))
        assert response.status_code == 403, name
        body = response.content.decode()
        assert "is held by" in body and "Hùng" in body, name
        assert "“Hold the dialogue”" in body, name  # the task's title, not its node's name
        assert reverse("case_detail", args=[case.pk]) in body

    # a user of another unit learns nothing: a bare refusal
    outsider = Client()
    outsider.force_login(world.outsider)
    for name in ("index", "execute", "detail"):
        response = outsider.get(driver.url(task, name))
        assert response.status_code in (403, 404), name
        assert "Hùng" not in response.content.decode()


def test_a_handler_opening_a_heads_queued_task_is_told_whose_queue_it_waits_in(world, driver):
    case = new_case(world)
    driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    task = open_task(case.process, CaseFlow.decide_acceptance)
    assert task.status == STATUS.NEW
    client = Client()
    client.force_login(world.handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(driver.url(task, "index"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "“Decide on acceptance” waits in the queue of the Head / supervisor of Xã A" in body
    assert reverse("case_detail", args=[case.pk]) in body


def test_the_inbox_shows_and_sorts_by_the_deadline_running_now(world, client):
    """An accepted case runs against its resolution date, not its met acceptance date; a suspended one
    against none (its clock is stopped: the row says so) and it goes last, not first with a past date."""
    resolving, suspended, received = (new_case(world, respondent_number=f"{n}/QĐ-R") for n in range(3))
    for case in (resolving, suspended, received):
        taken_by_reception(world, case)
    past = RECEIVED - dt.timedelta(days=30)
    # the statuses are set as the acts would leave them (this is about the list, not the acts)
    Case.objects.filter(pk=resolving.pk).update(status="in_verification", acceptance_due=past,
                                                resolution_due=RECEIVED + dt.timedelta(days=40))
    Case.objects.filter(pk=suspended.pk).update(status="suspended", acceptance_due=past - dt.timedelta(days=5),
                                                resolution_due=None)
    Case.objects.filter(pk=received.pk).update(acceptance_due=RECEIVED + dt.timedelta(days=10))

    client.force_login(world.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workflow:inbox")).content.decode()
    assert rows(page) == [received.tracking_code, resolving.tracking_code, suspended.tracking_code]
    assert past.strftime("%d/%m/%Y") not in page and (past - dt.timedelta(days=5)).strftime("%d/%m/%Y") not in page
    assert (RECEIVED + dt.timedelta(days=40)).strftime("%d/%m/%Y") in page
    assert ">Suspended</td>" in page
    assert Case.objects.get(pk=resolving.pk).due_now == RECEIVED + dt.timedelta(days=40)
    assert Case.objects.get(pk=suspended.pk).due_now is None
