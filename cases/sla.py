"""The SLA sweep: keeps every case's SLA state and flags current, set-based.

One pass finds, through partial indexes (migrations ``0002_sla_indexes`` and
``0011_h1_sla_exact_arms``), only the rows whose state actually changes, updates them and records a
``CaseEvent`` for each deadline that newly became due soon or overdue, then
publishes the id range of those events (``cases.events.sla_alerts_recorded``):
``notifications`` builds its digests for the heads from exactly those rows.
There is no Python loop over cases: the number of queries is the same for ten
cases or a million.

Duplicates are impossible by construction: events carry a unique
``dedupe_key`` (``sla:<case>:<deadline>:<state>:<due>``) inserted with ON
CONFLICT DO NOTHING, and digests are built only from the events actually
inserted. On PostgreSQL a
transaction-level advisory lock also makes a second concurrent sweep return
at once (``skipped``) instead of queueing behind the first.

Decisions recorded here:

* *Unresolved* means received, being resolved, or suspended. A decided case
  is resolved for reporting purposes (it waits only for closure), so it is
  neither backlogged nor prolonged.
* *Backlogged* (tồn đọng): unresolved and past its resolution deadline, or
  received before the start of the current reporting period (reference §6:
  the annual window of ``settings.REPORT_PERIOD_RULES``, ``deadlines.periods``,
  the reports' own: 15/12 by default).
* *Prolonged* (kéo dài): refiled after a final decision (``is_refiled``, set
  at intake and kept), or unresolved longer than
  ``settings.SLA_PROLONGED_AFTER_DAYS`` calendar days since receipt.
* *Due soon*: due on or before the ``settings.SLA_DUE_SOON_WORKING_DAYS``-th
  working day after today (a holiday cannot swallow the warning).
* Every legal date — today, the period's midnight, the prolonged cut-off — is
  read in Asia/Ho_Chi_Minh (``deadlines.clock``), whatever zone is active.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from deadlines import clock, periods
from deadlines.calendar import get_calendar

from . import events as domain_events
from .models import RESOLVING_STATUSES, Case, CaseEvent, SlaState, Status

# Arbitrary constant: the key of the sweep's PostgreSQL advisory lock.
ADVISORY_LOCK_KEY = 0x5_1A_5EE9

UNRESOLVED_STATUSES = (Status.RECEIVED, *RESOLVING_STATUSES, Status.SUSPENDED)
# The notice clock also runs after a refusal: a complaint's notice of refusal is owed like one of acceptance (K2).
NOTICE_STATUSES = (*RESOLVING_STATUSES, Status.NOT_ACCEPTED)
DEADLINES = ("acceptance", "resolution", "notice")
ALERT_STATES = (SlaState.DUE_SOON, SlaState.OVERDUE)


def _in(values) -> str:
    """An SQL IN list of known constants (statuses, states): never user input."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _active(deadline: str) -> str:
    """SQL: the deadline's clock is running for the row."""
    if deadline == "acceptance":
        return f"status = '{Status.RECEIVED}' AND acceptance_due IS NOT NULL"
    if deadline == "resolution":
        return f"status IN {_in(RESOLVING_STATUSES)} AND resolution_due IS NOT NULL"
    return f"status IN {_in(NOTICE_STATUSES)} AND notice_due IS NOT NULL AND notice_sent_on IS NULL"


def due_expression(deadline: str) -> str:
    """SQL: the date the deadline's alerts follow (also an index key).

    For acceptance it is the stricter reading's date where the rule changed
    during the window (``acceptance_alert_due``, reference §9), else the
    stored due date.
    """
    if deadline == "acceptance":
        return "COALESCE(acceptance_alert_due, acceptance_due)"
    return f"{deadline}_due"


def _new_state(deadline: str) -> str:
    due = due_expression(deadline)
    return (
        f"CASE WHEN {_active(deadline)} THEN CASE WHEN {due} < %(today)s THEN '{SlaState.OVERDUE}' "
        f"WHEN {due} <= %(soon)s THEN '{SlaState.DUE_SOON}' ELSE '{SlaState.ON_TRACK}' END ELSE '' END"
    )


