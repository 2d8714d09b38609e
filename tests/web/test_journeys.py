"""Whole journeys in a real browser: each user logs in through the form and works the viewflow task pages.

Every journey also checks that a user of another unit gets a 404 on the case, and that a user without the
right does not find the denouncer's name in the HTML. Screenshots of each journey's last screen go to
$SCREENSHOT_DIR (a temporary folder when unset); with $README_SCREENSHOTS set, the four main screens are also
saved into docs/screenshots/ for the README.
"""
import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from cases import services
from cases.models import Case, Status
from cases.services import case_intake
from cases.sla import sweep_sla
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member
from workflows.flows import CaseFlow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo12345"
MONDAY = dt.datetime(2026, 7, 6, 9, 0)  # Mon 06/07/2026, 09:00 in Asia/Ho_Chi_Minh
COMPLAINANT = {"full_name": "Lê Thị Thu Trang", "id_number": "079190004321", "phone": "0901234567"}
DENOUNCER = {"full_name": "Trần Văn Tố Giác", "id_number": "079190009876", "phone": "0907654321"}
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, shots, name, *, readme=None):
    """The visible screen (1280x800, not the full page); a copy for the README when asked for."""
    page.screenshot(path=str(shots / f"{name}.png"))
    if readme and os.environ.get("README_SCREENSHOTS"):
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SHOTS / f"{readme}.png"))


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


class Office:
    """A ward and its staff, a neighbouring ward with a head of its own; every user with the demo password."""

    def __init__(self):
        reverse("workflow:inbox")  # build viewflow's URLconf so intake can start the process
        self.province = UnitFactory(name="Tỉnh An Khang", code="tinh-ak", level=UnitLevel.PROVINCE)
        self.ward = UnitFactory(name="Phường An Khang", code="phuong-ak", level=UnitLevel.COMMUNE,
                                parent=self.province)
        self.other = UnitFactory(name="Phường Bình Minh", code="phuong-bm", level=UnitLevel.COMMUNE,
                                 parent=self.province)
        self.clerk = self.user(self.ward, Role.RECEPTION, "tiepdan")
        self.head = self.user(self.ward, Role.HEAD, "lanhdao")
        self.handler = self.user(self.ward, Role.HANDLER, "canbo")
        self.colleague = self.user(self.ward, Role.HANDLER, "canbo2")
        self.outsider = self.user(self.other, Role.HEAD, "lanhdao-bm")

    @staticmethod
    def user(unit, role, username):
        user = member(unit, role, username)
        user.set_password(PASSWORD)
        user.save()
        return user

    def take_in(self, kind, *, petitioner, received_at, **extra):
        if kind == "complaint":
            extra = {"respondent_number": "15/QĐ-UBND", "respondent_issuer": "Chủ tịch UBND phường", **extra}
        else:
            extra = {"accused": "Cán bộ địa chính phường", **extra}
        result = case_intake(  # start_process: the flow's tasks wait for the users
            actor=self.clerk, kind=kind, channel="in_person", received_at=received_at, receiving_unit=self.ward,
            competent_unit=self.ward, content="Nội dung đơn: quyết định thu hồi đất.", petitioners=[petitioner],
            now=received_at, **extra,
        )
        case = Case.objects.get(pk=result.case.pk)
        case.pin = result.pin  # the citizen's PIN, from the receipt
        return case


@pytest.fixture
def office(transactional_db):
    return Office()


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(local(MONDAY), tick=True)
    return time_machine


# --- the browser's moves ------------------------------------------------------------------------------------

def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")


def open_task(case, node):
    return case.process.task_set.get(flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED])


def task_url(task, name):
    return task.flow_task.reverse(name, args=[task.process_id, task.pk])


def claim_and_open(page, base, case, node):
    """Claim the task if nobody holds it yet (viewflow's confirm form), then open its form."""
    task = open_task(case, node)
    if task.status == STATUS.NEW:
        page.goto(base + task_url(task, "assign"))
        with page.expect_navigation():
            page.locator("form.vf-form button.mdc-button--raised").click()  # viewflow's "Assign"
        task.refresh_from_db()
        assert task.status == STATUS.ASSIGNED
    page.goto(base + task_url(task, "execute"))
    return task


def submit(page):
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def do_task(page, base, case, node, fields=None, *, checks=(), choose=None):
    """Claim, fill by field name and complete a task; returns the task."""
    task = claim_and_open(page, base, case, node)
    for name, value in (choose or {}).items():
        page.select_option(f"main form [name={name}]", str(value))
    for name, value in (fields or {}).items():
        page.fill(f"main form [name={name}]", value)
    for name in checks:
        page.check(f"main form [name={name}]")
    submit(page)
    return task


