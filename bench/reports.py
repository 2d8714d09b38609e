#!/usr/bin/env python
"""Benchmark of the periodic report's figures against one GROUP BY (not a test).

    python bench/reports.py [--n 1000000] [--small 10000] [--repeats 5]
        [--database-url postgres://postgres@127.0.0.1:5432/test_bench]

Generates N cases set-based (``INSERT … SELECT generate_series``, the sweep benchmark's helper)
over 23 months in a province with ten communes: every kind, every way a petition ends
(forwarded, guided, archived, refused, withdrawn, decided on time or late), pending or suspended
(a fifth of the last four months' petitions, 1 in 100 of the older ones), second rounds, mass and over-level petitions, fields, and reception sessions.
Then, in one run:

  (report) ``reports.figures.build_report`` of the province rolled up over all units, H1-2026
           (15/12/2025 – 14/6/2026);
  (floor)  one ``SELECT kind, COUNT(*) … WHERE received_at in the same window GROUP BY kind``.

Targets (issue 9): the report's query count is the same at N as at ``--small`` cases, and its
median time ≤ 3× the floor's. The database is wiped: never point it at real data.
"""
import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sla_sweep import DEFAULT_URL, ensure_database, insert_cases, setup_django, sql  # noqa: E402

SPAN_FROM = dt.date(2025, 1, 1)
SPAN_TO = dt.date(2026, 11, 27)
COMMUNES = 10


def world():
    from django.contrib.auth import get_user_model

    from cases.models import Topic
    from organisation.models import Unit

    sql("TRUNCATE cases_case, cases_receptionsession, viewflow_process, viewflow_task CASCADE")
    province, _ = Unit.objects.get_or_create(code="bench-province", defaults={"name": "Tỉnh Bench", "level": "province"})
    communes = []
    for index in range(COMMUNES):
        unit, _ = Unit.objects.get_or_create(code=f"bench-commune-{index}",
                                             defaults={"name": f"Xã Bench {index}", "level": "commune",
                                                       "parent": province})
        communes.append(unit)
    users = get_user_model()
    officers = [users.objects.get_or_create(username=f"bench-officer-{i}")[0] for i in range(10)]
    topics = [Topic.objects.get_or_create(code=f"bench-topic-{i}", defaults={"name": f"Lĩnh vực {i}"})[0]
              for i in range(5)]
    return province, communes, officers, topics


