#!/usr/bin/env python
"""Benchmark of the SLA sweep against its floor and the per-row alternatives (not a test).

    python bench/sla_sweep.py [--n 1000000] [--database-url postgres://postgres@127.0.0.1:5432/test_bench]

Generates N open cases (half awaiting acceptance, half being resolved; about
10% of them with a deadline that passed yesterday, the rest on track and
already swept), then times in one run:

  (a) ``cases.sla.sweep_sla``: state, flags, events, escalations;
  (b) the floor: one raw UPDATE of the same rows to the same values;
  (c) a per-case ORM loop (load, compute, save, event, escalations) on a sample;
  (d) viewflow's ``fire_due_timers`` on a sample of due timer tasks;
  and intake: the median ``case_intake`` against viewflow's bare process start;
  the no-op sweep: EXPLAIN (ANALYZE, BUFFERS) of the sweep once nothing is left to change;
  (r) the recompute of the stored due dates after a day off is added, against
  (u) a raw UPDATE of the same rows and columns (on a regenerated table: N cases
  over a year, N/10 of them open and moved by the day off).

The database is wiped of cases and processes: never point it at real data.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test_bench"
RESOLVING = ("accepted", "in_verification", "in_dialogue")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def sql(query, params=None, fetch=False):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if fetch else cursor.rowcount


def insert_cases(exprs: dict, params: dict, rows_sql: str, n: int) -> None:
    """INSERT … SELECT over ``rows_sql`` (aliased ``g``): every NOT NULL column not given in ``exprs``
    gets its model default."""
    from django.db import connection

    from cases.models import Case

    columns = []
    for f in Case._meta.concrete_fields:
        if f.primary_key or (f.column not in exprs and f.null):
            continue
        if f.column not in exprs:
            params[f.column] = f.get_db_prep_save(f.get_default(), connection)
            exprs[f.column] = f"%({f.column})s"
        columns.append(f.column)
    sql(f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs[c] for c in columns)} "
        f"FROM ({rows_sql}) g", {**params, "n": n})


def vacuum():
    for table in ("cases_case", "cases_caseevent", "notifications_escalation"):
        sql(f"VACUUM ANALYZE {table}")


# Which rows became due yesterday. In real data a due date follows from the
# receipt date and rows are stored in receipt order, so the newly due cases sit
# together ("receipt-order", the default); "scattered" spreads them at random
# over the whole table, the worst case for the floor and the sweep alike.
NEWLY = {
    "receipt-order": "(i > %(n)s * 0.45 AND i <= %(n)s * 0.55)",
    "scattered": "random() < 0.1",
}


class Data:
    """The generated world: one unit with a head and a reception clerk, N cases."""

    def __init__(self, n: int, layout: str = "receipt-order"):
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from cases.sla import reporting_period_start
        from deadlines import clock
        from organisation.models import Membership, Role, Unit

        self.n = n
        self.layout = layout
        self.now = timezone.now()
        self.today = clock.legal_date(self.now)
        from viewflow.workflow.models import Process, Task

        from cases.models import Case

        sql(f"TRUNCATE {Case._meta.db_table}, {Process._meta.db_table}, {Task._meta.db_table} CASCADE")
        self.unit, _ = Unit.objects.get_or_create(code="bench-unit", defaults={"name": "Xã Bench", "level": "commune"})
        users = get_user_model()
        self.head, _ = users.objects.get_or_create(username="bench-head")
        self.clerk, _ = users.objects.get_or_create(username="bench-clerk")
        Membership.objects.get_or_create(user=self.head, unit=self.unit, role=Role.HEAD)
        Membership.objects.get_or_create(user=self.clerk, unit=self.unit, role=Role.RECEPTION)
        start = clock.legal_midnight(reporting_period_start(self.today))
        self.received_from = max(start, self.now - dt.timedelta(days=10))

    def generate(self):
        """INSERT … SELECT generate_series: every NOT NULL column gets its model default unless set here."""


        basis = '[{"deadline": "acceptance", "rule": "K2", "source": "LKN 2011 Art 27"}, ' \
                '{"deadline": "resolution", "rule": "K6", "source": "LKN 2011 Art 28"}]'
        due = "CASE WHEN g.newly THEN %(today)s::date - 1 ELSE %(today)s::date + 10 + g.i %% 30 END"
        exprs = {
            "kind": "'complaint'", "channel": "'in_person'", "content": "'Nội dung khiếu nại ' || g.i",
            "received_at": "%(received_from)s::timestamptz + (%(now)s::timestamptz - %(received_from)s::timestamptz) * (g.i::float / %(n)s)",
            "receiving_unit_id": "%(unit)s", "tracking_code": "'B' || g.i", "pin_hash": "'x'",
            "status": f"CASE WHEN g.i %% 2 = 0 THEN 'received' ELSE (ARRAY{list(RESOLVING)})[1 + g.i %% 3] END",
            "acceptance_due": f"CASE WHEN g.i %% 2 = 0 THEN {due} END",
            "resolution_due": f"CASE WHEN g.i %% 2 = 1 THEN {due} END",
            "acceptance_sla": "CASE WHEN g.i %% 2 = 0 THEN 'on_track' ELSE '' END",
            "resolution_sla": "CASE WHEN g.i %% 2 = 1 THEN 'on_track' ELSE '' END",
            "sla_state": "'on_track'", "deadline_basis": "%(basis)s::jsonb",
            "created_at": "%(now)s", "updated_at": "%(now)s",
        }
        params = {"today": self.today, "now": self.now, "received_from": self.received_from, "unit": self.unit.pk, "basis": basis}
        insert_cases(exprs, params, f"SELECT i, {NEWLY[self.layout]} AS newly FROM generate_series(1, %(n)s) i", self.n)
        vacuum()

    def due_rows(self) -> str:
        return f"(status = 'received' AND acceptance_due < %(today)s) OR (status IN {RESOLVING} AND resolution_due < %(today)s)"

    def expected(self) -> int:
        return sql(f"SELECT count(*) FROM cases_case WHERE {self.due_rows()}", {"today": self.today}, fetch=True)[0][0]

    def restore(self):
        """Back to 'everything on track, nothing recorded', so each contender sweeps the same data."""
        sql(
            "UPDATE cases_case SET acceptance_sla = CASE WHEN status = 'received' THEN 'on_track' ELSE '' END, "
            "resolution_sla = CASE WHEN status = 'received' THEN '' ELSE 'on_track' END, sla_state = 'on_track', "
            "is_backlogged = false WHERE sla_state <> 'on_track' OR is_backlogged"
        )
        sql("TRUNCATE cases_caseevent, notifications_escalation")
        vacuum()


def run_sweep(data: Data):
    from cases.sla import sweep_sla

    result = sweep_sla(now=data.now)
    return result.cases, result.events


def run_floor(data: Data):
    from django.db import transaction

    with transaction.atomic():
        return sql(
            "UPDATE cases_case SET acceptance_sla = CASE WHEN status = 'received' THEN 'overdue' ELSE acceptance_sla END, "
            "resolution_sla = CASE WHEN status = 'received' THEN resolution_sla ELSE 'overdue' END, "
            f"sla_state = 'overdue', is_backlogged = status <> 'received' WHERE {data.due_rows()}",
            {"today": data.today},
        ), 0


def python_state(due, active, today, soon):
    if not active or due is None:
        return ""
    return "overdue" if due < today else "due_soon" if due <= soon else "on_track"


def run_orm_loop(data: Data, ids: list[int]):
    """What the sweep replaces: one transaction per case, state computed in Python."""
    from django.db import transaction

    from cases.models import Case, CaseEvent
    from cases.sla import legal_cutoffs
    from notifications.models import Escalation
    from organisation.models import Membership, Role

    soon = legal_cutoffs(data.now)["soon"]
    changed = 0
    alerted = {}  # (unit, state) -> case ids, for the heads' digests
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            new = {
                "acceptance": python_state(case.acceptance_due, case.status == "received", data.today, soon),
                "resolution": python_state(case.resolution_due, case.status in RESOLVING, data.today, soon),
            }
            backlogged = case.status in RESOLVING and case.resolution_due is not None and case.resolution_due < data.today
            old = {"acceptance": case.acceptance_sla, "resolution": case.resolution_sla}
            if new == old and backlogged == case.is_backlogged:
                continue
            case.acceptance_sla, case.resolution_sla, case.is_backlogged = new["acceptance"], new["resolution"], backlogged
            case.sla_state = next((s for s in ("overdue", "due_soon", "on_track") if s in new.values()), "")
            case.save(update_fields=["acceptance_sla", "resolution_sla", "sla_state", "is_backlogged"])
            changed += 1
            unit_id = case.competent_unit_id or case.receiving_unit_id
            for deadline, state in new.items():
                if state in ("due_soon", "overdue") and state != old[deadline]:
                    due = getattr(case, f"{deadline}_due")
                    CaseEvent.objects.create(
                        case=case, at=data.now, action=f"sla_{state}", from_status=case.status, to_status=case.status,
                        payload={"deadline": deadline, "due": due.isoformat(), "state": state, "previous": old[deadline]},
                        dedupe_key=f"sla:{case.pk}:{deadline}:{state}:{due.isoformat()}",
                    )
                    alerted.setdefault((unit_id, state), set()).add(case.pk)
    with transaction.atomic():
        for (unit_id, state), case_ids in alerted.items():
            for head in Membership.objects.filter(unit_id=unit_id, role=Role.HEAD).values_list("user_id", flat=True):
                Escalation.objects.create(unit_id=unit_id, recipient_id=head, reason=state, created_at=data.now,
                                          case_count=len(case_ids), case_ids=sorted(case_ids))
    return changed


def run_timers(count: int):
    from timerbench.flows import DueTimerFlow
    from viewflow.workflow.timers import fire_due_timers

    for _ in range(count):
        DueTimerFlow.start.run()
    return timed(fire_due_timers)


def median_of(fn, runs: int) -> float:
    return statistics.median(timed(fn)[0] for _ in range(runs))


def bench_intake(data: Data, runs: int):
    """Median full intake against viewflow's bare process start (a process and its first task)."""
    from timerbench.flows import BareFlow

    try:
        from cases.services import case_intake
    except ImportError as exc:
        return None, f"cases.services.case_intake not importable: {exc}"

    def intake():
        case_intake(
            actor=data.clerk, kind="complaint", channel="in_person", received_at=data.now - dt.timedelta(hours=1),
            receiving_unit=data.unit, competent_unit=data.unit, content="Khiếu nại quyết định thu hồi đất",
            petitioners=[{"full_name": "Nguyễn Văn A", "id_number": "079123456789", "phone": "0901234567",
                          "address": "Ấp 1, xã Bench"}],
            respondent_number="12/QĐ-UBND", respondent_date=data.today - dt.timedelta(days=20),
            respondent_issuer="UBND xã Bench", respondent_act="Thu hồi đất", now=data.now,
        )

    try:
        intake()  # warm caches (rules, calendar) before measuring either side
        BareFlow.start.run()
        return (median_of(intake, runs), median_of(BareFlow.start.run, runs)), ""
    except Exception as exc:  # the lead's services may not be complete yet: report, do not fail the sweep figures
        return None, f"intake failed: {type(exc).__name__}: {exc}"