def assert_out_of_reach(page, base, case, username, secret):
    """A user of another unit: 404 on the case page, and nothing of the petitioner in what comes back."""
    log_in(page, base, username)
    response = page.goto(f"{base}/cases/{case.pk}/")
    assert response.status == 404
    assert secret not in page.content()


def assert_name_hidden(page, base, case, username, secret):
    """A user of the case's own unit without the right to the identity sees the case, not the name."""
    log_in(page, base, username)
    response = page.goto(f"{base}/cases/{case.pk}/")
    assert response.status == 200
    assert case.tracking_code in page.content()
    assert secret not in page.content()


def accept_and_assign(page, base, office, case, handler):
    """The clerk confirms the classification; the head accepts and names the handler."""
    log_in(page, base, office.clerk.username)
    do_task(page, base, case, CaseFlow.classify)
    log_in(page, base, office.head.username)
    do_task(page, base, case, CaseFlow.decide_acceptance, choose={"decision": "accept"})
    do_task(page, base, case, CaseFlow.assign_handler, choose={"handler": handler.pk})


def case_page(page, base, case):
    response = page.goto(f"{base}/cases/{case.pk}/")
    assert response.status == 200
    return page.locator("main").inner_text()


# --- the journeys ------------------------------------------------------------------------------------------

def test_a_head_accepts_and_assigns(live_server, page, office, monday, shots):
    base = live_server.url
    case = office.take_in("denunciation", petitioner=DENOUNCER, received_at=local(MONDAY))

    log_in(page, base, office.clerk.username)
    page.goto(base + "/cases/new/")
    shoot(page, shots, "reception-intake", readme="reception-intake")

    accept_and_assign(page, base, office, case, office.handler)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.handler == office.handler

    text = case_page(page, base, case)
    assert "canbo" in text and "Đã thụ lý" in text
    assert DENOUNCER["full_name"] in page.content()  # the head of the unit may see the denouncer
    shoot(page, shots, "j1-head-case-page")

    assert_name_hidden(page, base, case, office.colleague.username, DENOUNCER["full_name"])
    assert_out_of_reach(page, base, case, office.outsider.username, DENOUNCER["full_name"])


def test_the_handler_verifies_schedules_the_dialogue_records_it_and_drafts_then_the_head_signs(
        live_server, page, office, monday, shots):
    base = live_server.url
    case = office.take_in("complaint", petitioner=COMPLAINANT, received_at=local(MONDAY))
    accept_and_assign(page, base, office, case, office.handler)

    log_in(page, base, office.handler.username)
    claim_and_open(page, base, case, CaseFlow.verify)
    assert case.tracking_code in page.locator("main").inner_text()
    assert COMPLAINANT["full_name"] in page.content()  # a complaint's petitioners: every official of the unit
    shoot(page, shots, "handler-task", readme="handler-task")
    page.fill("main form [name=findings]", "Quyết định thu hồi đúng một phần; diện tích đo đạc sai 20 m².")
    page.check("main form [name=findings_differ]")
    submit(page)
    case.refresh_from_db()
    assert open_task(case, CaseFlow.dialogue)

    # A notice of 3 days is refused: the form names the earliest legal day (K10, 5 days).
    today = MONDAY.date()
    earliest, _basis = services.dialogue_lead_time(today)
    too_soon = today + dt.timedelta(days=3)
    claim_and_open(page, base, case, CaseFlow.dialogue)
    fields = {"place": "Trụ sở UBND phường An Khang",
              "participants": "Lê Thị Thu Trang (người khiếu nại)\nChủ tịch UBND phường (người bị khiếu nại)"}
    page.fill("main form [name=scheduled_at]", f"{too_soon.isoformat()}T09:00")
    for name, value in fields.items():
        page.fill(f"main form [name={name}]", value)
    submit(page)
    errors = page.locator("main form .errorlist").inner_text()
    assert f"{earliest:%d/%m/%Y}" in errors, errors
    assert not case.dialogues.exists()

    day = today + dt.timedelta(days=7)  # Monday 13/07: a full week's notice
    assert day >= earliest
    page.fill("main form [name=scheduled_at]", f"{day.isoformat()}T09:00")
    for name, value in fields.items():
        page.fill(f"main form [name={name}]", value)
    submit(page)
    dialogue = case.dialogues.get()
    assert dialogue.state == "scheduled" and timezone.localdate(dialogue.scheduled_at) == day
    assert open_task(case, CaseFlow.dialogue).owner == office.handler  # the task waits for the day

    # The dialogue's day: it was held; the minutes go on record.
    monday.move_to(local(dt.datetime.combine(day, dt.time(15))), tick=True)
    log_in(page, base, office.handler.username)
    claim_and_open(page, base, case, CaseFlow.dialogue)
    page.check("main form [name=result][value=held]")
    page.fill("main form [name=attendance]", "Lê Thị Thu Trang (người khiếu nại)\nChủ tịch UBND phường")
    page.fill("main form [name=minutes]", "Hai bên thống nhất đo đạc lại diện tích.")
    submit(page)
    dialogue.refresh_from_db()
    assert dialogue.state == "held"

    do_task(page, base, case, CaseFlow.draft_decision,
            {"decision_number": "45/QĐ-UBND", "summary": "Công nhận một phần nội dung khiếu nại."})

    log_in(page, base, office.head.username)
    task = claim_and_open(page, base, case, CaseFlow.sign_decision)
    assert page.locator("main form [name=decision_number]").input_value() == "45/QĐ-UBND"  # from the draft
    submit(page)
    task.refresh_from_db()
    assert task.status == STATUS.DONE
    case.refresh_from_db()
    assert case.status == Status.DECIDED and case.dialogue_held

    text = case_page(page, base, case)
    assert "45/QĐ-UBND" in page.content()
    assert "canbo" in text
    shoot(page, shots, "j2-head-case-page", readme="case-page")

    assert_out_of_reach(page, base, case, office.outsider.username, COMPLAINANT["full_name"])


