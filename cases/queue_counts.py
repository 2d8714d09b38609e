"""The supervisors' queue counts, kept per (receiving unit, competent unit) pair by the database.

The home counters must match the queues exactly, yet counting every open case of a
province on each page view grows with the number of cases. On PostgreSQL,
statement-level triggers on ``cases_case`` (with transition tables, so the sweep's
one ``UPDATE`` of 100,000 rows costs one grouped insert, not 100,000) keep a small
table of counts per pair of units. A case is in a user's scope when its receiving or
its competent unit is one of the user's units (``access.policy.case_q``), so summing
the pairs that match either way gives exactly what the queues list.

The triggers only *append* signed delta rows (``cases_queuecountdelta``: no upsert, no
conflict, no lock on a shared row), so two acts on cases of one unit never wait for each
other; an upsert of the unit's counter row held its lock from the case's write to the
commit and made every intake into a unit pass one at a time. A count is the base row
(``cases_queuecount``) plus the sum of its pair's deltas, read in one statement (one
snapshot: exact). ``fold`` moves the deltas into the base rows in one statement (a
``DELETE … RETURNING`` feeding a grouped upsert), run by beat (``cases.tasks.fold_queue_counts_task``)
and by ``recount``, so the delta table stays small.

The conditions here mirror ``cases.selectors.QUEUES`` in SQL; a test compares the two
on cases that cover every condition. Change one, change the other, and add a
migration that calls ``install`` again. SQLite (the embedded default, small) counts
live instead: a table rebuild there would drop the triggers silently.
"""
from django.db import connection, transaction

from .models import OPEN_STATUSES, RESOLVING_STATUSES, SlaState

TABLE = "cases_queuecount"
DELTAS = "cases_queuecountdelta"
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


def _append(select: str) -> str:
    """Insert the non-zero per-pair deltas of ``select`` as new rows: nothing shared is locked."""
    names = ", ".join(CONDITIONS)
    totals = ", ".join(f"SUM({name})" for name in CONDITIONS)
    nonzero = " OR ".join(f"SUM({name}) <> 0" for name in CONDITIONS)
    return (f"INSERT INTO {DELTAS} (receiving_unit_id, competent_key, {names}) "
            f"SELECT receiving_unit_id, competent_key, {totals} FROM ({select}) AS delta "
            f"GROUP BY 1, 2 HAVING {nonzero}")


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


def install(schema_editor=None, *, deltas: bool = True) -> None:
    """Create (or replace) the triggers and recount every pair from the cases as they are.

    ``deltas=False`` installs the triggers as migration 0018 made them (an upsert of the pair's
    row, before the delta table existed); 0023 switches to appended deltas.
    """
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return
    old = _tally("old_cases", "-")
    new = _tally("new_cases", "")
    write = _append if deltas else _upsert
    sql = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {write(new)};
    ELSIF TG_OP = 'DELETE' THEN
        {write(old)};
    ELSE
        {write(old + " UNION ALL " + new)};
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
    recount(schema_editor, deltas=deltas)


def recount(schema_editor=None, *, deltas: bool = True) -> None:
    """Rebuild the counts from the cases (after a bulk load that bypassed the triggers, or to check them).

    The deltas are dropped in the same statement (one snapshot) that counts the cases: a case
    whose transaction commits later is in neither, and its delta row stays to be folded.
    """
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        # SHARE ROW EXCLUSIVE: excludes a concurrent fold or recount, not the readers nor the triggers.
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        wipe = f"WITH folded AS (DELETE FROM {DELTAS}) " if deltas else ""
        cursor.execute(wipe + _upsert(_tally("cases_case", "")))


def fold(schema_editor=None) -> int:
    """Move every committed delta into the base rows in one statement; returns how many were folded.

    Readers see the deltas or the base rows they became, never both (one commit). Deltas that
    commit meanwhile are not in the statement's snapshot and wait for the next fold.
    """
    db = _connection(schema_editor)
    if db.vendor != "postgresql":
        return 0
    names = ", ".join(CONDITIONS)
    totals = ", ".join(f"SUM({name}) AS {name}" for name in CONDITIONS)
    updates = ", ".join(f"{name} = {TABLE}.{name} + EXCLUDED.{name}" for name in CONDITIONS)
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"WITH gone AS (DELETE FROM {DELTAS} RETURNING receiving_unit_id, competent_key, {names}), "
            f"summed AS (SELECT receiving_unit_id, competent_key, COUNT(*) AS n, {totals} FROM gone GROUP BY 1, 2) "
            f"INSERT INTO {TABLE} (receiving_unit_id, competent_key, {names}) "
            f"SELECT receiving_unit_id, competent_key, {names} FROM summed ORDER BY 1, 2 "
            f"ON CONFLICT (receiving_unit_id, competent_key) DO UPDATE SET {updates} "
            f"RETURNING (SELECT COALESCE(SUM(n), 0) FROM summed)")
        rows = cursor.fetchall()
    return int(rows[0][0]) if rows else 0


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
    columns = ", ".join(names)
    scope = f"WHERE receiving_unit_id IN ({marks}) OR competent_key IN ({marks})"
    with connection.cursor() as cursor:
        # Base rows and pending deltas in one statement: one snapshot, so a fold between them cannot count twice.
        cursor.execute(f"SELECT {totals} FROM (SELECT {columns} FROM {TABLE} {scope} "
                       f"UNION ALL SELECT {columns} FROM {DELTAS} {scope}) AS kept", ids * 4)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(names, row)}
