"""The intake form in a real browser (issue 7): the kind's own fields, petitioner rows added without a reload,
the live look-up of a person's earlier petitions, and no CSP violation on the way."""
import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member

from .test_csp_browser import Violations, log_in, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kind_toggle_rows_without_reload_and_live_lookup(live_server, page, transactional_db):
    province = UnitFactory(name="Tỉnh Thử", level=UnitLevel.PROVINCE)
    commune = UnitFactory(name="Xã Thử", parent=province)
    reception = with_password(member(commune, Role.RECEPTION, username="tiepdan.thu"))
    received = timezone.now() - dt.timedelta(hours=2)
    earlier = services.case_intake(
        actor=reception, kind="complaint", channel="in_person", received_at=received, receiving_unit=commune,
        content="Khiếu nại", respondent_number="1/QĐ-UBND", start_process=False, now=received,
        petitioners=[{"full_name": "Nguyễn Văn An", "id_number": "001099000001"}],
    ).case
    base = live_server.url
    violations = Violations().watch(page)
    log_in(page, base, "tiepdan.thu")
    page.goto(base + "/cases/new/")
    page.select_option("#id_kind", "complaint")
    assert page.locator("#id_respondent_number").is_visible() and page.locator("#id_knew_on").is_visible()
    assert not page.locator("#id_accused").is_visible()
    page.select_option("#id_kind", "denunciation")
    assert page.locator("#id_accused").is_visible() and not page.locator("#id_respondent_number").is_visible()
    page.select_option("#id_kind", "feedback")
    assert not page.locator("#id_accused").is_visible() and not page.locator("#id_knew_on").is_visible()

    page.evaluate("window.__sameDocument = true")
    for _ in range(4):
        page.click("#people-add")
    assert page.locator("#people-rows tr.person").count() == 7
    assert page.input_value("input[name=people-TOTAL_FORMS]") == "7"
    assert page.locator("input[name=people-6-full_name]").count() == 1
    assert page.evaluate("typeof window.htmx") == "object"
    page.locator("input[name=people-6-id_number]").press_sequentially("001 099 000 001")
    page.locator("#petitioner-lookup").get_by_text(earlier.tracking_code).wait_for(timeout=5000)
    assert page.evaluate("window.__sameDocument") is True  # no reload on the way
    assert "Nguyễn Văn An" not in page.inner_html("#petitioner-lookup")
    assert not violations, violations