def test_a_denunciation_runs_through_to_its_conclusion(live_server, page, office, monday, shots):
    base = live_server.url
    case = office.take_in("denunciation", petitioner=DENOUNCER, received_at=local(MONDAY))
    accept_and_assign(page, base, office, case, office.handler)

    log_in(page, base, office.handler.username)
    claim_and_open(page, base, case, CaseFlow.verify)
    assert not page.locator("main form [name=findings_differ]").count()  # no dialogue for a denunciation
    assert DENOUNCER["full_name"] in page.content()  # the case's own handler may see the denouncer
    page.fill("main form [name=findings]", "Có căn cứ một phần.")
    submit(page)
    do_task(page, base, case, CaseFlow.draft_decision, {
        "conclusion_number": "12/KL-UBND", "summary": "Tố cáo đúng một phần.",
        "measures": "Kiểm điểm cán bộ địa chính; thu hồi số tiền đã nhận."})

    log_in(page, base, office.head.username)
    claim_and_open(page, base, case, CaseFlow.sign_decision)
    assert page.locator("main form [name=conclusion_number]").input_value() == "12/KL-UBND"
    submit(page)
    case.refresh_from_db()
    assert case.status == Status.DECIDED

    text = case_page(page, base, case)
    assert "Đã kết luận" in text and "12/KL-UBND" in page.content()

    # The denouncer, at home, with the receipt's code and PIN.
    page.context.clear_cookies()
    page.goto(base + "/track/")
    page.fill("#id_code", case.tracking_code)
    page.fill("#id_pin", case.pin)
    page.locator("main form button[type=submit]").click()
    result = page.locator("#result")
    result.wait_for()
    assert "kết luận" in result.locator('[data-field="outcome-title"]').inner_text().lower()
    assert "12/KL-UBND" in result.inner_text()
    assert not result.locator('[data-field="appeal_due"]').count()
    assert DENOUNCER["full_name"] not in page.content()
    shoot(page, shots, "j3-track-concluded")

    # Another handler of the same ward is not the case's handler: the case, not the denouncer.
    assert_name_hidden(page, base, case, office.colleague.username, DENOUNCER["full_name"])
    assert DENOUNCER["id_number"] not in page.content()
    assert_out_of_reach(page, base, case, office.outsider.username, DENOUNCER["full_name"])