def _changed_arms(deadline: str) -> list[str]:
    """Disjuncts that together select exactly the rows whose state changes.

    Each one is matched by a partial index (migrations ``0002_sla_indexes``
    and ``0011_h1_sla_exact_arms``) that returns only the rows that change:
    the index on (state, due) is read per state other than the target one,
    in the target's date range, so the rows already overdue are never read
    again. PostgreSQL answers the whole OR with a bitmap of small index scans.
    """
    sla, due, active = f"{deadline}_sla", due_expression(deadline), _active(deadline)
    states = {s.value for s in SlaState}
    return [
        f"({active} AND {sla} IN {_in(sorted(states - {SlaState.OVERDUE}))} AND {due} < %(today)s)",
        f"({active} AND {sla} IN {_in(sorted(states - {SlaState.DUE_SOON}))} AND {due} >= %(today)s AND {due} <= %(soon)s)",
        f"({active} AND {sla} IN {_in(sorted(states - {SlaState.ON_TRACK}))} AND {due} > %(soon)s)",
        f"({stale_predicate(deadline)})",
    ]


def stale_predicate(deadline: str) -> str:
    """A state left on a deadline whose clock no longer runs (also an index predicate)."""
    return f"{deadline}_sla <> '' AND NOT ({_active(deadline)})"


def _new_backlogged() -> str:
    return (
        f"(status IN {_in(UNRESOLVED_STATUSES)} AND ((status IN {_in(RESOLVING_STATUSES)} "
        "AND resolution_due IS NOT NULL AND resolution_due < %(today)s) OR received_at < %(period_start)s))"
    )


def _new_prolonged() -> str:
    return f"(is_refiled OR (status IN {_in(UNRESOLVED_STATUSES)} AND received_at < %(prolonged_before)s))"


# Unresolved but not being resolved: no resolution clock runs, only the period start can backlog it.
WAITING_STATUSES = tuple(s for s in UNRESOLVED_STATUSES if s not in RESOLVING_STATUSES)


def _flag_arms() -> list[str]:
    """Rows whose backlogged or prolonged flag changes, each arm exact and answered by its own partial index.

    The un-flag arms are ranges past today's cut-offs on indexes holding only
    flagged rows, so the rows that stay flagged (every overdue case is
    backlogged) are not read again: NOT new_backlogged is split into
    "no longer unresolved", "being resolved and no longer late", and "waiting
    (received, suspended) and received within the period"; NOT new_prolonged
    into "no longer unresolved" and "received after the cut-off" (never
    refiled: a refiled case stays prolonged).
    """
    unresolved, resolving, waiting = _in(UNRESOLVED_STATUSES), _in(RESOLVING_STATUSES), _in(WAITING_STATUSES)
    return [
        f"(NOT is_backlogged AND status IN {resolving} AND resolution_due < %(today)s)",
        f"(NOT is_backlogged AND status IN {unresolved} AND received_at < %(period_start)s)",
        f"(is_backlogged AND status NOT IN {unresolved})",
        f"(is_backlogged AND status IN {resolving} AND resolution_due >= %(today)s AND received_at >= %(period_start)s)",
        f"(is_backlogged AND status IN {resolving} AND resolution_due IS NULL AND received_at >= %(period_start)s)",
        f"(is_backlogged AND status IN {waiting} AND received_at >= %(period_start)s)",
        f"(NOT is_prolonged AND status IN {unresolved} AND received_at < %(prolonged_before)s)",
        "(NOT is_prolonged AND is_refiled)",
        f"(is_prolonged AND NOT is_refiled AND status NOT IN {unresolved})",
        f"(is_prolonged AND NOT is_refiled AND status IN {unresolved} AND received_at >= %(prolonged_before)s)",
    ]


def _worst(cols: list[str]) -> str:
    """SQL: the worst of several SLA states (overdue > due soon > on track > none)."""
    listed = ", ".join(cols)
    return (
        f"CASE WHEN '{SlaState.OVERDUE}' IN ({listed}) THEN '{SlaState.OVERDUE}' "
        f"WHEN '{SlaState.DUE_SOON}' IN ({listed}) THEN '{SlaState.DUE_SOON}' "
        f"WHEN '{SlaState.ON_TRACK}' IN ({listed}) THEN '{SlaState.ON_TRACK}' ELSE '' END"
    )


