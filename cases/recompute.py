"""Stored due dates follow the rules and the calendar when either changes (reference §2, §7, §9).

A day off added in the admin, a rule row changed, a year's holiday schedule
confirmed: ``deadlines`` announces it (``deadlines.changes.data_changed``,
with the dates and kinds of case it can affect) and, once it commits,
``cases.tasks.recompute_deadlines_task`` runs ``recompute_open_cases``:

1. the open cases whose deadline windows reach the changed dates are selected
   in SQL (received on or before the last changed day, and either not yet
   accepted or suspended — their basis holds dates not stored — or with a
   stored due date on or after the first changed day);
2. their DISTINCT deadline inputs (``services.DEADLINE_INPUT_COLUMNS``, the
   day of receipt as its legal date) are read in one query: a few thousand at
   most, however many cases share them;
3. ``services.recompute_deadlines`` — the very function every act uses — runs
   once per distinct input: there is no second implementation of the
   arithmetic to drift from the engine;
4. one statement joins the new values back onto the cases by their inputs,
   updates those whose stored values differ (``services.DEADLINE_OUTPUT_COLUMNS``)
   and inserts ONE ``recompute_deadlines`` event for each case whose due dates
   moved, with the old and new dates (``payload["changes"]``) and the change
   that moved them (actor: the administrator, if known). A basis that changed
   with no date moving (a source corrected, a year confirmed) is updated
   without an event;
5. the SLA sweep then brings the states up to date.

The number of queries does not depend on the number of cases. Recomputes are
serialised by a PostgreSQL advisory lock and read the rules and the calendar
afresh, so two changes committed in quick succession cannot leave a case with
dates computed from the older one. A row an act changed while the recompute
ran is left to the act (it recomputed its own dates): rows are updated by
``ctid``, as in the sweep.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import types
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import DateField, JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from deadlines import cache as deadline_cache
from deadlines import clock
from deadlines.changes import DataChange

from . import services
from .errors import InvalidInput
from .models import OPEN_STATUSES, Case, CaseEvent, Status
from .sla import SweepResult, sweep_sla

log = logging.getLogger(__name__)

ACTION = "recompute_deadlines"
# Arbitrary constant: the key of the recompute's PostgreSQL advisory lock.
ADVISORY_LOCK_KEY = 0x5_1A_DA7E
TABLE = Case._meta.db_table


def _field(name: str):
    return Case._meta.get_field(name)


def _inputs() -> list:
    """The input fields, the day of receipt aside (it is grouped on as its legal date, ``received_on``)."""
    return [_field(name) for name in services.DEADLINE_INPUT_COLUMNS if name != "received_at"]


def _outputs() -> list:
    return [_field(name) for name in services.DEADLINE_OUTPUT_COLUMNS]


def _due_outputs() -> list:
    return [f for f in _outputs() if isinstance(f, DateField)]


def _is_json(f) -> bool:
    return isinstance(f, JSONField)


@dataclass
class RecomputeResult:
    inputs: int = 0  # distinct deadline inputs computed
    cases: int = 0  # cases whose stored values changed
    events: int = 0  # cases whose due dates moved (one event each)
    failed: int = 0  # inputs the rules now refuse (left as they were; logged)
    sweep: SweepResult | None = None

    def as_dict(self) -> dict:
        return {"inputs": self.inputs, "cases": self.cases, "events": self.events, "failed": self.failed,
                "sweep": self.sweep.as_dict() if self.sweep else None}


# --- SQL pieces ------------------------------------------------------------------------

def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _legal_date_sql(column: str) -> str:
    """SQL: the legal date (``settings.LEGAL_TIME_ZONE``) of a stored instant."""
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE %(zone)s)::date"
    return f"django_datetime_cast_date({column}, %(zone)s, %(db_zone)s)"


def _selection(change: DataChange | None) -> tuple[str, dict]:
    """SQL over ``c``: the open cases whose deadlines the change can move."""
    ops = connection.ops
    # Open cases; and the closed ones still counting a clock: a refusal's notice not yet sent (K2), a
    # complaint decision's window for a second complaint (K5) and the day it becomes final (K6/K7).
    still_counting = (
        f"(c.status = '{Status.NOT_ACCEPTED}' AND c.notice_due IS NOT NULL AND c.notice_sent_on IS NULL) OR "
        f"(c.status IN ('{Status.CLOSED}', '{Status.APPEALED}') AND (c.appeal_due IS NOT NULL OR c.final_on IS NOT NULL))"
    )
    parts, params = [f"(c.status IN {_in(OPEN_STATUSES)} OR {still_counting})"], {}
    if change is not None:
        if change.kinds is not None:
            kinds = [f"%(sel_kind{i})s" for i in range(len(change.kinds))]
            parts.append(f"c.kind IN ({', '.join(kinds) or 'NULL'})")
            params.update({f"sel_kind{i}": kind for i, kind in enumerate(change.kinds)})
        if change.last is not None:
            parts.append("c.received_at < %(sel_before)s")
            params["sel_before"] = ops.adapt_datetimefield_value(clock.legal_midnight(change.last + dt.timedelta(days=1)))
        if change.first is not None:
            # not accepted (or suspended): the basis holds dates not stored; otherwise a stored date reaches it
            reach = " OR ".join(f"c.{f.column} >= %(sel_first)s" for f in _due_outputs())
            parts.append(f"(c.{_field('accepted_on').column} IS NULL OR c.status = '{Status.SUSPENDED}' OR {reach})")
            params["sel_first"] = ops.adapt_datefield_value(change.first)
    return " AND ".join(parts), params


def _distinct_sql(where: str) -> str:
    if connection.vendor == "postgresql":
        columns = [f"c.{f.column}" for f in _inputs()]
    else:  # the same JSON written with other spaces is the same input
        columns = [f"json(c.{f.column})" if _is_json(f) else f"c.{f.column}" for f in _inputs()]
    return f"SELECT DISTINCT {_legal_date_sql('c.received_at')}, {', '.join(columns)} FROM {TABLE} c WHERE {where}"


def _new_values_sql() -> str:
    """SQL ``n``: the computed rows, from the one JSON parameter ``%(rows)s``."""
    names = ["received_on", *(f.column for f in _inputs()), *(f"new_{f.column}" for f in _outputs())]
    if connection.vendor == "postgresql":
        types_ = ["date", *(f.db_type(connection) for f in _inputs()), *(f.db_type(connection) for f in _outputs())]
        record = ", ".join(f"{name} {kind}" for name, kind in zip(names, types_))
        return f"SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS n({record})"
    return "SELECT " + ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in names) + " FROM json_each(%(rows)s)"


def _same(left: str, right: str, f) -> str:
    """SQL: two values of field ``f`` are equal (NULL equal to NULL)."""
    if connection.vendor == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}" if f.null else f"{left} = {right}"
    if _is_json(f):
        return f"json({left}) IS json({right})"
    return f"{left} IS {right}"


def _changed_rows_sql(where: str) -> str:
    """SQL ``o``: the selected cases whose stored values differ from those computed for their inputs."""
    pg = connection.vendor == "postgresql"
    match = [f"{_legal_date_sql('c.received_at')} = n.received_on"]
    # NOT NULL columns compare with "=", so PostgreSQL can hash-join on them.
    match += [_same(f"c.{f.column}", f"n.{f.column}", f) for f in _inputs()]
    differs = [f"NOT ({_same(f'c.{f.column}', f'n.new_{f.column}', f)})" for f in _outputs()]
    moved = " OR ".join(f"NOT ({_same(f'c.{f.column}', f'n.new_{f.column}', f)})" for f in _due_outputs())
    olds = ", ".join(f"c.{f.column} AS old_{f.column}, n.new_{f.column}" for f in _outputs())
    return (
        f"SELECT {'c.ctid AS tid, ' if pg else ''}c.id, c.status, {olds}, ({moved}) AS moved "
        f"FROM {TABLE} c JOIN n ON {' AND '.join(match)} WHERE {where} AND ({' OR '.join(differs)})"
    )


def _set_clause() -> str:
    return ", ".join([f"{f.column} = o.new_{f.column}" for f in _outputs()] + ["updated_at = %(now)s"])


def _payload_sql() -> str:
    dues = _due_outputs()
    if connection.vendor == "postgresql":
        changes = ", ".join(
            f"'{f.name}', CASE WHEN o.old_{f.column} IS DISTINCT FROM o.new_{f.column} "
            f"THEN jsonb_build_array(o.old_{f.column}, o.new_{f.column}) END" for f in dues)
        return f"jsonb_build_object('changes', jsonb_strip_nulls(jsonb_build_object({changes})), 'cause', %(cause)s::jsonb)"
    changes = ", ".join(
        f"'{f.name}', CASE WHEN o.old_{f.column} IS NOT o.new_{f.column} "
        f"THEN json_array(o.old_{f.column}, o.new_{f.column}) END" for f in dues)
    return f"json_object('changes', json_patch('{{}}', json_object({changes})), 'cause', json(%(cause)s))"


def _insert_events_sql(source: str) -> str:
    """INSERT of one event per case whose due dates moved, from the rows of ``source``."""
    return (
        f"INSERT INTO {CaseEvent._meta.db_table} "
        "(case_id, at, actor_id, action, from_status, to_status, legal_basis, payload, dedupe_key) "
        f"SELECT o.id, %(now)s, %(actor)s, '{ACTION}', o.status, o.status, %(basis)s, {_payload_sql()}, NULL "
        f"FROM {source} WHERE o.moved"
    )


# --- the recompute ----------------------------------------------------------------------

def _python_value(f, value):
    if _is_json(f):
        return json.loads(value) if isinstance(value, (str, bytes)) else value
    return f.to_python(value)


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _compute(rows) -> tuple[list[dict], int]:
    """``services.recompute_deadlines`` once per distinct input: the rows of ``n``, and the inputs refused."""
    fields, computed, failed = _inputs(), [], 0
    for received_on, *values in rows:
        received_on = DateField().to_python(received_on)
        inputs = {f.attname: _python_value(f, v) for f, v in zip(fields, values)}
        case = types.SimpleNamespace(**inputs, received_at=clock.legal_midnight(received_on))
        try:
            services.recompute_deadlines(case)
        except InvalidInput as exc:
            failed += 1
            log.warning("deadlines: cannot recompute the cases received on %s with %r: %s", received_on, inputs, exc)
            continue
        row = {"received_on": received_on.isoformat()}
        row.update({f.column: _json_value(inputs[f.attname]) for f in fields})
        row.update({f"new_{f.column}": _json_value(getattr(case, f.attname)) for f in _outputs()})
        computed.append(row)
    return computed, failed


def _cause(change: DataChange | None) -> dict:
    return change.as_dict() if change is not None else {"model": None, "description": ""}


def recompute_open_cases(*, change: DataChange | None = None, actor_id: int | None = None,
                         now: dt.datetime | None = None, sweep: bool = True) -> RecomputeResult:
    """Bring the stored due dates of the open cases ``change`` can affect (all open cases without one)
    in line with the rules and calendar now in force; then run the SLA sweep (``sweep``)."""
    now = now or timezone.now()
    if actor_id is None and change is not None:
        actor_id = change.actor_id
    description = change.description if change is not None and change.description else _(
        "deadlines recomputed with the rules and calendar in force")
    result = RecomputeResult()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        deadline_cache.check_now()  # the change this runs for committed: see it, not a second-old snapshot
        where, params = _selection(change)
        params.update({"zone": clock.legal_zone().key, "db_zone": connection.timezone_name})
        cursor.execute(_distinct_sql(where), params)
        rows, result.failed = _compute(cursor.fetchall())
        result.inputs = len(rows) + result.failed
        if rows:
            params.update({
                "rows": json.dumps(rows), "now": connection.ops.adapt_datetimefield_value(now), "actor": actor_id,
                "basis": description[:255], "cause": json.dumps(_cause(change)),
            })
            result.cases, result.events = _apply(cursor, where, params)
    if sweep:
        result.sweep = sweep_sla(now=now)
    return result


def _apply(cursor, where: str, params: dict) -> tuple[int, int]:
    prefix = f"WITH n AS {'MATERIALIZED ' if connection.vendor == 'postgresql' else ''}({_new_values_sql()}), "
    o = f"o AS {'MATERIALIZED ' if connection.vendor == 'postgresql' else ''}({_changed_rows_sql(where)})"
    if connection.vendor == "postgresql":
        # The rows actually updated (a row an act changed meanwhile is skipped) carry their old values out.
        cursor.execute(
            f"{prefix}{o}, "
            f"upd AS (UPDATE {TABLE} AS c SET {_set_clause()} FROM o WHERE c.ctid = o.tid RETURNING o.*), "
            f"ev AS ({_insert_events_sql('upd o')} RETURNING 1) "
            "SELECT (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM ev)",
            params,
        )
        return cursor.fetchone()
    # SQLite serialises writers: the events from the rows as they are, then the same rows updated.
    cursor.execute(f"{prefix}{o} {_insert_events_sql('o')}", params)
    cursor.execute("SELECT changes()")
    events = cursor.fetchone()[0]
    cursor.execute(f"{prefix}{o} UPDATE {TABLE} SET {_set_clause()} FROM o WHERE {TABLE}.id = o.id", params)
    cursor.execute("SELECT changes()")
    return cursor.fetchone()[0], events


# --- the subscription -------------------------------------------------------------------

def on_deadline_data_changed(sender, change: DataChange, **kwargs) -> None:
    """``deadlines.changes.data_changed``: recompute once the change is committed (never from uncommitted data)."""
    transaction.on_commit(lambda: queue(change))


def queue(change: DataChange) -> None:
    from .tasks import recompute_deadlines_task

    try:
        recompute_deadlines_task.delay(change.as_dict())
    except Exception:  # a broker outage must not fail the admin's save: the command can be run later
        log.exception("deadlines: could not queue the recompute for %s; run manage.py recompute_deadlines",
                      change.description)
