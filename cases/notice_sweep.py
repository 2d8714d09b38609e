"""The decision notices' sweep: each notice's SLA state kept current, set-based.

A suspension, resumption or termination decision is sent to the parties
within K11 (complaints, 3 working days, from 1/7/2026) or T5 (denunciations,
5 working days): ``cases.CaseNotice`` rows with their own ``due`` date. Like
the case sweep (``cases.sla``), one statement on PostgreSQL finds through
partial indexes (migration ``0011``) only the notices whose state changes,
updates them and inserts one ``sla_due_soon`` / ``sla_overdue`` event per
notice that newly became due soon or overdue, with a unique dedupe key
(``notice:<notice>:<state>:<due>``, ON CONFLICT DO NOTHING). SQLite runs the
same SELECT twice (insert the events, then update), in the caller's
transaction. No Python loop over rows.

A notice's clock runs while it is unsent and has a due date, whatever the
case's status: a termination notice is owed although its case is finished.
``today`` and ``soon`` are the case sweep's (``cases.sla.sweep_params``), so
both sweeps agree on what "due soon" means.
"""
import datetime as dt

from django.db import connection

from . import events as domain_events
from .models import Case, CaseEvent, CaseNotice, SlaState
from .sla import SweepResult, sweep_params

TABLE = CaseNotice._meta.db_table
RUNNING = "sent_on IS NULL AND due IS NOT NULL"
ALERTS = (SlaState.DUE_SOON, SlaState.OVERDUE)


def new_state() -> str:
    return (
        f"CASE WHEN {RUNNING} THEN CASE WHEN due < %(today)s THEN '{SlaState.OVERDUE}' "
        f"WHEN due <= %(soon)s THEN '{SlaState.DUE_SOON}' ELSE '{SlaState.ON_TRACK}' END ELSE '' END"
    )


def changed_arms() -> list[str]:
    """Disjuncts that together select exactly the notices whose state changes, each matched by a partial index."""
    return [
        f"({RUNNING} AND sla <> '{SlaState.OVERDUE}' AND due < %(today)s)",
        f"({RUNNING} AND sla <> '{SlaState.DUE_SOON}' AND due >= %(today)s AND due <= %(soon)s)",
        f"({RUNNING} AND sla <> '{SlaState.ON_TRACK}' AND due > %(soon)s)",
        f"({stale_predicate()})",
    ]


def stale_predicate() -> str:
    """A state left on a notice whose clock no longer runs (sent, or without a due date)."""
    return "sla <> '' AND (sent_on IS NOT NULL OR due IS NULL)"


def changed_where(*, one_case: bool = False) -> str:
    where = "\n OR ".join(changed_arms())
    return f"case_id = %(case_id)s AND ({where})" if one_case else where


def changed_rows_sql(*, one_case: bool = False) -> str:
    return (f"SELECT id, case_id, purpose, due, legal_source, sla AS old, {new_state()} AS new "
            f"FROM {TABLE} WHERE {changed_where(one_case=one_case)}")


def _snippets() -> dict:
    if connection.vendor == "postgresql":
        return {
            "due_text": "to_char(chg.due, 'YYYY-MM-DD')",
            "payload": "jsonb_build_object('deadline', 'notice:' || chg.purpose, 'notice', chg.id, "
                       "'due', to_char(chg.due, 'YYYY-MM-DD'), 'state', chg.new, 'previous', chg.old)",
            "basis": "left(chg.legal_source, 255)",
        }
    return {
        "due_text": "chg.due",
        "payload": "json_object('deadline', 'notice:' || chg.purpose, 'notice', chg.id, 'due', chg.due, "
                   "'state', chg.new, 'previous', chg.old)",
        "basis": "substr(chg.legal_source, 1, 255)",
    }


