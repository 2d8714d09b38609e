#!/usr/bin/env python
"""Benchmark of the work screens against a bare Django view, server-side (not a test).

    python bench/pages.py [--n 1000000] [--requests 30] [--database-url postgres://…/test_bench] [--reuse]

Generates N cases with the sweep benchmark's generator (one commune under a province; the
head is a head of the province, so he sees the commune's cases as "his units and those
below"), sweeps them once (about 10% become overdue), gives every open case a viewflow
process with the task its status calls for (one real process per status, cloned set-based),
then times with Django's test client, in one run and for the same head, the pages in turn round after
round (so that load that comes and goes falls on all of them alike):

  the inbox (/workflow/inbox/: the head has claimed the handler assignments of the accepted
  cases, a sixth of N), the overdue queue (50 rows, filtered by kind, sorted by due date), the
  case page (/cases/<id>/), the home counters (/);
  the baseline: a bare view rendering the same 50 rows from one indexed query.

Targets: each page's p95 ≤ 3× the bare view's p95, and the number of queries of each page
the same at N as at 1,000 cases. The database is wiped: never point it at real data.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sla_sweep import DEFAULT_URL, Data, ensure_database, setup_django, sql, timed, vacuum  # noqa: E402

SMALL = 1_000


def give_processes(data: Data) -> None:
    """A process and its task for every open case: one real start per status, then cloned by SQL."""
    from django.db import connection, transaction
    from viewflow.workflow.models import Process, Task

    from cases.models import Case
    from workflows.flows import start_case_process
    from workflows.models import CaseProcess

    p_cols = [f.column for f in Process._meta.concrete_fields if not f.primary_key]
    t_cols = [f.column for f in Task._meta.concrete_fields if not f.primary_key and f.column != "process_id"]
    statuses = [s for (s,) in sql("SELECT DISTINCT status FROM cases_case", fetch=True)]
    for status in statuses:
        template = Case.objects.filter(status=status).order_by("pk").first()
        with transaction.atomic():
            process = start_case_process(template)
        task = Task.objects.filter(process=process).exclude(status="DONE").order_by("-pk").first()
        if task is None:
            continue
        offset_p = (sql("SELECT COALESCE(MAX(id), 0) FROM viewflow_process", fetch=True)[0][0]) + 1
        offset_t = (sql("SELECT COALESCE(MAX(id), 0) FROM viewflow_task", fetch=True)[0][0]) + 1
        where = "c.status = %(status)s AND c.id <> %(template)s"
        params = {"status": status, "template": template.pk, "p": process.pk, "t": task.pk,
                  "op": offset_p, "ot": offset_t}
        sql(f"INSERT INTO {Process._meta.db_table} (id, {', '.join(p_cols)}) SELECT c.id + %(op)s, "
            f"{', '.join('t.' + c for c in p_cols)} FROM cases_case c, {Process._meta.db_table} t "
            f"WHERE t.id = %(p)s AND {where}", params)
        sql(f"INSERT INTO {CaseProcess._meta.db_table} (process_ptr_id, case_id) SELECT c.id + %(op)s, c.id "
            f"FROM cases_case c WHERE {where}", params)
        sql(f"INSERT INTO {Task._meta.db_table} (id, process_id, {', '.join(t_cols)}) SELECT c.id + %(ot)s, "
            f"c.id + %(op)s, {', '.join('t.' + c for c in t_cols)} FROM cases_case c, {Task._meta.db_table} t "
            f"WHERE t.id = %(t)s AND {where}", params)
        with connection.cursor() as cursor:  # the next real start must not take a cloned id
            for table in (Process._meta.db_table, Task._meta.db_table):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    vacuum()
    sql("VACUUM ANALYZE viewflow_process")
    sql("VACUUM ANALYZE viewflow_task")


def world(n: int):
    """Generate n cases under a province, sweep them, give them processes; return (client, pages)."""

    from cases.sla import sweep_sla
    from organisation.models import Membership, Role, Unit

    data = Data(n)
    sql("TRUNCATE viewflow_process, viewflow_task RESTART IDENTITY CASCADE")
    province, _ = Unit.objects.get_or_create(code="bench-province", defaults={"name": "Tỉnh Bench", "level": "province"})
    data.unit.parent = province
    data.unit.save()
    Membership.objects.get_or_create(user=data.head, unit=province, role=Role.HEAD)
    data.generate()
    sql("UPDATE cases_case SET competent_unit_id = receiving_unit_id")
    sweep_sla()
    give_processes(data)
    # the head has claimed the handler assignments of the accepted cases (a sixth of them): his inbox is
    # full; the bench stops if the flow renamed the step and the inbox would be measured empty
    claimed = sql("UPDATE viewflow_task SET owner_id = %(head)s, status = 'ASSIGNED', assigned = now() "
                  "WHERE flow_task LIKE %(task)s AND status = 'NEW'",
                  {"head": data.head.pk, "task": "%.assign_handler"})
    if claimed < n // 10:
        raise SystemExit(f"the head's inbox holds {claimed} tasks: is assign_handler still the head's step?")
    sql("ANALYZE viewflow_task")  # as autovacuum would after such a change: the planner must know his inbox is big
    return pages_for(data.head, data.unit)


def pages_for(head, unit):
    """The head's client and the pages to time."""
    from django.test import Client

    some_case = sql("SELECT id FROM cases_case WHERE sla_state = 'overdue' ORDER BY id LIMIT 1", fetch=True)[0][0]
    client = Client()
    client.force_login(head)
    pages = {
        "inbox": "/workflow/inbox/",
        "overdue queue": "/cases/queues/overdue/?kind=complaint&sort=due",
        "case page": f"/cases/{some_case}/",
        "home counters": "/",
        "bare view (baseline)": f"/bench/bare/?unit={unit.pk}",
    }
    return client, pages