def generate(n: int, province, communes, officers, topics) -> None:
    from django.utils import timezone

    from deadlines import clock

    start = clock.legal_midnight(SPAN_FROM)
    end = clock.legal_midnight(SPAN_TO)
    commune_ids = [u.pk for u in communes]
    topic_ids = [t.pk for t in topics]
    # r: how the petition ended (percent buckets), from a hash of i so neighbours differ
    # Petitions received in the last four months may still be pending (r < 15, or suspended r >= 95);
    # older ones have mostly ended: 1 in 100 is left over (the backlog, "tồn đọng").
    r = "(CASE WHEN g.i > %(n)s * 0.83 OR (g.i * 37) %% 100 = 0 THEN (g.i * 37) %% 100 ELSE 15 + (g.i * 37) %% 80 END)"
    day = "(g.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
    exprs = {
        "kind": "CASE WHEN g.i %% 10 < 5 THEN 'complaint' WHEN g.i %% 10 < 7 THEN 'denunciation' "
                "WHEN g.i %% 10 < 9 THEN 'recommendation' ELSE 'feedback' END",
        "identity_protected": "g.i %% 10 IN (5, 6)",
        "channel": "CASE WHEN g.i %% 3 = 0 THEN 'mail' ELSE 'in_person' END",
        "content": "'Nội dung ' || g.i",
        "received_at": "g.received_at",
        "receiving_unit_id": f"CASE WHEN g.i %% 40 = 0 THEN {province.pk} ELSE (ARRAY{commune_ids})[1 + g.i %% {COMMUNES}] END",
        "competent_unit_id": f"(ARRAY{commune_ids})[1 + g.i %% {COMMUNES}]",
        "topic_id": f"CASE WHEN g.i %% 6 = 5 THEN NULL ELSE (ARRAY{topic_ids})[1 + g.i %% 6] END",
        "competence": "CASE WHEN g.i %% 7 = 0 THEN 'outside' WHEN g.i %% 7 < 4 THEN 'within' ELSE '' END",
        "is_over_level": "g.i %% 40 = 0",
        "is_mass": "g.i %% 50 = 1",
        "round": "CASE WHEN g.i %% 10 < 5 AND g.i %% 25 = 0 THEN 2 ELSE 1 END",
        "tracking_code": "'R' || g.i", "pin_hash": "'x'",
        "status": f"""CASE WHEN {r} < 10 THEN 'received' WHEN {r} < 15 THEN 'in_verification'
                      WHEN {r} < 25 THEN 'forwarded' WHEN {r} < 32 THEN 'guided' WHEN {r} < 36 THEN 'archived'
                      WHEN {r} < 40 THEN 'not_accepted' WHEN {r} < 45 THEN 'withdrawn'
                      WHEN {r} < 95 THEN 'closed' ELSE 'suspended' END""",
        "accepted_on": f"CASE WHEN {r} BETWEEN 10 AND 14 OR {r} >= 40 THEN {day} + 3 END",
        "decided_on": f"CASE WHEN {r} BETWEEN 45 AND 94 THEN {day} + 40 END",
        "closed_on": f"CASE WHEN {r} BETWEEN 45 AND 94 THEN {day} + 45 END",
        "terminated_on": f"CASE WHEN {r} BETWEEN 40 AND 44 THEN {day} + 10 END",
        "ended_on": f"""CASE WHEN {r} < 15 OR {r} >= 95 THEN NULL WHEN {r} < 40 THEN {day} + 2
                        WHEN {r} < 45 THEN {day} + 10 ELSE {day} + 40 END""",
        "resolution_due_at_decision": f"CASE WHEN {r} >= 40 AND {r} < 95 THEN {day} + 33 + g.i %% 20 END",
        "result": f"CASE WHEN {r} BETWEEN 45 AND 94 THEN (ARRAY['right', 'wrong', 'partly_right', ''])[1 + g.i %% 4] ELSE '' END",
        "created_at": "%(now)s", "updated_at": "%(now)s",
    }
    rows = ("SELECT i, %(start)s::timestamptz + (%(end)s::timestamptz - %(start)s::timestamptz) * (i::float / %(n)s) "
            "AS received_at FROM generate_series(1, %(n)s) i")
    insert_cases(exprs, {"now": timezone.now(), "start": start, "end": end}, rows, n)
    # reception sessions: every day, every commune, as many officers as N calls for (1 per 100k cases)
    officer_ids = [o.pk for o in officers[: max(1, min(len(officers), n // 100_000))]]
    sql("""INSERT INTO cases_receptionsession (unit_id, officer_id, date, type, persons, cases, mass_groups,
                                                mass_persons, created_at)
            SELECT u, o, d::date, CASE WHEN extract(day FROM d) = 15 THEN 'periodic_head' ELSE 'regular' END,
                   3 + (u + o + extract(doy FROM d)::int) %% 7, 2 + (u + extract(doy FROM d)::int) %% 5,
                   CASE WHEN extract(doy FROM d)::int %% 9 = 0 THEN 1 ELSE 0 END,
                   CASE WHEN extract(doy FROM d)::int %% 9 = 0 THEN 8 ELSE 0 END, now()
            FROM generate_series(%(a)s::date, %(b)s::date, interval '1 day') d,
                 unnest(%(units)s::bigint[]) u, unnest(%(officers)s::bigint[]) o""",
        {"a": SPAN_FROM, "b": SPAN_TO, "units": commune_ids, "officers": officer_ids})
    for table in ("cases_case", "cases_receptionsession"):
        sql(f"VACUUM ANALYZE {table}")


def counted(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        value = fn()
    return len(queries), value


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run(n: int, repeats: int, measure: bool) -> dict:
    from deadlines import clock
    from reports.figures import build_report
    from reports.periods import parse_period

    province, communes, officers, topics = world()
    began = time.perf_counter()
    generate(n, province, communes, officers, topics)
    built = time.perf_counter() - began
    date_from, date_to = parse_period("H1-2026")

    def report():
        return build_report(unit=province, rollup=True, date_from=date_from, date_to=date_to)

    def floor():
        return sql("SELECT kind, COUNT(*) FROM cases_case WHERE received_at >= %s AND received_at < %s GROUP BY kind",
                   [clock.legal_midnight(date_from), clock.legal_midnight(date_to + dt.timedelta(days=1))], fetch=True)

    report(), floor()  # warm the caches
    queries, figures = counted(report)
    result = {"n": n, "build_s": built, "queries": queries, "received": figures["petitions"]["received"],
              "figures": figures}
    if measure:
        report_times, floor_times = [], []
        for _ in range(repeats):  # interleaved, so both see the same cache and load
            floor_times.append(median_time(floor, 1))
            report_times.append(median_time(report, 1))
        result.update(report_s=statistics.median(report_times), floor_s=statistics.median(floor_times))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    small = run(args.small, args.repeats, measure=False)
    large = run(args.n, args.repeats, measure=True)
    ratio = large["report_s"] / large["floor_s"]
    print(f"cases generated: {large['n']:,} in {large['build_s']:.1f} s; received in H1-2026: {large['received']:,}")
    print(f"queries of the report: {small['queries']} at {small['n']:,} cases, {large['queries']} at {large['n']:,}"
          f" -> {'constant' if small['queries'] == large['queries'] else 'GROWS'}")
    print(f"report (6-month roll-up, all units): {large['report_s'] * 1000:.1f} ms (median of {args.repeats})")
    print(f"floor (COUNT(*) ... GROUP BY kind, same window): {large['floor_s'] * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 3x) -> {'OK' if ratio <= 3 else 'OVER'}")


if __name__ == "__main__":
    main()