def insert_events_sql() -> str:
    """From ``chg``: one event per notice that newly became due soon or overdue, never twice."""
    v = _snippets()
    alerts = ", ".join(f"'{state}'" for state in ALERTS)
    return (
        f"INSERT INTO {CaseEvent._meta.db_table} "
        "(case_id, at, actor_id, action, from_status, to_status, legal_basis, payload, dedupe_key) "
        f"SELECT chg.case_id, %(now)s, NULL, 'sla_' || chg.new, c.status, c.status, {v['basis']}, {v['payload']}, "
        f"'notice:' || chg.id || ':' || chg.new || ':' || {v['due_text']} "
        f"FROM chg JOIN {Case._meta.db_table} c ON c.id = chg.case_id "
        f"WHERE chg.new IN ({alerts}) AND chg.new <> chg.old ON CONFLICT (dedupe_key) DO NOTHING"
    )


def _apply_postgresql(cursor, params, one_case: bool) -> tuple[int, int, int | None, int | None]:
    cursor.execute(
        f"WITH chg AS MATERIALIZED ({changed_rows_sql(one_case=one_case)}), "
        f"upd AS (UPDATE {TABLE} AS n SET sla = chg.new FROM chg WHERE n.id = chg.id RETURNING 1), "
        f"ev AS ({insert_events_sql()} RETURNING id) "
        "SELECT (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM ev), (SELECT MIN(id) FROM ev), (SELECT MAX(id) FROM ev)",
        params,
    )
    return cursor.fetchone()


def _apply_sqlite(cursor, params, one_case: bool) -> tuple[int, int, int | None, int | None]:
    changed = changed_rows_sql(one_case=one_case)
    cursor.execute(f"WITH chg AS ({changed}) {insert_events_sql()}", params)
    cursor.execute("SELECT changes(), last_insert_rowid()")
    events, last = cursor.fetchone()
    cursor.execute(f"UPDATE {TABLE} SET sla = {new_state()} WHERE {changed_where(one_case=one_case)}", params)
    cursor.execute("SELECT changes()")
    updated = cursor.fetchone()[0]
    return updated, events, (last - events + 1) if events else None, last if events else None


def apply(*, now: dt.datetime, case_id: int | None = None, into: SweepResult | None = None) -> SweepResult:
    """The notices' sweep in the caller's transaction; with ``case_id``, only that case's notices.

    The alerts it records feed the heads' digests: merged into ``into`` (the case sweep's result, whose
    digests are built when its transaction commits) or published on their own.
    """
    params = {**sweep_params(now), "case_id": case_id}
    one_case = case_id is not None
    with connection.cursor() as cursor:
        run = _apply_postgresql if connection.vendor == "postgresql" else _apply_sqlite
        updated, events, first, last = run(cursor, params, one_case)
    own = SweepResult(changed={"notices": updated}, cases=0, events=events, first_event_id=first, last_event_id=last)
    if into is None:
        domain_events.publish_sla_alerts(now=now, result=own)
        return own
    into.notices = updated  # not in ``changed``: the case sweep's counts stay its own
    if events:
        _merge_alerts(into, own, now=now)
    return into


def _merge_alerts(into: SweepResult, own: SweepResult, *, now: dt.datetime) -> None:
    """One digest per head and reason for the whole sweep: the notices' alert ids join the case sweep's range.

    The case sweep published its range already if it had alerts; its digests are built from the result
    when the transaction commits, so widening the range here includes the notices' alerts. Otherwise this
    publishes the range itself.
    """
    published = bool(into.events)
    ids = [i for i in (into.first_event_id, into.last_event_id, own.first_event_id, own.last_event_id) if i is not None]
    into.first_event_id, into.last_event_id = min(ids), max(ids)
    into.events += own.events
    if not published:
        domain_events.publish_sla_alerts(now=now, result=into)


def sweep_into(result: SweepResult, *, now: dt.datetime) -> SweepResult:
    """The hook ``cases.sla.sweep_sla`` calls after the case sweep, in its transaction and under its lock."""
    return apply(now=now, into=result)