def explain_noop_sweep(data: Data, show: bool = False) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the sweep's statement when nothing is left to change.

    Run after a sweep (the overdue rows are overdue, the flags set) and a
    VACUUM (as autovacuum leaves a live table): the statement is the one
    ``sweep_sla`` runs, with its settings, in a transaction rolled back.
    """
    import json

    from django.db import connection, transaction

    from cases.sla import postgresql_statement, sweep_params

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + postgresql_statement(), sweep_params(data.now))
            plan = cursor.fetchone()[0]
            if show:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + postgresql_statement(), sweep_params(data.now))
                print("\n".join(line for (line,) in cursor.fetchall()))
        transaction.set_rollback(True)
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
    top = plan["Plan"]
    planning = plan.get("Planning", {})
    return {
        "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
        "read": top.get("Shared Read Blocks", 0),
        "rows": top.get("Actual Rows"),
        "ms": plan.get("Execution Time"),
        "planning_buffers": planning.get("Shared Hit Blocks", 0) + planning.get("Shared Read Blocks", 0),
    }


class RecomputeData:
    """The recompute's world: N cases over a year, of which ``open_cases`` are open, received in the
    last working days and awaiting acceptance, so that a day off added two working days ahead moves
    the acceptance date of every one of them; the rest are closed. Inputs vary (received day, kind,
    several places, complexity) as in real data."""

    def __init__(self, data: Data, open_cases: int):
        self.data, self.n, self.open = data, data.n, open_cases
        from deadlines.calendar import get_calendar

        self.cleanup()
        cal = get_calendar()
        self.day_off = cal.add_working_days(data.today, 2)
        while self.day_off.weekday() >= 5:
            self.day_off = cal.add_working_days(self.day_off, 1)

    def generate(self):
        from viewflow.workflow.models import Process, Task

        from cases.models import Case

        sql(f"TRUNCATE {Case._meta.db_table}, {Process._meta.db_table}, {Task._meta.db_table} CASCADE")
        d = self.data
        step = max(1, self.n // self.open)
        # j numbers the open rows 0, 1, 2 …: their inputs vary with it
        exprs = {
            "kind": "CASE WHEN g.j / 6 %% 2 = 0 THEN 'complaint' ELSE 'denunciation' END",
            "channel": "'in_person'", "content": "'Nội dung ' || g.i",
            # open: received in the last 6 days (before the day off); closed: over the past year
            "received_at": "CASE WHEN g.open THEN %(now)s::timestamptz - (g.j %% 6) * interval '1 day' "
                           "ELSE %(now)s::timestamptz - (7 + g.i %% 358) * interval '1 day' END",
            "receiving_unit_id": "%(unit)s", "tracking_code": "'R' || g.i", "pin_hash": "'x'",
            "status": "CASE WHEN g.open THEN 'received' ELSE 'closed' END",
            "is_multi_site": "g.j / 12 %% 2 = 1", "identity_protected": "g.j / 6 %% 2 = 1",
            "complexity": "(ARRAY['simple', 'complex', 'especially_complex'])[1 + g.j / 24 %% 3]",
            "is_remote": "g.j / 72 %% 2 = 1",
            "deadline_basis": "'[]'::jsonb", "created_at": "%(now)s", "updated_at": "%(now)s",
        }
        params = {"now": d.now, "unit": d.unit.pk}
        insert_cases(exprs, params, f"SELECT i, i %% {step} = 0 AS open, i / {step} AS j FROM generate_series(1, %(n)s) i",
                     self.n)
        vacuum()
        # the stored dates as the engine computes them today, then no trace of it
        recompute()
        sql("TRUNCATE cases_caseevent, notifications_escalation")
        vacuum()
        return sql("SELECT count(*) FROM cases_case WHERE status = 'received'", fetch=True)[0][0]

    def toggle_day_off(self):
        """Add the day off, or take it away again: either way every open case's acceptance date moves."""
        from deadlines import cache, changes
        from deadlines.models import CalendarOverride

        with changes.muted():  # no queued task: the bench calls the recompute itself
            deleted, _ = CalendarOverride.objects.filter(date=self.day_off).delete()
            if not deleted:
                CalendarOverride.objects.create(date=self.day_off, kind="day_off", description="bench")
        cache.drop_local()
        return self.change()

    @staticmethod
    def cleanup():
        """No day off of an earlier run is left in the calendar."""
        from deadlines import cache, changes
        from deadlines.models import CalendarOverride

        with changes.muted():
            CalendarOverride.objects.filter(description="bench").delete()
        cache.drop_local()

    def change(self):
        from deadlines.changes import DataChange

        return DataChange(model="CalendarOverride", description="bench day off", first=self.day_off,
                          last=self.day_off)