def changed_rows_sql(*, one_case: bool = False) -> str:
    """SELECT of every row whose SLA state or flags change, with old and new values.

    ``one_case`` reads just the row ``%(case_id)s`` (an act refreshing its own case):
    found by its key, it needs none of the arms that steer the full sweep onto
    its partial indexes, and an unchanged row is written back as it was.
    """
    arms = [arm for d in DEADLINES for arm in _changed_arms(d)] + _flag_arms()
    row_id = "ctid AS tid, id" if connection.vendor == "postgresql" else "id"
    news = ", ".join(f"{d}_sla AS old_{d}, {_new_state(d)} AS new_{d}" for d in DEADLINES)
    return (
        f"SELECT {row_id}, status, deadline_basis, {due_expression('acceptance')} AS acceptance_due, resolution_due, notice_due, "
        "COALESCE(competent_unit_id, receiving_unit_id) AS unit_id, "
        f"{news}, is_backlogged AS old_backlogged, {_new_backlogged()} AS new_backlogged, "
        f"is_prolonged AS old_prolonged, {_new_prolonged()} AS new_prolonged "
        f"FROM {Case._meta.db_table} WHERE "
        + ("id = %(case_id)s" if one_case else "\n OR ".join(arms))
    )


def _pick(column_of) -> str:
    return "CASE d.deadline " + " ".join(f"WHEN '{d}' THEN {column_of(d)}" for d in DEADLINES) + " END"


def newly_alerted_sql() -> str:
    """From ``chg``: one row per deadline that newly became due soon or overdue."""
    deadlines = " UNION ALL ".join(f"SELECT '{d}' AS deadline" for d in DEADLINES)
    return (
        "SELECT * FROM (SELECT chg.id, chg.status, chg.unit_id, chg.deadline_basis, d.deadline, "
        f"{_pick(lambda d: f'chg.{d}_due')} AS due, {_pick(lambda d: f'chg.new_{d}')} AS state, "
        f"{_pick(lambda d: f'chg.old_{d}')} AS prev FROM chg CROSS JOIN ({deadlines}) d) x "
        f"WHERE x.state IN {_in(ALERT_STATES)} AND x.state <> x.prev"
    )


