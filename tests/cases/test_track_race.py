"""The /track/ lockout under a burst of concurrent guesses: real threads, PostgreSQL and the shared cache."""
import datetime as dt
import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from cases import selectors, services

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 25  # PostgreSQL's 100 connections are shared with other test runs: 25 threads, 4 requests each
PER_THREAD = 4


def burst(requests):
    """Fire ``requests`` (address, code, pin) from THREADS real threads released together; the answers' codes."""
    barrier = threading.Barrier(THREADS)
    answers, errors = [], []
    chunks = [requests[i::THREADS] for i in range(THREADS)]

    def worker(chunk):
        try:
            barrier.wait(30)
            for address, code, pin in chunk:
                answers.append((pin, Client(REMOTE_ADDR=address).post("/track/", {"code": code, "pin": pin}).status_code))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    return answers


@pytest.fixture
def checks(monkeypatch):
    """Every PIN comparison made, with its outcome."""
    made, lock = [], threading.Lock()
    real = services.check_pin

    def counting(case, pin):
        outcome = real(case, pin)
        with lock:
            made.append(outcome)
        return outcome

    monkeypatch.setattr(services, "check_pin", counting)
    return made


def test_a_burst_of_wrong_pins_checks_at_most_the_threshold_and_the_right_pin_stays_out(world, checks, settings):
    assert connection.vendor == "postgresql"
    result = services.case_intake(**denunciation_kwargs(world, received=dt.date(2026, 7, 6)))
    code, pin = result.case.tracking_code, result.pin
    wrong = "000000" if pin != "000000" else "111111"
    addresses = [f"203.0.113.{n % 200 + 1}" for n in range(THREADS * PER_THREAD)]  # a botnet: one code, many addresses
    try:
        requests = [(address, code, wrong) for address in addresses]
        requests[THREADS * 2] = (addresses[0], code, pin)  # the right PIN fired in the same burst
        answers = burst(requests)
        assert len(answers) == THREADS * PER_THREAD
        wrong_checks = checks.count(False)
        assert wrong_checks <= settings.TRACK_CODE_MAX_FAILURES
        assert len(checks) <= settings.TRACK_CODE_MAX_FAILURES + 1  # the right PIN if it came before the lock
        assert all(status == 404 for given, status in answers if given == wrong)
        # once the burst has locked the code, the right PIN does not get through
        checks.clear()
        addresses.append(f"192.0.2.{uuid.uuid4().int % 250 + 1}")
        after = Client(REMOTE_ADDR=addresses[-1]).post("/track/", {"code": code, "pin": pin})
        assert after.status_code == 404 and checks == []
    finally:
        cache.delete_many(selectors.tracking_keys(code, "")
                          + [key for address in set(addresses) for key in selectors.tracking_keys("", address)])
