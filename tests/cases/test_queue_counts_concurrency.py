"""Two acts on cases of one unit at once: the queue counts' triggers must not make one wait for the other's commit.

Real PostgreSQL, two threads with their own connections. The first transaction inserts a case into
the unit and stays open; the second inserts another into the same unit and commits under a short
lock timeout. An upsert of the unit's counter row (the triggers before migration 0023) held that row
locked until the first commit, so the second timed out.
"""
import datetime as dt
import itertools
import threading
import time

import pytest
from django.db import connection, connections, transaction

from cases import queue_counts, selectors
from cases.models import Case, QueueCountDelta
from cases.selectors import QUEUES
from tests.factories import aware

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database keeps the counts on PostgreSQL"),
]

_codes = itertools.count(1)


def _insert(unit):
    return Case.objects.create(
        kind="complaint", channel="in_person", received_at=aware(dt.date(2026, 7, 6)), receiving_unit=unit,
        content="Nội dung", tracking_code=f"QR{next(_codes):08d}", pin_hash="x",
    )


def test_two_open_transactions_insert_cases_into_one_unit_without_waiting(world):
    unit = world.commune
    before = selectors.sla_counts(user=world.head)["open"]
    first_inserted, second_done = threading.Event(), threading.Event()
    errors, waited = [], []

    def first():
        try:
            with transaction.atomic():
                _insert(unit)
                first_inserted.set()
                assert second_done.wait(10)  # still open while the second one inserts and commits
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            first_inserted.set()
            connections.close_all()

    def second():
        try:
            assert first_inserted.wait(10)
            started = time.monotonic()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                _insert(unit)
            waited.append(time.monotonic() - started)
        except Exception as exc:  # a lock timeout lands here
            errors.append(exc)
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors, errors
    assert waited and waited[0] < 1.5
    assert Case.objects.filter(receiving_unit=unit).count() >= 2
    counts = selectors.sla_counts(user=world.head)
    assert counts["open"] == before + 2
    assert counts == selectors.live_queue_counts(user=world.head)
    assert counts == {name: selectors.queue(user=world.head, name=name).count() for name in QUEUES}
    assert QueueCountDelta.objects.exists()
    queue_counts.fold()
    assert selectors.sla_counts(user=world.head) == counts