def query_count(client, url: str) -> int:
    """Queries of one request (after three warm-up requests)."""
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql_text, params, many, context):
        queries.append(sql_text)
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    return len(queries)


def measure(client, pages: dict, requests: int) -> dict:
    """{name: (times, queries)}. The pages are requested in turn, round after round, so that a load
    that comes and goes on the machine falls on every page and on the baseline alike (timing each page
    in one block let a burst of load land on one page and skew its ratio)."""
    counts = {name: query_count(client, url) for name, url in pages.items()}
    times = {name: [] for name in pages}
    for _ in range(requests):
        for name, url in pages.items():
            elapsed, _response = timed(lambda: client.get(url))
            times[name].append(elapsed)
    return {name: (times[name], counts[name]) for name in pages}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true",
                        help="time the cases a previous run left in the database (no counts at 1,000)")
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    if args.reuse:
        from organisation.models import Membership, Role, Unit

        head = Membership.objects.get(unit__code="bench-province", role=Role.HEAD).user
        n = sql("SELECT COUNT(*) FROM cases_case", fetch=True)[0][0]
        print(f"reusing the {n:,} cases in the database", flush=True)
        client, pages = pages_for(head, Unit.objects.get(code="bench-unit"))
        small_counts = None
    else:
        print(f"query counts at {SMALL:,} cases …", flush=True)
        client, pages = world(SMALL)
        small_counts = {name: query_count(client, url) for name, url in pages.items()}

        print(f"generating {args.n:,} cases with their processes …", flush=True)
        elapsed, (client, pages) = timed(lambda: world(args.n))
        print(f"  {elapsed:.0f} s")
    results = measure(client, pages, args.requests)
    base = p95(results["bare view (baseline)"][0])
    print(f"\n{'page':24} {'p50 ms':>8} {'p95 ms':>8} {'p95/bare':>9} {'queries':>8} {'at 1k':>6}")
    failed = False
    for name, (times, count) in results.items():
        ratio = p95(times) / base
        grows = small_counts is not None and count != small_counts[name]
        ok = name.startswith("bare") or (ratio <= 3 and not grows)
        failed |= not ok
        print(f"{name:24} {statistics.median(times) * 1e3:8.1f} {p95(times) * 1e3:8.1f} {ratio:9.2f} "
              f"{count:8d} {small_counts[name] if small_counts else '-':>6} {'' if ok else '  ✗'}")
    print("\ntargets: p95 ≤ 3× the bare view, queries the same at N as at 1,000:", "met" if not failed else "MISSED")
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s in all)")
    sys.exit(code)