def test_a_supervisor_finds_an_overdue_case_from_the_home_counter_and_reassigns_it(
        live_server, page, office, monday, shots):
    base = live_server.url
    case = office.take_in("denunciation", petitioner=DENOUNCER, received_at=local(MONDAY))
    services.case_accept(case=case, actor=office.head, now=local(MONDAY))
    services.case_assign(case=case, actor=office.head, handler=office.handler, now=local(MONDAY))
    case.refresh_from_db()
    assert case.resolution_due

    # Sixty days on, past the resolution deadline; the beat runs the sweep.
    monday.move_to(local(MONDAY + dt.timedelta(days=60)), tick=True)
    assert timezone.localdate() > case.resolution_due
    sweep_sla()
    case.refresh_from_db()
    assert case.sla_state == "overdue"

    log_in(page, base, office.head.username)
    assert page.locator('[data-count="overdue"]').inner_text() == "1"
    with page.expect_navigation():
        page.locator('[data-count="overdue"] a').click()
    assert re.search(r"/cases/queues/overdue/", page.url)
    row = page.locator("main tbody tr", has_text=case.tracking_code)
    assert row.count() == 1
    assert "canbo" in row.inner_text()
    assert DENOUNCER["full_name"] not in page.content()  # a queue shows no petitioner's name
    shoot(page, shots, "head-queue", readme="head-queue")

    page.check(f"#pick-{case.pk}")
    page.select_option("main form [name=handler]", str(office.colleague.pk))
    submit(page)
    case.refresh_from_db()
    assert case.handler == office.colleague

    text = case_page(page, base, case)
    assert "canbo2" in text
    shoot(page, shots, "j4-case-reassigned")

    # The handler the case was taken from no longer handles it: the case of the ward, not the denouncer.
    assert_name_hidden(page, base, case, office.handler.username, DENOUNCER["full_name"])
    assert_out_of_reach(page, base, case, office.outsider.username, DENOUNCER["full_name"])


# --- the reception desk and the head's second look -----------------------------------------------------------

A5 = (419.5, 595.3)  # points
GROUP = [(f"Người gửi đơn số {n}", f"00109000010{n}") for n in range(1, 7)]  # six valid 12-digit CCCD numbers


def pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """The first page's size in points, from Chromium's PDF."""
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return round(float(box.group(1)), 1), round(float(box.group(2)), 1)