def recompute(change=None):
    from cases.recompute import recompute_open_cases

    return recompute_open_cases(change=change, sweep=False)


def run_recompute_floor():
    """The floor: one raw UPDATE of the same rows and columns (the acceptance date moves by a day),
    rolled back so that the stored dates stay the engine's (the floor is spared its commit)."""
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        rows = sql(
            "UPDATE cases_case SET acceptance_due = acceptance_due + 1, acceptance_alert_due = acceptance_alert_due, "
            "resolution_due = resolution_due, notice_due = notice_due, deadline_basis = deadline_basis, "
            "updated_at = %(now)s WHERE status = 'received'",
            {"now": timezone.now()},
        )
        transaction.set_rollback(True)
    return rows


def bench_recompute(data: Data, open_cases: int, repeats: int):
    rdata = RecomputeData(data, open_cases)
    print(f"\nrecompute: generating {data.n:,} cases, {open_cases:,} open …", flush=True)
    gen_time, opened = timed(rdata.generate)
    print(f"  {gen_time:.1f} s; {opened:,} open cases awaiting acceptance; day off added on {rdata.day_off}")
    recomputes, floors, inputs, compute = [], [], 0, []
    for _ in range(repeats):
        change = rdata.toggle_day_off()
        elapsed, result = timed(lambda change=change: recompute(change))
        assert result.cases == result.events == opened, result.as_dict()
        recomputes.append(elapsed)
        inputs = result.inputs
        vacuum()
        elapsed, rows = timed(run_recompute_floor)
        assert rows == opened
        floors.append(elapsed)
        sql("TRUNCATE cases_caseevent")
        vacuum()
    rdata.cleanup()
    # the share of the distinct inputs: read in SQL, computed in Python
    from django.db import connection

    from cases import recompute as module
    from deadlines import clock

    start = time.perf_counter()
    with connection.cursor() as cursor:
        where, params = module._selection(rdata.change())
        params.update({"zone": clock.legal_zone().key, "db_zone": connection.timezone_name})
        cursor.execute(module._distinct_sql(where), params)
        module._compute(cursor.fetchall())
    compute = time.perf_counter() - start
    return statistics.median(recomputes), statistics.median(floors), opened, inputs, compute