def _vendor_snippets() -> dict:
    """The few expressions that differ between PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return {
            "due_text": "to_char(n.due, 'YYYY-MM-DD')",
            "payload": "jsonb_build_object('deadline', n.deadline, 'due', to_char(n.due, 'YYYY-MM-DD'), "
            "'state', n.state, 'previous', n.prev)",
            "case_ids": "jsonb_agg(DISTINCT i.case_id ORDER BY i.case_id)",
            "basis": "(SELECT left(b->>'source', 255) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(n.deadline_basis) "
            "= 'array' THEN n.deadline_basis ELSE '[]'::jsonb END) b WHERE (b->>'deadline' = n.deadline "
            "OR (n.deadline = 'acceptance' AND b->>'deadline' = 'forward')) AND b->>'source' <> '' LIMIT 1)",
        }
    return {
        "due_text": "n.due",
        "payload": "json_object('deadline', n.deadline, 'due', n.due, 'state', n.state, 'previous', n.prev)",
        "case_ids": "json_group_array(DISTINCT i.case_id)",
        "basis": "(SELECT substr(json_extract(b.value, '$.source'), 1, 255) FROM json_each(CASE WHEN json_type(n.deadline_basis) "
        "= 'array' THEN n.deadline_basis ELSE '[]' END) b WHERE (json_extract(b.value, '$.deadline') = n.deadline "
        "OR (n.deadline = 'acceptance' AND json_extract(b.value, '$.deadline') = 'forward')) "
        "AND json_extract(b.value, '$.source') <> '' LIMIT 1)",
    }


def insert_events_sql() -> str:
    v = _vendor_snippets()
    return (
        f"INSERT INTO {CaseEvent._meta.db_table} "
        "(case_id, at, actor_id, action, from_status, to_status, legal_basis, payload, dedupe_key) "
        f"SELECT n.id, %(now)s, NULL, 'sla_' || n.state, n.status, n.status, COALESCE({v['basis']}, ''), {v['payload']}, "
        f"'sla:' || n.id || ':' || n.deadline || ':' || n.state || ':' || {v['due_text']} "
        "FROM newly n WHERE true ON CONFLICT (dedupe_key) DO NOTHING"
    )


def _set_clause(prefix: str) -> str:
    news = [f"{prefix}new_{d}" for d in DEADLINES]
    sets = [f"{d}_sla = {prefix}new_{d}" for d in DEADLINES]
    sets += [
        f"sla_state = {_worst(news)}",
        f"is_backlogged = {prefix}new_backlogged",
        f"is_prolonged = {prefix}new_prolonged",
    ]
    return ", ".join(sets)


COUNTS = (
    ", ".join(f"COALESCE(SUM(CASE WHEN old_{d} <> new_{d} THEN 1 ELSE 0 END), 0)" for d in DEADLINES)
    + ", COALESCE(SUM(CASE WHEN old_backlogged <> new_backlogged THEN 1 ELSE 0 END), 0)"
    + ", COALESCE(SUM(CASE WHEN old_prolonged <> new_prolonged THEN 1 ELSE 0 END), 0), COUNT(*)"
)
COUNT_NAMES = (*DEADLINES, "backlogged", "prolonged")


@dataclass
class SweepResult:
    skipped: bool = False
    changed: dict = field(default_factory=dict)  # deadline or flag -> number of cases whose value changed
    cases: int = 0  # rows updated
    events: int = 0
    escalations: int = 0  # digests built on commit by the notifications subscriber
    first_event_id: int | None = None
    last_event_id: int | None = None

    def as_dict(self) -> dict:
        return {"skipped": self.skipped, "cases": self.cases, **self.changed, "events": self.events, "escalations": self.escalations}


def reporting_period_start(today: dt.date) -> dt.date:
    """First day of the reporting period containing ``today``: the annual report's window, by the same
    rules as the reports (reference §6: 15/12 by default)."""
    return periods.reporting_year_start(today)


def legal_cutoffs(now: dt.datetime) -> dict:
    """The legal dates and midnights of a sweep at ``now``, all in the legal zone (``deadlines.clock``).

    * ``today``: the legal date of ``now``, whatever zone a request activated;
    * ``soon``: the last day that is "due soon": ``settings.SLA_DUE_SOON_WORKING_DAYS``
      working days after today, so a holiday (Tết) cannot swallow the warning;
    * ``period_start_at``: the midnight that starts the reporting period (backlogged cut-off);
    * ``prolonged_before_at``: the midnight ``SLA_PROLONGED_AFTER_DAYS`` calendar days
      before today: received before it, a case is open longer than that many days.
    """
    today = clock.legal_date(now)
    return {
        "today": today,
        "soon": get_calendar().add_working_days(today, settings.SLA_DUE_SOON_WORKING_DAYS),
        "period_start_at": clock.legal_midnight(reporting_period_start(today)),
        "prolonged_before_at": clock.legal_midnight(today - dt.timedelta(days=settings.SLA_PROLONGED_AFTER_DAYS)),
    }


def quiet_intake_state(case: Case, now: dt.datetime) -> str | None:
    """The SLA state of a case just taken in, when nothing about it calls for the sweep.

    A fresh case has at most its acceptance deadline running. If that is not
    yet due soon and the case raises no flag, the sweep would write exactly
    ``on_track`` (or nothing, without a deadline) and record nothing: intake
    sets it itself and spares a statement. Otherwise (a backdated or refiled
    case) this returns None and the caller runs the sweep for the case, which
    records the alert.
    """
    cut = legal_cutoffs(now)
    if case.is_refiled or case.status != Status.RECEIVED:
        return None
    if case.received_at < cut["period_start_at"] or case.received_at < cut["prolonged_before_at"]:
        return None
    if case.acceptance_due is None:
        return SlaState.NONE
    alert_due = case.acceptance_alert_due or case.acceptance_due
    return SlaState.ON_TRACK if alert_due > cut["soon"] else None


def sweep_params(now: dt.datetime) -> dict:
    ops = connection.ops
    cut = legal_cutoffs(now)
    return {
        **cut,
        "now": ops.adapt_datetimefield_value(now),
        "today": ops.adapt_datefield_value(cut["today"]),
        "soon": ops.adapt_datefield_value(cut["soon"]),
        "period_start": ops.adapt_datetimefield_value(cut["period_start_at"]),
        "prolonged_before": ops.adapt_datetimefield_value(cut["prolonged_before_at"]),
    }


def postgresql_statement(*, one_case: bool = False) -> str:
    """The sweep on PostgreSQL (also EXPLAINed by ``bench/sla_sweep.py``)."""
    return (
        f"WITH chg AS MATERIALIZED ({changed_rows_sql(one_case=one_case)}), "
        f"upd AS (UPDATE {Case._meta.db_table} AS c SET {_set_clause('chg.')} FROM chg WHERE c.ctid = chg.tid RETURNING 1), "
        f"newly AS ({newly_alerted_sql()}), "
        f"ev AS ({insert_events_sql()} RETURNING id) "
        f"SELECT {COUNTS}, (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM ev), (SELECT MIN(id) FROM ev), "
        "(SELECT MAX(id) FROM ev) FROM chg"
    )


def _apply_postgresql(cursor, params, one_case: bool) -> SweepResult:
    """One statement: snapshot the changing rows, update them by ctid, insert the events."""
    cursor.execute(postgresql_statement(one_case=one_case), params)
    *changed, _, updated, events, first, last = cursor.fetchone()
    return SweepResult(changed=dict(zip(COUNT_NAMES, changed)), cases=updated, events=events,
                       first_event_id=first, last_event_id=last)


def _apply_sqlite(cursor, params, one_case: bool) -> SweepResult:
    """INSERT … SELECT the events, then UPDATE, in the caller's (serialised) transaction."""
    changed_rows = changed_rows_sql(one_case=one_case)
    chg = f"WITH chg AS ({changed_rows}), newly AS ({newly_alerted_sql()}) "
    cursor.execute(f"WITH chg AS ({changed_rows}) SELECT {COUNTS} FROM chg", params)
    *changed, _ = cursor.fetchone()
    cursor.execute(chg + insert_events_sql(), params)
    events = _sqlite_changes(cursor)
    # Writers are serialised on SQLite: the rows just inserted are the last ``events`` ids.
    cursor.execute("SELECT last_insert_rowid()")
    last = cursor.fetchone()[0] if events else None
    cursor.execute(
        f"WITH chg AS ({changed_rows}) UPDATE {Case._meta.db_table} SET {_set_clause('chg.')} "
        f"FROM chg WHERE {Case._meta.db_table}.id = chg.id",
        params,
    )
    updated = _sqlite_changes(cursor)
    return SweepResult(changed=dict(zip(COUNT_NAMES, changed)), cases=updated, events=events,
                       first_event_id=last - events + 1 if last else None, last_event_id=last)


