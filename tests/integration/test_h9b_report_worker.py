"""A real Celery worker computes a queued roll-up: progress moves to 100 and the three files are stored."""
import datetime as dt
import io

import pytest
import redis
from openpyxl import load_workbook
from pypdf import PdfReader

from config.celery import app
from reports.models import ReportRun
from reports.runs import start_run
from reports.tasks import report_run_task
from tests.integration.test_sla_worker import (
    REDIS_URL,
    base_env,
    database_url,
    wait_for,
    worker,
)
from tests.reports.h9b_world import World, make_case

pytestmark = pytest.mark.integration


def queue_on_the_workers_broker(monkeypatch):
    """The web process queues runs on its own broker; here, on the Redis the test's worker reads."""
    def send(run_id):
        with app.connection_for_write(REDIS_URL) as connection:
            report_run_task.apply_async(args=[run_id], connection=connection)

    monkeypatch.setattr("reports.tasks.report_run_task.delay", send)


def empty_broker():
    redis.Redis.from_url(REDIS_URL).flushdb()


def report_worker(tmp_path):
    var_dir = tmp_path / "worker"
    var_dir.mkdir()
    return worker("reports", base_env(var_dir, DATABASE_URL=database_url(), REDIS_URL=REDIS_URL), tmp_path)


@pytest.mark.django_db(transaction=True)
def test_a_worker_computes_a_queued_rollup_and_stores_its_files(tmp_path, monkeypatch):
    world = World()
    make_case(world.ward_a, received=dt.date(2026, 3, 2))
    make_case(world.hamlet, received=dt.date(2026, 4, 2), kind="denunciation")
    make_case(world.ward_b, received=dt.date(2026, 5, 2))
    make_case(world.elsewhere, received=dt.date(2026, 5, 2))
    queue_on_the_workers_broker(monkeypatch)
    empty_broker()
    with report_worker(tmp_path) as log:
        run = start_run(actor=world.compiler, unit=world.committee, rollup=True, date_from=dt.date(2025, 12, 15),
                        date_to=dt.date(2026, 6, 14), label="H1-2026")
        assert run.in_background
        wait_for(lambda: ReportRun.objects.filter(pk=run.pk, state="done").exists(), [log], "the run did not finish")
    run.refresh_from_db()
    assert run.progress == 100 and run.generated_at is not None
    assert run.result["petitions"]["received"] == 3
    assert run.result["petitions"]["by_kind"]["denunciation"] == 1
    load_workbook(io.BytesIO(bytes(run.xlsx)))
    assert len(PdfReader(io.BytesIO(bytes(run.pdf))).pages) >= 1
    assert bytes(run.csv)