def test_a_clerk_logs_a_complaint_with_six_petitioners_and_prints_the_receipt(
        live_server, page, office, monday, shots):
    base = live_server.url
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    log_in(page, base, office.clerk.username)
    page.goto(base + "/cases/new/")
    page.evaluate("window.__sameDocument = true")

    page.select_option("#id_kind", "complaint")
    page.fill("#id_respondent_number", "15/QĐ-UBND")
    page.fill("#id_respondent_issuer", "Chủ tịch UBND phường An Khang")
    page.fill("#id_content", "Khiếu nại quyết định thu hồi đất của sáu hộ dân tổ dân phố 3.")
    page.select_option("#id_competent_unit", str(office.ward.pk))
    assert page.locator("#people-rows tr.person").count() == 3
    for _ in range(len(GROUP) - 3):
        page.get_by_role("button", name="+ Thêm người gửi đơn").click()
    assert page.locator("#people-rows tr.person").count() == 6
    assert page.input_value("input[name=people-TOTAL_FORMS]") == "6"
    assert page.evaluate("window.__sameDocument") is True  # rows added without a reload
    for row, (name, number) in enumerate(GROUP):
        page.fill(f"input[name=people-{row}-full_name]", name)
        page.fill(f"input[name=people-{row}-id_number]", number)
    for row in (0, 1):  # the group's representatives: one or two for up to ten people
        page.check(f"input[name=people-{row}-is_representative]")
    shoot(page, shots, "j5-intake-six-petitioners")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/cases/receipt/[^/]+/$"))

    case = Case.objects.get()
    assert case.kind == "complaint" and case.respondent_number == "15/QĐ-UBND"
    assert case.competent_unit == office.ward
    assert case.is_mass
    people = sorted(case.petitioners.all(), key=lambda p: p.full_name)  # names are stored encrypted: sort here
    assert [(p.full_name, p.id_number) for p in people] == GROUP
    assert [p.full_name for p in people if p.is_representative] == [GROUP[0][0], GROUP[1][0]]

    # The receipt: the code, the PIN (shown once) and the day the acceptance decision is due.
    receipt = page.locator("#receipt")
    assert receipt.locator('[data-field="code"]').inner_text().strip() == case.tracking_code
    pin = receipt.locator('[data-field="pin"]').inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin)
    assert case.acceptance_due
    assert receipt.locator('[data-field="acceptance_due"]').inner_text() == f"{case.acceptance_due:%d/%m/%Y}"
    assert "GIẤY BIÊN NHẬN ĐƠN" in receipt.inner_text()
    assert all(name not in page.content() for name, _number in GROUP)  # the receipt names nobody

    # Printed on A5: the print button calls the browser's print; the paper has no navigation.
    page.get_by_role("button", name="In giấy biên nhận (A5)").click()
    assert page.evaluate("window.__printed") == 1
    page.set_viewport_size({"width": 559, "height": 794})  # A5 at 96 dpi
    page.emulate_media(media="print")
    assert not page.locator("body > header").is_visible()
    assert receipt.locator('[data-field="code"]').is_visible()
    size = pdf_page_size(page.pdf(prefer_css_page_size=True))
    assert all(abs(a - b) < 1.5 for a, b in zip(size, A5)), size
    page.screenshot(path=str(shots / "j5-receipt-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The case page of the ward shows the group; another ward's head gets a 404 and no name.
    text = case_page(page, base, case)
    assert case.tracking_code in text and GROUP[5][0] in text
    assert_out_of_reach(page, base, case, office.outsider.username, GROUP[0][0])
    assert GROUP[0][1] not in page.content()


def test_the_head_sends_the_draft_back_once_then_signs(live_server, page, office, monday, shots):
    base = live_server.url
    case = office.take_in("complaint", petitioner=COMPLAINANT, received_at=local(MONDAY))
    accept_and_assign(page, base, office, case, office.handler)

    # Findings that do not differ from the complaint's demands: no dialogue, straight to the draft.
    log_in(page, base, office.handler.username)
    do_task(page, base, case, CaseFlow.verify, {"findings": "Quyết định thu hồi đúng quy định."})
    assert open_task(case, CaseFlow.draft_decision)
    do_task(page, base, case, CaseFlow.draft_decision,
            {"decision_number": "45/QĐ-UBND", "summary": "Giữ nguyên quyết định thu hồi đất."})

    # The head sends it back: without a comment the form refuses, nothing is recorded.
    log_in(page, base, office.head.username)
    sign = claim_and_open(page, base, case, CaseFlow.sign_decision)
    assert page.locator("main form [name=decision_number]").input_value() == "45/QĐ-UBND"
    page.check("main form [name=choice][value=return]")
    submit(page)
    comment_box = page.locator("main form [name=comment]")
    assert comment_box.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + comment_box.get_attribute("id") + "_error")  # the error the box is described by
    assert "Hãy nêu rõ nội dung cần sửa đổi" in error.inner_text()
    sign.refresh_from_db()
    assert sign.status == STATUS.ASSIGNED
    assert not case.events.filter(action="return_draft").exists()

    comment = "Nêu rõ căn cứ pháp lý của việc giữ nguyên quyết định."
    page.check("main form [name=choice][value=return]")
    page.fill("main form [name=comment]", comment)
    submit(page)
    sign.refresh_from_db()
    assert sign.status == STATUS.DONE
    case.refresh_from_db()
    assert case.status == Status.IN_VERIFICATION

    # The handler finds the drafting task again, with the head's comment on it.
    log_in(page, base, office.handler.username)
    draft = claim_and_open(page, base, case, CaseFlow.draft_decision)
    assert draft.owner == office.handler
    returned = page.locator('[data-field="returned-draft"]')
    assert comment in returned.inner_text()
    shoot(page, shots, "j6-draft-sent-back")
    page.fill("main form [name=decision_number]", "46/QĐ-UBND")
    page.fill("main form [name=summary]", "Giữ nguyên quyết định thu hồi đất; nêu rõ căn cứ pháp lý.")
    submit(page)

    log_in(page, base, office.head.username)
    claim_and_open(page, base, case, CaseFlow.sign_decision)
    assert page.locator("main form [name=decision_number]").input_value() == "46/QĐ-UBND"  # the new draft
    assert page.locator("main form [name=choice][value=sign]").is_checked()
    submit(page)
    case.refresh_from_db()
    assert case.status == Status.DECIDED

    actions = list(case.events.values_list("action", flat=True))
    assert actions[-4:] == ["record_draft", "return_draft", "record_draft", "decide"], actions
    assert case.events.get(action="decide").payload["decision_number"] == "46/QĐ-UBND"  # the second draft, signed
    case_page(page, base, case)
    assert "46/QĐ-UBND" in page.locator("main").inner_text()
    shoot(page, shots, "j6-signed")

    assert_out_of_reach(page, base, case, office.outsider.username, COMPLAINANT["full_name"])
