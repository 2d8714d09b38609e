"""The reception desk logs a petition, prints the receipt (A5, or A4), and the citizen follows it on /track/.

Screenshots of the printed receipt and of the tracking page go to $SCREENSHOT_DIR (a temporary folder
when unset): look at them.
"""
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo12345"
A5 = (419.5, 595.3)  # points
A4 = (595.3, 841.9)
PETITIONER = {"full_name": "Lê Thị Thu Trang", "id_number": "079190004321"}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1100, "height": 900}}


@pytest.fixture
def desk(transactional_db):
    reverse("workflow:inbox")  # build viewflow's URLconf so intake can start the process
    province = UnitFactory(name="Tỉnh An Khang", code="tinh-ak", level=UnitLevel.PROVINCE)
    ward = UnitFactory(name="Phường An Khang", code="phuong-ak", level=UnitLevel.COMMUNE, parent=province)
    clerk = member(ward, Role.RECEPTION, username="tiepdan")
    clerk.first_name, clerk.last_name = "Phạm Thị Hoa", ""
    clerk.set_password(PASSWORD)
    clerk.save()
    return ward


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def page_size(pdf: bytes) -> tuple[float, float]:
    """The first page's size in points, from Chromium's PDF."""
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return round(float(box.group(1)), 1), round(float(box.group(2)), 1)


def close_to(size, wanted):
    return all(abs(a - b) < 1.5 for a, b in zip(size, wanted))


def test_desk_prints_the_receipt_and_the_citizen_follows_the_case(live_server, page, desk, shots):
    base = live_server.url
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")

    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "tiepdan")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")

    page.goto(base + "/cases/new/")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_content", "Khiếu nại quyết định thu hồi đất của UBND phường.")
    page.fill("#id_respondent_number", "15/QĐ-UBND")
    page.fill("#id_people-0-full_name", PETITIONER["full_name"])
    page.fill("#id_people-0-id_number", PETITIONER["id_number"])
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/cases/receipt/[^/]+/$"))

    receipt = page.locator("#receipt")
    code = receipt.locator('[data-field="code"]').inner_text().strip()
    pin = receipt.locator('[data-field="pin"]').inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{8,}", code) and re.fullmatch(r"\d{6}", pin)
    text = receipt.inner_text()
    assert "GIẤY BIÊN NHẬN ĐƠN" in text and "PHƯỜNG AN KHANG" in text
    assert "Phạm Thị Hoa" in text and "/track/" in text and "(ký, ghi rõ họ tên)" in text
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", receipt.locator('[data-field="received"]').inner_text())
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", receipt.locator('[data-field="acceptance_due"]').inner_text())
    assert "Điều" in receipt.locator('[data-field="acceptance-basis"]').inner_text()
    assert PETITIONER["full_name"] not in page.content()

    page.screenshot(path=str(shots / "receipt-screen.png"), full_page=True)
    page.set_viewport_size({"width": 559, "height": 794})  # A5 at 96 dpi
    page.emulate_media(media="print")
    assert not page.locator("body > header").is_visible()  # no navigation on paper
    assert not page.get_by_role("button", name="In giấy biên nhận (A5)").is_visible()
    page.screenshot(path=str(shots / "receipt-print.png"), full_page=True)
    assert close_to(page_size(page.pdf(prefer_css_page_size=True)), A5)

    page.emulate_media(media="screen")
    page.get_by_role("button", name="In giấy biên nhận (A4)").click()
    assert page.evaluate("window.__printed") == 1
    assert "A4" in page.locator("#paper-size").text_content()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    assert close_to(page_size(page.pdf(prefer_css_page_size=True)), A4)
    page.screenshot(path=str(shots / "receipt-print-a4.png"), full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1100, "height": 900})

    # The citizen, at home: code and PIN on /track/.
    page.context.clear_cookies()
    page.goto(base + "/track/")
    page.fill("#id_code", code.lower())
    page.fill("#id_pin", pin)
    page.get_by_role("button", name="Tra cứu").click()
    result = page.locator("#result")
    result.wait_for()
    assert result.locator('[data-field="status"]').inner_text() == "Đã tiếp nhận: đơn vị đang xem xét việc thụ lý"
    assert result.locator('[data-field="unit"]').inner_text() == "Phường An Khang"
    html = page.content()
    assert PETITIONER["full_name"] not in html and PETITIONER["id_number"] not in html and pin not in html
    assert "Phạm Thị Hoa" not in html and "tiepdan" not in html
    page.screenshot(path=str(shots / "track-screen.png"), full_page=True)
    page.set_viewport_size({"width": 559, "height": 794})
    page.emulate_media(media="print")
    assert "GIẤY BIÊN NHẬN ĐƠN (IN LẠI)" in result.inner_text()
    assert not page.locator("#id_pin").is_visible()
    page.screenshot(path=str(shots / "track-print.png"), full_page=True)
    assert close_to(page_size(page.pdf(prefer_css_page_size=True)), A5)
    assert violations == []