def us(seconds: float) -> str:
    return f"{seconds * 1e6:10.2f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="cases to generate (default 1,000,000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--orm-sample", type=int, default=10_000)
    parser.add_argument("--timer-sample", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of (a) and (b), the median is reported")
    parser.add_argument("--intake-runs", type=int, default=30)
    parser.add_argument("--layout", choices=sorted(NEWLY), default="receipt-order",
                        help="where the newly due rows sit in the table (default receipt-order)")
    parser.add_argument("--explain", action="store_true", help="print the no-op sweep's plan")
    parser.add_argument("--recompute-open", type=int, help="open cases whose dates a day off moves (default N/10)")
    parser.add_argument("--skip-recompute", action="store_true", help="skip the recompute-after-a-change figures")
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    data = Data(args.n, args.layout)
    print(f"generating {args.n:,} cases …", flush=True)
    gen_time, _ = timed(data.generate)
    expected = data.expected()
    print(f"  {gen_time:.1f} s; {expected:,} with a deadline passed yesterday ({expected / args.n:.1%})")

    sweeps, floors, events = [], [], 0
    for _ in range(args.repeats):
        for runner, times in ((run_sweep, sweeps), (run_floor, floors)):
            data.restore()
            elapsed, (rows, recorded) = timed(lambda: runner(data))
            assert rows == expected, f"{runner.__name__} changed {rows} rows, expected {expected}"
            times.append(elapsed)
            events = max(events, recorded)
    a, b = statistics.median(sweeps), statistics.median(floors)

    # The sweep with nothing left to change, on the swept table (100k overdue at 1M), as autovacuum leaves it.
    data.restore()
    run_sweep(data)
    vacuum()
    noop = explain_noop_sweep(data, show=args.explain)

    data.restore()
    step = max(1, args.n // args.orm_sample)
    ids = [pk for (pk,) in sql(f"SELECT id FROM cases_case WHERE id %% {step} = 0 ORDER BY id LIMIT %s", [args.orm_sample], fetch=True)]
    c, c_changed = timed(lambda: run_orm_loop(data, ids))
    d, fired = run_timers(args.timer_sample)
    assert fired == args.timer_sample, f"fire_due_timers fired {fired} of {args.timer_sample}"

    per_a, per_b, per_c, per_d = a / args.n, b / args.n, c / len(ids), d / fired
    print(f"\n(a) sweep_sla        {a:8.3f} s for {args.n:,} cases ({expected:,} changed, {events:,} events)  {us(per_a)}/case")
    print(f"(b) raw UPDATE floor {b:8.3f} s for {args.n:,} cases                          {us(per_b)}/case")
    print(f"(c) ORM loop         {c:8.3f} s for {len(ids):,} cases ({c_changed:,} changed)          {us(per_c)}/case")
    print(f"(d) fire_due_timers  {d:8.3f} s for {fired:,} timers                           {us(per_d)}/timer")
    checks = [
        (f"(a)/(b) = {a / b:.2f}", a <= 2 * b, "≤ 2"),
        (f"(d)/(a) per case = {per_d / per_a:,.0f}×", per_d / per_a >= 300, "≥ 300×"),
        (f"(c)/(a) per case = {per_c / per_a:,.0f}×", per_c / per_a >= 100, "≥ 100×"),
        (f"(a) per 1M cases = {per_a * 1e6:.2f} s", per_a * 1e6 <= 3, "≤ 3 s"),
    ]
    intake, why = bench_intake(data, args.intake_runs)
    if intake:
        full, bare = intake
        print(f"intake: case_intake median {full * 1e3:.2f} ms, viewflow bare start median {bare * 1e3:.2f} ms")
        checks.append((f"intake/bare start = {full / bare:.2f}", full <= 3 * bare, "≤ 3"))
    else:
        print(f"intake: skipped ({why})")
    print(f"no-op sweep (EXPLAIN ANALYZE, BUFFERS): {noop['buffers']:,} shared buffers ({noop['read']:,} read), "
          f"{noop['ms']:.2f} ms, {noop['rows']} rows; planning {noop['planning_buffers']:,} buffers")
    checks.append((f"no-op sweep buffers = {noop['buffers']:,}", noop["buffers"] <= 200, "≤ 200"))
    if not args.skip_recompute:
        open_cases = args.recompute_open or args.n // 10
        r, f, opened, inputs, compute = bench_recompute(data, open_cases, args.repeats)
        print(f"(r) recompute after a day off  {r:8.3f} s for {opened:,} open cases ({inputs:,} distinct inputs; "
              f"reading and computing them {compute:.3f} s)  {us(r / opened)}/case")
        print(f"(u) raw UPDATE, same rows      {f:8.3f} s                                   {us(f / opened)}/case")
        checks.append((f"(r)/(u) = {r / f:.2f}", r <= 3 * f, "≤ 3"))
    print()
    for label, ok, target in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}  (target {target})")


if __name__ == "__main__":
    main()
