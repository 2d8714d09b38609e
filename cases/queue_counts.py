"""The supervisors' queue counts, kept per (receiving unit, competent unit) pair by the database.

The home counters must match the queues exactly, yet counting every open case of a
province on each page view grows with the number of cases. On PostgreSQL,
statement-level triggers on ``cases_case`` (with transition tables, so the sweep's
one ``UPDATE`` of 100,000 rows costs one grouped upsert, not 100,000) keep a small
table of counts per pair of units. A case is in a user's scope when its receiving or
its competent unit is one of the user's units (``access.policy.case_q``), so summing
the pairs that match either way gives exactly what the queues list.

The conditions here mirror ``cases.selectors.QUEUES`` in SQL; a test compares the two
on cases that cover every condition. Change one, change the other, and add a
migration that calls ``install`` again. SQLite (the embedded default, small) counts
live instead: a table rebuild there would drop the triggers silently.
"""
from django.db import connection

from .models import OPEN_STATUSES, RESOLVING_STATUSES, SlaState

TABLE = "cases_queuecount"
FUNCTION = "cases_queuecount_apply"


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_OPEN = f"status IN {_in(OPEN_STATUSES)}"

#: queue name → its condition on an open case, as in ``cases.selectors.QUEUES``.
CONDITIONS = {
    "open": "TRUE",
    "overdue": f"sla_state = '{SlaState.OVERDUE}'",
    "due_soon": f"sla_state = '{SlaState.DUE_SOON}'",
    "backlogged": "is_backlogged",
    "prolonged": "is_prolonged",
    "over_level": "is_over_level",
    "mass": "is_mass",
    "duplicate": "is_duplicate",
    "unassigned": f"status IN {_in(RESOLVING_STATUSES)} AND handler_id IS NULL",
    "extension_requests": "extension_requested",
}


def _tally(source: str, sign: str) -> str:
    """Per pair of units, ``sign`` × how many rows of ``source`` each queue holds."""
    sums = ", ".join(
        f"{sign}COUNT(*) FILTER (WHERE {_OPEN} AND {condition}) AS {name}" for name, condition in CONDITIONS.items()
    )
    return (f"SELECT receiving_unit_id, COALESCE(competent_unit_id, 0) AS competent_key, {sums} "
            f"FROM {source} WHERE {_OPEN} GROUP BY 1, 2")


def _upsert(select: str) -> str:
    names = ", ".join(CONDITIONS)
    totals = ", ".join(f"SUM({name})" for name in CONDITIONS)
    updates = ", ".join(f"{name} = {TABLE}.{name} + EXCLUDED.{name}" for name in CONDITIONS)
    # ORDER BY: concurrent statements lock the count rows in one order, so they cannot deadlock on them.
    return (f"INSERT INTO {TABLE} (receiving_unit_id, competent_key, {names}) "
            f"SELECT receiving_unit_id, competent_key, {totals} FROM ({select}) AS delta "
            f"GROUP BY 1, 2 ORDER BY 1, 2 "
            f"ON CONFLICT (receiving_unit_id, competent_key) DO UPDATE SET {updates}")


def _connection(schema_editor):
    return schema_editor.connection if schema_editor is not None else connection


def install(schema_editor=None) -> None:
    """Create (or replace) the triggers and recount every pair from the cases as they are."""
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return
    old = _tally("old_cases", "-")
    new = _tally("new_cases", "")
    sql = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(new)};
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(old)};
    ELSE
        {_upsert(old + " UNION ALL " + new)};
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS cases_queuecount_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_queuecount_update ON cases_case;
DROP TRIGGER IF EXISTS cases_queuecount_delete ON cases_case;
CREATE TRIGGER cases_queuecount_insert AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
CREATE TRIGGER cases_queuecount_update AFTER UPDATE ON cases_case
    REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
CREATE TRIGGER cases_queuecount_delete AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_cases FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
"""
    with db.cursor() as cursor:
        cursor.execute(sql)
    recount(schema_editor)


def recount(schema_editor=None) -> None:
    """Rebuild the counts from the cases (after a bulk load that bypassed the triggers, or to check them)."""
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(_upsert(_tally("cases_case", "")))


def uninstall(schema_editor=None) -> None:
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS cases_queuecount_insert ON cases_case; "
                       f"DROP TRIGGER IF EXISTS cases_queuecount_update ON cases_case; "
                       f"DROP TRIGGER IF EXISTS cases_queuecount_delete ON cases_case; "
                       f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def kept() -> bool:
    """Whether the database keeps the counts (PostgreSQL) or they are counted live (SQLite)."""
    return connection.vendor == "postgresql"


def counts_in_scope(unit_ids) -> dict[str, int]:
    """Every queue's count over the pairs where either unit is in ``unit_ids``: one small query."""
    names = list(CONDITIONS)
    if not unit_ids:
        return dict.fromkeys(names, 0)
    ids = sorted(unit_ids)
    marks = ", ".join(["%s"] * len(ids))
    totals = ", ".join(f"COALESCE(SUM({name}), 0)" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {totals} FROM {TABLE} WHERE receiving_unit_id IN ({marks}) "
                       f"OR competent_key IN ({marks})", ids + ids)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(names, row)}
