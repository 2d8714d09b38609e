"""In a real browser: the compiling office starts a roll-up, watches a real worker's progress, downloads
the xlsx and reads it back."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from reports.models import ReportRun
from tests.integration.test_h9b_report_worker import (
    empty_broker,
    queue_on_the_workers_broker,
    report_worker,
)
from tests.reports.h9b_world import World, make_case
from tests.web.test_journeys import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    world = World()
    world.compiler.set_password(PASSWORD)
    world.compiler.save()
    make_case(world.ward_a, received=dt.date(2026, 3, 2))
    make_case(world.hamlet, received=dt.date(2026, 4, 2), kind="denunciation")
    make_case(world.ward_b, received=dt.date(2026, 5, 2), kind="recommendation")
    return world


def test_the_compiler_starts_a_rollup_watches_it_and_downloads_the_xlsx(live_server, page, world, tmp_path,
                                                                        monkeypatch):
    queue_on_the_workers_broker(monkeypatch)
    empty_broker()
    base = live_server.url
    log_in(page, base, world.compiler.username)
    page.goto(base + "/reports/")
    page.select_option("#id_unit", str(world.committee.pk))
    page.check("#id_rollup")
    page.select_option("#id_period", "H1")
    page.fill("#id_year", "2026")
    with page.expect_navigation():
        page.locator("form.report-form button[type=submit]").click()

    run = ReportRun.objects.get()
    assert run.in_background and run.rollup
    progress = page.locator("#report-progress")
    assert progress.get_attribute("data-state") == "queued"  # no worker yet: the page polls
    assert page.locator("#report-progress-bar").get_attribute("value") == "0"

    with report_worker(tmp_path):
        # htmx polls every second; when the worker is done the page reloads with the figures and files
        page.locator(".report-downloads a", has_text="xlsx").wait_for(timeout=60_000)
    assert page.locator('[data-figure="petitions.received"] td').inner_text() == "3"
    assert page.locator(".chart canvas").count() >= 1

    with page.expect_download() as download_info:
        page.locator(".report-downloads a", has_text="xlsx").click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    cells = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert 3 in cells  # the petitions received, as in the page and the JSON
