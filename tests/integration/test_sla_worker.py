"""A real Celery worker with embedded beat runs the SLA sweep: on Redis + PostgreSQL, and on the embedded default."""
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from cases.models import Case, CaseEvent
from notifications.models import Escalation
from organisation.models import Role
from tests.cases.test_sla_sweep import make_case
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("INTEGRATION_REDIS_URL", "redis://127.0.0.1:6379/5")
POLL_SECONDS = 60


def database_url() -> str:
    """A URL for the pytest-django test database the test process is using."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def base_env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(var_dir), SLA_SWEEP_INTERVAL_SECONDS="1", **extra)
    return env


@contextmanager
def worker(name: str, env: dict, log_dir: Path):
    """``celery -A config worker -B`` as a subprocess, terminated (then killed) on the way out."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--loglevel=info", "--concurrency=1",
             "-n", f"{name}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            yield log
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def wait_for(predicate, logs, what: str):
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
    raise AssertionError(f"{what} within {POLL_SECONDS} s\n{tails}")


def postgres_workers(tmp_path: Path, count: int):
    redis.Redis.from_url(REDIS_URL).flushdb()
    stack = ExitStack()
    logs = []
    for i in range(count):
        var_dir = tmp_path / f"w{i}"  # each beat keeps its own schedule file
        var_dir.mkdir()
        logs.append(stack.enter_context(worker(f"w{i}", base_env(var_dir, DATABASE_URL=database_url(), REDIS_URL=REDIS_URL), tmp_path)))
    return stack, logs


@pytest.fixture
def overdue_case(db):
    unit = UnitFactory()
    member(unit, Role.HEAD)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return make_case(unit, received=yesterday - dt.timedelta(days=10), acceptance_due=yesterday)


def is_overdue(case):
    return lambda: Case.objects.filter(pk=case.pk, acceptance_sla="overdue").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers-racing"])
def test_worker_and_beat_mark_a_passed_deadline_overdue_once(overdue_case, tmp_path, workers):
    stack, logs = postgres_workers(tmp_path, workers)
    with stack:
        wait_for(is_overdue(overdue_case), logs, "the case did not become overdue")
        # let several more sweeps run, from every worker, before counting
        time.sleep(4)
    events = CaseEvent.objects.filter(case=overdue_case, action__startswith="sla_")
    assert list(events.values_list("action", flat=True)) == ["sla_overdue"]
    assert [e.case_ids for e in Escalation.objects.all()] == [[overdue_case.pk]]
    assert all("sla_sweep_task" in log.read_text() for log in logs)


SEED = """
import datetime as dt
import json
from django.utils import timezone
from cases.models import Case
from organisation.models import Unit
unit = Unit.objects.create(code="xa-1", name="Xã 1", level="commune")
yesterday = timezone.localdate() - dt.timedelta(days=1)
Case.objects.create(kind="complaint", channel="mail", content="x", receiving_unit=unit, tracking_code="EMB1", pin_hash="x",
                    received_at=timezone.now() - dt.timedelta(days=10), acceptance_due=yesterday)
"""


@pytest.mark.django_db  # the suite's autouse fixtures touch the test database; this test itself uses its own SQLite
def test_embedded_default_filesystem_broker_and_sqlite(tmp_path):
    """No DATABASE_URL or REDIS_URL: SQLite in VAR_DIR and kombu's filesystem:// transport."""
    env = base_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True)

    def sqlite_rows(sql):
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            return db.execute(sql).fetchall()

    with worker("embedded", env, tmp_path) as log:
        wait_for(lambda: sqlite_rows("SELECT acceptance_sla FROM cases_case") == [("overdue",)], [log],
                 "the embedded worker did not sweep")
        time.sleep(2)
    assert "filesystem" in log.read_text()
    assert sqlite_rows("SELECT action FROM cases_caseevent") == [("sla_overdue",)]


@pytest.mark.django_db  # as above: the sweep itself runs on its own SQLite file
def test_sweep_on_sqlite_reports_what_it_wrote(tmp_path):
    """The embedded default's sweep path: counts, events and a head's digest, then nothing on a re-run."""
    env = base_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    head = SEED + (
        "from django.contrib.auth import get_user_model\n"
        "from organisation.models import Membership\n"
        "Membership.objects.create(user=get_user_model().objects.create(username='head'), unit=unit, role='head')\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", head], cwd=ROOT, env=env, check=True)

    def sweep():
        out = subprocess.run([sys.executable, "manage.py", "sla_sweep"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    first = sweep()
    assert (first["cases"], first["events"], first["escalations"], first["acceptance"]) == (1, 1, 1, 1)
    assert sweep() == {**first, "cases": 0, "events": 0, "escalations": 0, "acceptance": 0,
                       "backlogged": 0, "prolonged": 0, "resolution": 0, "notice": 0}
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT reason, case_count FROM notifications_escalation").fetchall() == [("overdue", 1)]