def _sqlite_changes(cursor) -> int:
    """Rows written by the last statement (the driver reports -1 for statements that start with WITH)."""
    cursor.execute("SELECT changes()")
    return cursor.fetchone()[0]


def apply_sweep(*, now: dt.datetime, case_id: int | None = None) -> SweepResult:
    """The sweep's SQL without the advisory lock; the caller holds a transaction.

    With ``case_id`` only that case is brought up to date: the services call
    it at the end of each act, so a case never shows the SLA state of the
    status it just left.
    """
    params = {**sweep_params(now), "case_id": case_id}
    one_case = case_id is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            result = _apply_postgresql(cursor, params, one_case)
        else:
            result = _apply_sqlite(cursor, params, one_case)
    domain_events.publish_sla_alerts(now=now, result=result)
    return result


def sweep_sla(*, now: dt.datetime | None = None) -> SweepResult:
    """Bring every case's SLA state and flags up to date as of ``now``."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return SweepResult(skipped=True)
                # The statement is built for its partial indexes: on a large table
                # the planner overestimates the OR of its arms and would read the
                # whole table, and JIT-compiling it costs more than it saves.
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL jit = off")
        from .notice_sweep import sweep_into

        return sweep_into(apply_sweep(now=now), now=now)  # and the decision notices' clocks (K11, T5)
