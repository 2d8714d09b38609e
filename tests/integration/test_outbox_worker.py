"""The outbox with real workers: one e-mail when the worker dies before acking; delivery after a Redis outage."""
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

from notifications import outbox
from notifications.models import Channel, Notification
from tests.cases.conftest import World, complaint_kwargs
from tests.factories import aware

from .test_sla_worker import ROOT, base_env, database_url, wait_for

pytestmark = pytest.mark.integration


def worker_env(tmp_path: Path, **extra) -> dict:
    """The test database and this process's identity keys (the worker decrypts the addresses)."""
    from cases import crypto

    return base_env(tmp_path, DATABASE_URL=database_url(), IDENTITY_KEYS=",".join(crypto.identity_keys()),
                    IDENTITY_INDEX_KEY=crypto.index_key().decode(), **extra)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf8", errors="replace"))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def celery_worker(name: str, env: dict, log_dir: Path, *, beat: bool = False, include: str = ""):
    log = log_dir / f"{name}.log"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=info", "--concurrency=1",
            "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:
        args.append("-B")
    if include:
        args += ["--include", include]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc, log
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)


def state_of(pk):
    return Notification.objects.filter(pk=pk).values_list("state", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_one_email_when_the_worker_dies_after_sending_before_acking(tmp_path, broker_at):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"  # a Redis of its own: nothing shared is flushed or stopped
    broker_at(url)
    note = Notification.objects.create(
        delivery_key="test:kill-before-ack", channel=Channel.EMAIL, audience="petitioner",
        address="citizen@example.vn", template_key="receipt", language="vi",
        context={"tracking_code": "KN-TEST-1", "unit": "Xã A", "kind": "Khiếu nại", "date": "06/07/2026"},
        created_at=aware(dt.date(2026, 7, 6)))
    with own_redis(port, tmp_path), smtp_server() as (inbox, smtp_port):
        env = worker_env(tmp_path, REDIS_URL=url, EMAIL_HOST="127.0.0.1",
                         EMAIL_PORT=str(smtp_port), CELERY_VISIBILITY_TIMEOUT="2",
                         # kombu's clock shrunk like the visibility timeout: it looks for unacked messages every
                         # 10 s but scans only every 10th time, and a worker killed holding its restore lock
                         # holds every redelivery for 5 minutes: either could outlast the wait below
                         CELERY_BROKER_TRANSPORT_OPTIONS=json.dumps({
                             "unacked_mutex_expire": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}))
        (tmp_path / "a").mkdir()
        with celery_worker("a", {**env, "VAR_DIR": str(tmp_path / "a"), "TEST_PAUSE_BEFORE_ACK": "120"}, tmp_path,
                           include="tests.integration.pause_before_ack") as (first, log_a):
            outbox.enqueue([note.pk])
            wait_for(lambda: len(inbox.messages) == 1 and state_of(note.pk) == "sent", [log_a],
                     "the first worker did not send the e-mail")
            os.killpg(first.pid, signal.SIGKILL)  # after the send and its commit, before the ack
            first.wait(10)
        assert "KN-TEST-1" in inbox.messages[0] and "X-Delivery-Key: test:kill-before-ack" in inbox.messages[0]
        (tmp_path / "b").mkdir()
        with celery_worker("b", {**env, "VAR_DIR": str(tmp_path / "b")}, tmp_path) as (_second, log_b):
            # the unacked message is handed out again once its visibility timeout has passed
            wait_for(lambda: "skipped" in log_b.read_text(), [log_b], "the message was not redelivered")
        assert len(inbox.messages) == 1


@contextmanager
def own_redis(port: int, log_dir: Path):
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no", "--daemonize", "no"], stdout=(log_dir / f"redis-{port}.log").open("wb"),
                            stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)
    try:
        wait_for(lambda: _pings(client), [], "redis did not start")
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def world(transactional_db):
    return World()


@pytest.fixture
def broker_at():
    """Point this process's Celery app at another broker for the test, then back."""
    from config.celery import app

    previous = app.conf.broker_url

    def point(url):
        from kombu import pools

        app.conf.broker_url = url
        pools.reset()  # kombu's process-wide connection and producer pools, keyed by broker
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    point(previous)


@pytest.mark.django_db(transaction=True)
def test_a_case_logged_while_redis_is_down_is_saved_and_its_message_sent_once_redis_is_back(
        tmp_path, world, broker_at, settings, client, monkeypatch):
    from cases import services
    from tests.cases.test_intake_view import form_data, form_token

    settings.NOTIFICATIONS_QUIET_HOURS = False
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    broker_at(url)
    with own_redis(port, tmp_path):
        pass  # started, then stopped: the broker is down from here on
    refused = []
    monkeypatch.setattr(outbox.logger, "warning", lambda *args, **kwargs: refused.append(sys.exc_info()[1]))
    # the service: the case is saved and its SMS waits in the outbox
    case = services.case_intake(**complaint_kwargs(world)).case
    # the reception desk's page: answers as usual, no 500
    client.force_login(world.reception)
    response = client.post("/cases/new/", form_data(world, token=form_token(client), **{
        "people-0-phone": "0900000002"}))
    assert response.status_code == 303, response.content.decode()[:2000]
    # the API (issue 10): the same intake, answered 201 with the case; its message waits too
    from rest_framework.test import APIClient

    from tests.api.test_cases_api import intake_body

    api = APIClient()
    api.force_authenticate(world.reception)
    created = api.post("/api/v1/cases/", intake_body(world, petitioners=[
        {"full_name": "Lê Văn C", "id_number": "001090000003", "phone": "0900000003"}]), format="json",
        HTTP_IDEMPOTENCY_KEY="outage-1")
    assert created.status_code == 201, created.content.decode()[:2000]
    notes = Notification.objects.filter(template_key="receipt", channel=Channel.SMS)
    assert notes.count() == 3 and set(notes.values_list("state", flat=True)) == {"pending"}
    assert case.pk and len(refused) == 3  # each act tried the broker after commit, and was refused
    assert all("refused" in str(exc).lower() or "connect" in str(exc).lower() for exc in refused), refused
    env = worker_env(tmp_path, REDIS_URL=url, NOTIFICATIONS_PENDING_INTERVAL_SECONDS="1",
                   NOTIFICATIONS_QUIET_HOURS="0")
    sms_file = tmp_path / "sms" / "sms.jsonl"
    with own_redis(port, tmp_path), celery_worker("pending", env, tmp_path, beat=True) as (_proc, log):
        wait_for(lambda: sms_file.exists() and len(sms_file.read_text().splitlines()) == 3, [log],
                 "the pending messages were not sent once Redis was back")
        time.sleep(3)  # more beats: nothing is sent again
    lines = sms_file.read_text().splitlines()
    assert len(lines) == 3 and {"0900000001", "0900000002", "0900000003"} == {
        json.loads(line)["to"] for line in lines}
    assert set(notes.values_list("state", flat=True)) == {"sent"}
