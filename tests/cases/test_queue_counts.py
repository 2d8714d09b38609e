"""The home counters come from counts the database keeps per pair of units; they must equal the queues."""
import datetime as dt
import itertools
import random

import pytest
from django.db import connection

from cases import queue_counts, selectors
from cases.models import OPEN_STATUSES, Case, QueueCount, QueueCountDelta, SlaState, Status
from cases.selectors import QUEUES
from tests.factories import aware

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database keeps the counts on PostgreSQL"),
]

_codes = itertools.count(1)

VARIED = {
    "status": [*Status.values],
    "sla_state": [*SlaState.values],
    "is_backlogged": [True, False],
    "is_prolonged": [True, False],
    "is_over_level": [True, False],
    "is_mass": [True, False],
    "is_duplicate": [True, False],
    "extension_requested": [True, False],
}


def _case(rng, units, handler):
    fields = {name: rng.choice(values) for name, values in VARIED.items()}
    return Case.objects.create(
        kind="complaint", channel="in_person", received_at=aware(dt.date(2026, 7, 6)),
        receiving_unit=rng.choice(units), competent_unit=rng.choice([None, *units]),
        content="Nội dung", tracking_code=f"QC{next(_codes):08d}", pin_hash="x",
        handler=rng.choice([None, handler]), **fields,
    )


COLUMNS = [f.attname for f in QueueCount._meta.fields if f.name != "id"]


def _totals():
    """Per pair: base row + pending deltas (what the counters read), without the all-zero pairs."""
    totals = {}
    for model in (QueueCount, QueueCountDelta):
        for row in model.objects.values_list(*COLUMNS):
            key, values = row[:2], row[2:]
            totals[key] = tuple(a + b for a, b in zip(totals.get(key, (0,) * len(values)), values))
    return {key: values for key, values in totals.items() if any(values)}


def _assert_counts_match_queues(users):
    for user in users:
        kept = selectors.sla_counts(user=user)
        assert kept == selectors.live_queue_counts(user=user)
        assert kept == {name: selectors.queue(user=user, name=name).count() for name in QUEUES}


def test_every_queue_has_a_kept_count():
    assert set(queue_counts.CONDITIONS) == set(QUEUES)


def test_kept_counts_follow_inserts_updates_and_deletes(world):
    """Random cases over every condition and pair of units, then bulk and single changes of each field."""
    rng = random.Random(20261128)
    units = [world.commune, world.remote_commune, world.province]
    users = [world.head, world.province_head, world.outsider, world.handler]
    cases = [_case(rng, units, world.handler) for _ in range(80)]
    assert sum(selectors.sla_counts(user=world.province_head).values()) > 0
    _assert_counts_match_queues(users)

    for step in range(12):
        if step == 6:  # a fold in the middle: the deltas move into the base rows, the counts stay
            before = _totals()
            assert QueueCountDelta.objects.exists()
            assert queue_counts.fold() > 0
            assert not QueueCountDelta.objects.exists()
            assert _totals() == before
            _assert_counts_match_queues(users)
        chosen = [c.pk for c in rng.sample(cases, 15)]
        field = rng.choice([*VARIED, "handler", "receiving_unit", "competent_unit"])
        if field == "handler":
            value = rng.choice([None, world.handler])
        elif field in ("receiving_unit", "competent_unit"):
            value = rng.choice(units if field == "receiving_unit" else [None, *units])
        else:
            value = rng.choice(VARIED[field])
        Case.objects.filter(pk__in=chosen).update(**{field: value})  # one statement over many rows, as the sweep
        single = Case.objects.get(pk=rng.choice(cases).pk)
        single.is_mass = not single.is_mass
        single.save(update_fields=["is_mass"])  # one row, as an act
        _assert_counts_match_queues(users)

    Case.objects.filter(pk__in=[c.pk for c in cases[:20]]).delete()
    _assert_counts_match_queues(users)


def test_recount_rebuilds_the_same_counts(world):
    rng = random.Random(7)
    units = [world.commune, world.remote_commune]
    for _ in range(30):
        _case(rng, units, world.handler)
    before = _totals()
    assert QueueCountDelta.objects.exists()  # the triggers only appended
    QueueCount.objects.all().delete()
    QueueCountDelta.objects.filter(pk__in=QueueCountDelta.objects.order_by("pk")[:5].values("pk")).delete()
    queue_counts.recount()
    assert not QueueCountDelta.objects.exists()  # recount folds: the deltas are in the rebuilt rows
    assert _totals() == before
    assert any(values[0] for values in before.values())  # some pair holds open cases


def test_fold_moves_the_deltas_in_one_statement_and_keeps_the_totals(world, django_assert_max_num_queries):
    rng = random.Random(11)
    for _ in range(25):
        _case(rng, [world.commune, world.remote_commune], world.handler)
    before = _totals()
    with django_assert_max_num_queries(4):  # the lock, the fold (and a savepoint around them in a test)
        folded = queue_counts.fold()
    assert folded == 25 - Case.objects.exclude(status__in=OPEN_STATUSES).count()  # one delta per open case
    assert not QueueCountDelta.objects.exists()
    assert _totals() == before
    assert QueueCount.objects.count() <= 6
    assert queue_counts.fold() == 0  # nothing left: a no-op
    assert _totals() == before


def test_counts_are_a_few_rows_whatever_the_number_of_cases(world, django_assert_max_num_queries):
    rng = random.Random(3)
    for _ in range(40):
        _case(rng, [world.commune, world.remote_commune], world.handler)
    queue_counts.fold()
    assert QueueCount.objects.count() <= 6  # 2 receiving × 3 competent (none, either)
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, receiving_unit=world.commune).count()
    with django_assert_max_num_queries(3):  # the memberships, the units below them, the counts
        counts = selectors.sla_counts(user=world.head)
    assert counts["open"] >= open_cases