def look_up(page, base, code, pin):
    page.goto(base + "/track/")
    page.fill("#id_code", code)
    page.fill("#id_pin", pin)
    page.locator("main form button[type=submit]").click()
    page.locator("#result").wait_for()
    return page.locator("#result")


def test_the_citizen_sees_the_decision_and_the_appeal_deadline_then_a_conclusion(live_server, page, shots):
    """A complaint decided on Thu 30/07/2026: appeal by Thu 03/09/2026 (30 days, past the National Day
    break); a denunciation shows a conclusion, not a decision."""
    import datetime as dt

    from cases import services
    from tests.factories import aware

    ward = UnitFactory(name="Phường An Khang", code="phuong-ak2", level=UnitLevel.COMMUNE)
    clerk, head, handler = (member(ward, role) for role in (Role.RECEPTION, Role.HEAD, Role.HANDLER))

    def on(day):
        return aware(dt.date(2026, 7, day))

    def decided(kind, number, summary, **extra):
        result = services.case_intake(actor=clerk, kind=kind, channel="in_person", received_at=on(6), receiving_unit=ward,
                                      competent_unit=ward, content="Nội dung đơn.", petitioners=[PETITIONER], now=on(6),
                                      start_process=False, **extra)
        services.case_accept(case=result.case, actor=head, now=on(8))
        services.case_assign(case=result.case, actor=head, handler=handler, now=on(8))
        services.case_start_verification(case=result.case, actor=handler, now=on(9))
        services.case_decide(case=result.case, actor=head, decision_number=number, summary=summary, now=on(30))
        return result

    complaint = decided("complaint", "45/QĐ-UBND", "Giữ nguyên quyết định thu hồi đất.", respondent_number="15/QĐ-UBND")
    denunciation = decided("denunciation", "12/KL-UBND", "Tố cáo đúng một phần.", accused="Cán bộ địa chính")
    base = live_server.url

    result = look_up(page, base, complaint.case.tracking_code, complaint.pin)
    assert result.locator('[data-field="decision_number"]').inner_text() == "45/QĐ-UBND"
    assert result.locator('[data-field="appeal_due"]').inner_text() == "03/09/2026"
    assert "khởi kiện" in result.inner_text() and "Điều 33(1) Luật Khiếu nại" in result.inner_text()
    page.screenshot(path=str(shots / "track-decided-vi.png"), full_page=True)

    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    result = look_up(page, base, complaint.case.tracking_code, complaint.pin)
    assert "Decision on the complaint" in result.inner_text() and "second complaint" in result.inner_text()
    page.screenshot(path=str(shots / "track-decided-en.png"), full_page=True)

    result = look_up(page, base, denunciation.case.tracking_code, denunciation.pin)
    assert result.locator('[data-field="outcome-title"]').inner_text() == "Conclusion on the content of the denunciation"
    assert not result.locator('[data-field="appeal_due"]').count()
    html = page.content()
    assert PETITIONER["full_name"] not in html and "Cán bộ địa chính" not in html
    page.screenshot(path=str(shots / "track-concluded-en.png"), full_page=True)
