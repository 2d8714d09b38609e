"""A head of unit logs in with a real browser, sees the unit's counts, and switches to English."""
import datetime as dt

import pytest
from django.utils import timezone

from cases.services import case_intake
from cases.sla import sweep_sla
from organisation.models import Role
from tests.factories import UnitFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def take_in(unit, actor, received_at):
    return case_intake(
        actor=actor, kind="complaint", channel="in_person", received_at=received_at, receiving_unit=unit,
        content="Khiếu nại quyết định thu hồi đất", respondent_number="12/QĐ-UBND",
        petitioners=[{"full_name": "Nguyễn Văn An", "id_number": "001099000001"}], now=received_at,
        start_process=False,
    ).case


@pytest.fixture
def browser_context_args(browser_context_args):
    """A browser set up for Vietnamese, as at a ward office."""
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.fixture
def unit_with_cases(transactional_db):
    unit = UnitFactory(name="Phường Thử Nghiệm")
    other = UnitFactory()
    reception = member(unit, Role.RECEPTION)
    head = member(unit, Role.HEAD, username="truongphong")
    head.set_password("demo12345")
    head.save()
    now = timezone.now()
    # 60 days is far past any acceptance period (7-10 working days): overdue; today's is on track.
    take_in(unit, reception, now - dt.timedelta(days=60))
    take_in(unit, reception, now - dt.timedelta(minutes=5))
    take_in(other, member(other, Role.RECEPTION), now - dt.timedelta(days=60))  # another unit's: not counted
    sweep_sla(now=now)
    return unit


def test_head_logs_in_sees_counts_and_switches_language(live_server, page, unit_with_cases):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Đăng nhập").first.click()

    page.fill("#id_username", "truongphong")
    page.fill("#id_password", "demo12345")
    page.get_by_role("button", name="Đăng nhập").click()

    counts = page.locator("#counts")
    counts.wait_for()
    assert "Vụ việc đang xử lý" in counts.inner_text()
    assert "Phường Thử Nghiệm" in counts.inner_text()
    assert page.locator('[data-count="open"]').inner_text() == "2"
    assert page.locator('[data-count="overdue"]').inner_text() == "1"
    assert page.locator('[data-count="due_soon"]').inner_text() == "0"
    assert page.get_by_role("link", name="Việc của tôi").first.get_attribute("href") == "/workflow/"

    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Open cases" in page.locator("#counts").inner_text()
    assert page.locator('[data-count="open"]').inner_text() == "2"
