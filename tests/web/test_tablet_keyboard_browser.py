"""Issue 7's "usable on a tablet" and "keyboard use": the work screens at a tablet's width without
sideways scrolling, and the intake form filled and sent with the keyboard alone."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from cases import services
from cases.sla import sweep_sla
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member

from .test_csp_browser import log_in, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}  # a 10-inch tablet held upright


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": TABLET, "has_touch": True}


@pytest.fixture
def office(transactional_db):
    province = UnitFactory(name="Tỉnh Thử Nghiệm Máy Tính Bảng", level=UnitLevel.PROVINCE)
    commune = UnitFactory(name="Xã Thử Nghiệm Có Tên Rất Dài Để Xem Bảng Xuống Dòng", parent=province)
    reception = with_password(member(commune, Role.RECEPTION, username="tiepdan.bang"))
    head = with_password(member(commune, Role.HEAD, username="lanhdao.bang"))
    received = timezone.now() - dt.timedelta(days=40)
    cases = [services.case_intake(
        actor=reception, kind="complaint", channel="in_person", received_at=received, receiving_unit=commune,
        competent_unit=commune, content="Khiếu nại quyết định thu hồi đất nông nghiệp của hộ gia đình",
        respondent_number=f"{n}/QĐ-UBND", now=received,
        petitioners=[{"full_name": f"Nguyễn Văn Thử Nghiệm {n}", "id_number": f"00109900{n:04d}"}],
    ).case for n in range(3)]
    sweep_sla(now=timezone.now())
    return {"reception": reception, "head": head, "cases": cases}


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (it scrolls sideways when positive)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_work_screens_fit_a_tablet(live_server, page, office):
    base = live_server.url
    case = office["cases"][0]
    log_in(page, base, "lanhdao.bang")
    for path in ("/", "/cases/queues/overdue/", "/cases/queues/open/", f"/cases/{case.pk}/", "/cases/register/",
                 "/workflow/inbox/", "/workflow/queue/", "/cases/dashboard/"):
        assert page.goto(base + path).status == 200, path
        assert overflow(page) <= 0, (path, overflow(page))
    log_in(page, base, "tiepdan.bang")
    assert page.goto(base + "/cases/new/").status == 200
    assert overflow(page) <= 0, ("/cases/new/", overflow(page))


def test_a_clerk_logs_a_petition_with_the_keyboard_alone(live_server, page, office):
    """Tab reaches every field of the intake form and its submit button; each stop has an accessible
    name and a visible focus ring; Enter on the button sends the petition."""
    base = live_server.url
    log_in(page, base, "tiepdan.bang")
    page.goto(base + "/cases/new/")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_content", "Khiếu nại quyết định thu hồi đất.")
    page.fill("#id_respondent_number", "7/QĐ-UBND")
    page.fill("#id_respondent_issuer", "Chủ tịch UBND xã")
    page.select_option("#id_competent_unit", str(office["cases"][0].receiving_unit_id))
    page.fill("input[name=people-0-full_name]", "Lê Thị Bàn Phím")
    page.fill("input[name=people-0-id_number]", "001099000777")
    page.locator("#id_kind").focus()
    stops, unnamed = [], []
    for _ in range(120):
        info = page.evaluate("""() => {
            const el = document.activeElement;
            const named = !!(el.labels && el.labels.length) || !!el.getAttribute('aria-label')
                || !!el.getAttribute('aria-labelledby') || !!(el.innerText || '').trim();
            return {key: el.id || el.name || el.tagName, tag: el.tagName, named,
                    submit: el.type === 'submit' && el.closest('main') !== null};
        }""")
        if info["key"] not in stops:
            stops.append(info["key"])
            if info["tag"] in ("INPUT", "SELECT", "TEXTAREA", "BUTTON", "A") and not info["named"]:
                unnamed.append(info["key"])
        if info["submit"]:
            break
        page.keyboard.press("Tab")
    assert not unnamed, unnamed
    for field in ("id_kind", "id_channel", "id_received_at", "id_content", "id_respondent_number"):
        assert field in stops, (field, stops)
    assert info["submit"], stops  # the walk ended on the form's button
    unseen = []
    for key in stops:
        if key.startswith("id_"):
            ring = page.evaluate("""(id) => { const el = document.getElementById(id); el.focus();
                const s = getComputedStyle(el); return s.outlineStyle !== 'none' && s.outlineWidth !== '0px'; }""", key)
            if not ring:
                unseen.append(key)
    assert not unseen, unseen
    page.locator("main form button[type=submit]").last.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/cases/receipt/[^/]+/$"))
