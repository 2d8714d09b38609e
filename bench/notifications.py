#!/usr/bin/env python
"""Benchmark: N cases become overdue in one sweep; the escalations and digests that follow (not a test).

    python bench/notifications.py [--n 100000] [--handlers 50] [--database-url postgres://…/test_bench]

Generates N open cases that all passed a deadline yesterday (one unit, one
head, ``--handlers`` handlers sharing the cases), then times in one run:

  sweep   ``cases.sla.sweep_sla`` with the notifications subscriber detached (states, flags, events);
  notify  what notifications does with it: the digests of that sweep (``build_digests``: to the
          head and each handler), then the daily run (``daily_digests``: the chain's link to the
          unit above and one digest message per person in the outbox), Celery hand-off excluded;

and reports notify / sweep, the queries each took (for N and N/10: they must not grow with N)
and the number of outbox rows (one per person, not one per case). The database is wiped.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import sla_sweep  # noqa: E402  (the sweep bench's data generator)

sla_sweep.NEWLY["all"] = "true"


def measure(n: int, handlers: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import events
    from cases.sla import sweep_sla
    from notifications import digests, outbox
    from notifications.models import Escalation, Notification
    from organisation.models import Membership, Role

    data = sla_sweep.Data(n, layout="all")
    data.generate()
    users = get_user_model()
    ids = []
    for i in range(handlers):
        user, _ = users.objects.get_or_create(username=f"bench-handler-{i}", defaults={"email": f"h{i}@bench.invalid"})
        Membership.objects.get_or_create(user=user, unit=data.unit, role=Role.HANDLER)
        ids.append(user.pk)
    users.objects.filter(pk=data.head.pk).update(email="head@bench.invalid")
    sla_sweep.sql(f"UPDATE cases_case SET handler_id = (%(ids)s::bigint[])[1 + id %% {handlers}]", {"ids": ids})
    sla_sweep.sql("TRUNCATE notifications_notification, notifications_escalation")
    sla_sweep.vacuum()

    events.sla_alerts_recorded.disconnect(dispatch_uid="notifications.digests")
    try:
        with CaptureQueriesContext(connection) as sweep_queries:
            start = time.perf_counter()
            result = sweep_sla(now=data.now)
            sweep_seconds = time.perf_counter() - start
    finally:
        events.sla_alerts_recorded.connect(digests.on_sla_alerts, dispatch_uid="notifications.digests")
    outbox.enqueue = lambda ids: None  # the Celery hand-off (one message per person) is not timed
    with CaptureQueriesContext(connection) as notify_queries:
        start = time.perf_counter()
        built = digests.build_digests(now=data.now, first_id=result.first_event_id, last_id=result.last_event_id)
        queued = digests.daily_digests(now=data.now)
        notify_seconds = time.perf_counter() - start
    return {
        "n": n, "overdue": result.cases, "events": result.events, "sweep_s": sweep_seconds,
        "notify_s": notify_seconds, "ratio": notify_seconds / sweep_seconds,
        "sweep_queries": len(sweep_queries), "notify_queries": len(notify_queries),
        "escalations": built, "escalation_rows": Escalation.objects.count(), "digest_messages": queued,
        "outbox_rows": Notification.objects.count(), "people": handlers + 1,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--handlers", type=int, default=50)
    parser.add_argument("--database-url", default=sla_sweep.DEFAULT_URL)
    args = parser.parse_args()
    sla_sweep.ensure_database(args.database_url)
    sla_sweep.setup_django(args.database_url)
    small = measure(max(args.n // 10, 1), args.handlers)
    large = measure(args.n, args.handlers)
    for row in (small, large):
        print(f"N={row['n']:>8}  overdue={row['overdue']:>8}  sweep {row['sweep_s']:.3f} s ({row['sweep_queries']} queries)"
              f"  notify {row['notify_s']:.3f} s ({row['notify_queries']} queries)  ratio {row['ratio']:.2f}x"
              f"  escalations {row['escalation_rows']}  digest messages {row['digest_messages']}"
              f"  outbox rows {row['outbox_rows']} for {row['people']} people")
    assert large["notify_queries"] == small["notify_queries"], "the notifications' queries grew with N"
    assert large["outbox_rows"] == large["people"], "not one digest per person"


if __name__ == "__main__":
    main()
