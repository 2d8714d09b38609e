"""The figures of a periodic report (reference §6; TT 02/2021 forms), from database aggregates only.

A fixed number of queries (four: the units, the cases' counts, their fields' codes, the reception
sittings), each a ``GROUP BY`` or an aggregate, whatever the number of cases: no Python loop over cases. Definitions (README, "Reports"):

- a petition counts in a window by its receipt date in Asia/Ho_Chi_Minh, for the unit where it was
  received (``received_at`` between the legal midnights of the window);
- a resolution counts by its decision or conclusion date (``decided_on``), or for a full withdrawal by
  its termination date (``terminated_on``), for the competent unit;
- on time: resolved on or before the resolution due date in force at the decision
  (``Case.resolution_due_at_decision``, stamped by the decision's act and never recomputed);
- carried over: received before the window and still pending at its start (``ended_on`` empty or
  on/after the first day); backlog at the end: received by the end and still pending after its last day;
- petition outcome: as it stood at the end of the window (accepted by then; refused, forwarded,
  guided, archived or withdrawn by then; otherwise pending).

Only counts and unit codes leave this module: no person, no content (privacy, reference §5).
"""
import datetime as dt

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from cases.models import (
    Case,
    Competence,
    DecisionResult,
    ReceptionSession,
    ReceptionType,
    Status,
    Topic,
)
from deadlines import clock
from deadlines.models import CaseKind
from organisation.models import Unit

KINDS = [kind.value for kind in CaseKind]
OUTCOMES = {
    "not_accepted": Status.NOT_ACCEPTED,
    "forwarded": Status.FORWARDED,
    "guided": Status.GUIDED,
    "archived": Status.ARCHIVED,
    "withdrawn": Status.WITHDRAWN,
}
RESULTS = {"right": DecisionResult.RIGHT, "wrong": DecisionResult.WRONG,
           "partly_right": DecisionResult.PARTLY_RIGHT, "not_stated": DecisionResult.UNSPECIFIED}
COMPETENCE = {"within": Competence.WITHIN, "outside": Competence.OUTSIDE, "not_assessed": Competence.UNKNOWN}


def report_scope(unit: Unit, *, rollup: bool) -> tuple[list[int], bool]:
    """The units a report covers: the unit alone, or with every unit below it; and whether they are all
    the units there are (a province-wide roll-up), when every case is in scope without a test per case.
    One query. A list, not a subquery: the planner then knows how many cases the units hold."""
    covered = Q(path__startswith=unit.path) if rollup else Q(pk=unit.pk)
    if connection.vendor != "postgresql":  # the embedded default (SQLite): small, two queries
        ids = list(Unit.objects.filter(covered).order_by("pk").values_list("pk", flat=True))
        return ids, len(ids) == Unit.objects.count()
    found = Unit.objects.aggregate(ids=ArrayAgg("pk", filter=covered, order_by="pk"), units=Count("pk"))
    ids = found["ids"] or []
    return ids, len(ids) == found["units"]


def _reception(units, date_from: dt.date, date_to: dt.date) -> dict:
    """The reception sittings' sums, per type (one GROUP BY: a row per type) and in all."""
    measures = ("sessions", "persons", "cases", "mass_groups", "mass_persons")
    rows = list(ReceptionSession.objects.filter(unit_id__in=units, date__gte=date_from, date__lte=date_to)
                .values("type").order_by()
                .annotate(sessions=Count("pk"), persons=Sum("persons"), cases=Sum("cases"),
                          mass_groups=Sum("mass_groups"), mass_persons=Sum("mass_persons")))
    figures = {name: sum(int(row[name]) for row in rows) for name in measures}
    found = {row["type"]: row for row in rows}
    figures["by_type"] = {kind.value: {name: int(found[kind.value][name]) if kind.value in found else 0
                                       for name in measures}
                          for kind in ReceptionType}
    return figures


# What the figures need of a case, as small codes computed in the database and packed into one
# integer (bit fields), so the cases are counted per combination with a cheap GROUP BY of two
# integers: a few hundred rows whatever the number of cases. The figures are sums over those rows
# (``CONDITIONS``), never a loop over cases. h: received by a unit in scope; c: to be resolved by
# one; w: received in the window; the petition's outcome at the window's end; how a resolution in
# the window came about (decision or withdrawal) and whether it was on time.
#
# Every code is one CASE whose arms give the code already shifted into place, and the fields are
# added (their bits do not overlap): the fewest operations per case, which is what the count costs
# once the rows come from the covering index. Text columns are compared byte for byte (COLLATE "C":
# the same equality for these codes, without a collation lookup per comparison).
def _shifted(code, shift: int) -> str:
    return code(shift) if callable(code) else str(code << shift)


def _when(arms, otherwise):
    """A code from conditions: CASE WHEN condition THEN code … ELSE otherwise END (a code may be nested)."""
    def sql(shift: int) -> str:
        whens = " ".join(f"WHEN {condition} THEN {_shifted(code, shift)}" for condition, code in arms)
        return f"CASE {whens} ELSE {_shifted(otherwise, shift)} END"
    return sql


def _match(column: str, values, *, first: int = 0):
    """A code from a text column: ``first`` + the value's index, the index after the last for any other value."""
    def sql(shift: int) -> str:
        whens = " ".join(f"WHEN '{value}' THEN {(first + index) << shift}" for index, value in enumerate(values))
        return f'CASE {column}{_bytewise()} {whens} ELSE {(first + len(values)) << shift} END'
    return sql


def _bytewise() -> str:
    """Byte-for-byte comparison: PostgreSQL's "C" collation; SQLite compares bytes already (BINARY)."""
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


OUTCOME_CODES = ("accepted", *(str(status) for status in OUTCOMES.values()), "pending")
KIND_CODES = tuple(KINDS)
COMPETENCE_CODES = tuple(str(value) for value in COMPETENCE.values())
RESULT_CODES = tuple(str(value) for value in RESULTS.values())
RESOLUTION_CODES = (None, "decision", "withdrawal")
TIMING_CODES = ("no_due_date", "on_time", "overdue")
WINDOW = "w"  # known per statement: 1 received in the window, 0 before it

# name: (bits, decoding table or None for a flag, SQL builder taking the field's shift)
FIELDS = {
    "h": (1, None, _when([("{h}", 1)], 0)),  # {h}, {c}: IN_SCOPE or EVERY_UNIT_IN_SCOPE
    "c": (1, None, _when([("{c}", 1)], 0)),
    WINDOW: (1, None, None),
    "acc_end": (1, None, _when([("accepted_on <= %(to)s", 1)], 0)),
    "acc_before": (1, None, _when([("accepted_on < %(from)s", 1)], 0)),
    "pending_at_end": (1, None, _when([("ended_on <= %(to)s", 0)], 1)),
    "is_over_level": (1, None, _when([("is_over_level", 1)], 0)),
    "is_mass": (1, None, _when([("is_mass", 1)], 0)),
    "round": (2, (1, 2, None), _when([("round = 1", 0), ("round = 2", 1)], 2)),
    # accepted by the end; else refused, forwarded, guided, archived or withdrawn by then; else pending
    "outcome": (3, OUTCOME_CODES, _when([("accepted_on <= %(to)s", 0),
                                         ("ended_on <= %(to)s", _match("status", OUTCOME_CODES[1:-1], first=1))],
                                        len(OUTCOME_CODES) - 1)),
    "resolution": (2, RESOLUTION_CODES, _when([("decided_on BETWEEN %(from)s AND %(to)s", 1),
                                               ("decided_on IS NULL AND terminated_on BETWEEN %(from)s AND %(to)s", 2)],
                                              0)),
    "timing": (2, TIMING_CODES, _when([("resolution_due_at_decision IS NULL", 0),
                                       ("COALESCE(decided_on, terminated_on) <= resolution_due_at_decision", 1)], 2)),
    "kind": (3, (*KIND_CODES, None), _match("kind", KIND_CODES)),
    "competence": (2, (*COMPETENCE_CODES, None), _match("competence", COMPETENCE_CODES)),
    # read only for a decision in the window: no text comparison for the other cases
    "result": (3, (*RESULT_CODES, None), _when([("decided_on BETWEEN %(from)s AND %(to)s",
                                                 _match("result", RESULT_CODES))], len(RESULT_CODES))),
}


# Whether a case was received by (h), or is to be resolved by (c), a unit in scope; when the scope is every
# unit, a case always is received by one (receiving_unit is required) and is to be resolved by one once
# a competent unit is set: no per-case lookup in the list of units.
IN_SCOPE = {"h": "receiving_unit_id = ANY(%(ids)s::bigint[])", "c": "competent_unit_id = ANY(%(ids)s::bigint[])"}
EVERY_UNIT_IN_SCOPE = {"h": "1 = 1", "c": "competent_unit_id IS NOT NULL"}


def _in_scope(ids: list[int]) -> dict:
    """``IN_SCOPE`` where the database has no arrays (SQLite, the embedded default): the unit ids, which
    come from the database as integers, written into the statement."""
    if connection.vendor == "postgresql":
        return IN_SCOPE
    listed = ", ".join(str(int(pk)) for pk in ids) or "NULL"
    return {"h": f"receiving_unit_id IN ({listed})", "c": f"competent_unit_id IN ({listed})"}


# Read only for cases received in the window (``CONDITIONS``): left at 0 for the others.
WINDOW_ONLY = ("is_over_level", "is_mass", "outcome", "competence")


def _packed_sql(*, in_window: bool) -> str:
    parts, shift = [], 0
    for name, (bits, _table, sql) in FIELDS.items():
        if name == WINDOW:
            parts.append(str(int(in_window) << shift))
        elif in_window or name not in WINDOW_ONLY:
            parts.append(sql(shift))
        shift += bits
    assert shift < 31
    return " + ".join(parts)


def _unpack(key: int) -> dict:
    group, shift = {}, 0
    for name, (bits, table, _sql) in FIELDS.items():
        code = (key >> shift) & ((1 << bits) - 1)
        group[name] = bool(code) if table is None else table[code]
        shift += bits
    return group


def _case_conditions() -> dict:
    """Every case figure as a predicate over a group's columns."""
    def window(g):
        return g["h"] and g["w"]

    conditions = {
        "received": window,
        "over_level": lambda g: window(g) and g["is_over_level"],
        "mass": lambda g: window(g) and g["is_mass"],
        "carried_over": lambda g: g["h"] and not g["w"],
        "backlog_at_end": lambda g: g["h"] and g["pending_at_end"],
    }
    for kind in KINDS:
        conditions[f"kind_{kind}"] = lambda g, kind=kind: window(g) and g["kind"] == kind
    for key, value in COMPETENCE.items():
        conditions[f"competence_{key}"] = lambda g, value=value: window(g) and g["competence"] == value
    for key in ("accepted", *OUTCOMES, "pending"):
        status = OUTCOMES.get(key, key)
        conditions[f"outcome_{key}"] = lambda g, status=status: window(g) and g["outcome"] == status
    for n in (1, 2):
        conditions[f"round_{n}"] = lambda g, n=n: window(g) and g["kind"] == CaseKind.COMPLAINT and g["round"] == n
    for kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION):
        def of_kind(g, kind=kind):
            return g["c"] and g["kind"] == kind

        def resolved(g, of_kind=of_kind):
            return of_kind(g) and g["resolution"] is not None

        conditions[f"{kind}_in_competence"] = lambda g, f=of_kind: f(g) and g["acc_end"]
        conditions[f"{kind}_carried_over"] = lambda g, f=of_kind: f(g) and g["acc_before"]
        conditions[f"{kind}_resolved"] = resolved
        conditions[f"{kind}_by_decision"] = lambda g, f=of_kind: f(g) and g["resolution"] == "decision"
        conditions[f"{kind}_by_withdrawal"] = lambda g, f=of_kind: f(g) and g["resolution"] == "withdrawal"
        for timing in ("on_time", "overdue", "no_due_date"):
            conditions[f"{kind}_{timing}"] = lambda g, f=resolved, t=timing: f(g) and g["timing"] == t
        for n in (1, 2):
            conditions[f"{kind}_round_{n}"] = lambda g, f=resolved, n=n: f(g) and g["round"] == n
        for key, value in RESULTS.items():
            conditions[f"{kind}_result_{key}"] = lambda g, f=of_kind, v=value: (
                f(g) and g["resolution"] == "decision" and g["result"] == v)
    return conditions


CONDITIONS = _case_conditions()


# Planner settings of the two counts, each set just before its statement, inside a savepoint rolled
# back right after them: nothing leaks into the caller's transaction. Measured on 1M cases
# (bench/reports.py, EXPLAIN (ANALYZE, BUFFERS) in bench/README.md):
#  - both: compiling the expressions (JIT) costs far more than it saves (hundreds of ms per process);
#    the planner cannot tell how few distinct keys there are and would sort every row where a small
#    hash table does.
#  - the window: read from the covering index ``case_report_window_idx`` (index-only scan: a narrow
#    entry per case instead of a 70-column row). At the default random_page_cost the planner prefers
#    the plain received_at index, the heap being in receipt order. The cases still pending since
#    before the window come along from the small partial ``case_pending_received_idx``; counting both
#    parts in one statement (UNION ALL) also has each parallel worker group its share.
#  - ended on/after the window's first day, received before it: the planner multiplies the two
#    conditions as if independent (a quarter of the rows, where a few per cent qualify) and would walk
#    the whole history by received_at; a bitmap of ``case_ended_idx`` (both columns) reads just those.
WINDOW_PLAN = {"jit": "off", "enable_sort": "off", "random_page_cost": "1.1"}
ENDED_PLAN = {"enable_indexscan": "off", "enable_seqscan": "off"}


def _set_config(settings: dict) -> str:
    return "SELECT " + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in settings.items())


def _case_groups(ids: list[int], every_unit: bool, start, end, date_from: dt.date,
                 date_to: dt.date) -> list[tuple[int, int, int]]:
    """The cases any figure concerns, counted per combination of ``FIELDS`` and field, in one round
    trip: rows of (packed key, topic id, number of cases).

    Those are the cases received before the window's end and still pending at its start (``ended_on``
    empty or on/after the first day): received in the window, carried over, resolved or to be resolved
    in it (a resolution ends processing on its own day, ``cases.services._mark_end``). Three disjoint
    parts in two statements, each with the plan that suits it (``WINDOW_PLAN``, ``ENDED_PLAN``):
    received in the window, or before it and still pending; received before it and ended on or after
    its first day.
    """
    table = Case._meta.db_table
    scope = EVERY_UNIT_IN_SCOPE if every_unit else _in_scope(ids)

    def counted(*parts) -> str:
        rows = " UNION ALL ".join(f"SELECT {_packed_sql(in_window=in_window)} AS key, topic_id FROM {table} "
                                  f"WHERE {where} AND ({{h}} OR {{c}})" for in_window, where in parts)
        return (f"SELECT key, topic_id, COUNT(*) FROM ({rows}) cases GROUP BY key, topic_id"
                .replace("{h}", scope["h"]).replace("{c}", scope["c"]))

    statements = [  # (SQL, whether its rows are counts)
        ("SAVEPOINT report_figures", False),
        (_set_config(WINDOW_PLAN), False),
        (counted((True, "received_at >= %(start)s AND received_at < %(end)s"),
                 (False, "received_at < %(start)s AND ended_on IS NULL")), True),
        (_set_config(ENDED_PLAN), False),
        (counted((False, "received_at < %(start)s AND ended_on >= %(from)s")), True),
        ("ROLLBACK TO SAVEPOINT report_figures", False),
        ("RELEASE SAVEPOINT report_figures", False),
    ]
    ops = connection.ops
    params = {"ids": list(ids), "start": ops.adapt_datetimefield_value(start), "end": ops.adapt_datetimefield_value(end),
              "from": ops.adapt_datefield_value(date_from), "to": ops.adapt_datefield_value(date_to)}
    rows = []
    if connection.vendor != "postgresql":
        # SQLite (the embedded default, small): no planner settings, no savepoint, one statement at a time
        with connection.cursor() as cursor:
            for sql, counts in statements:
                if counts:
                    cursor.execute(sql, {name: value for name, value in params.items() if f"%({name})s" in sql})
                    rows += cursor.fetchall()
        return rows
    with connection.cursor() as cursor:
        # One execute, several statements (client-side binding): each is planned after the previous
        # one ran, so it sees the settings set just before it.
        cursor.execute(";\n".join(sql for sql, _counts in statements), params)
        for _sql, counts in statements:
            if counts:
                rows += cursor.fetchall()
            cursor.nextset()
    return rows


def _case_figures(ids: list[int], every_unit: bool, start, end, date_from: dt.date,
                  date_to: dt.date) -> tuple[dict, dict]:
    per_key, by_topic, groups = {}, {}, {}
    for key, topic_id, n in _case_groups(ids, every_unit, start, end, date_from, date_to):
        per_key[key] = per_key.get(key, 0) + n
        group = groups.get(key) or groups.setdefault(key, _unpack(key))
        if group["h"] and group["w"]:  # received in the window: the field breakdown
            by_topic[topic_id] = by_topic.get(topic_id, 0) + n
    combos = [(groups[key], n) for key, n in per_key.items()]  # a few hundred combinations
    totals = {name: sum(n for group, n in combos if test(group)) for name, test in CONDITIONS.items()}
    codes = dict(Topic.objects.filter(pk__in=[pk for pk in by_topic if pk]).values_list("pk", "code"))
    by_field = {}
    for pk, count in by_topic.items():
        code = codes.get(pk, "") if pk else ""
        by_field[code] = by_field.get(code, 0) + count
    return totals, by_field


def _resolution_block(kind: str, figures: dict, *, rounds: bool) -> dict:
    block = {
        "in_competence": figures[f"{kind}_in_competence"],
        "carried_over": figures[f"{kind}_carried_over"],
        "resolved": figures[f"{kind}_resolved"],
        "by_decision": figures[f"{kind}_by_decision"],
        "by_withdrawal": figures[f"{kind}_by_withdrawal"],
        "on_time": figures[f"{kind}_on_time"],
        "overdue": figures[f"{kind}_overdue"],
        "no_due_date": figures[f"{kind}_no_due_date"],
        "result": {key: figures[f"{kind}_result_{key}"] for key in RESULTS},
    }
    if rounds:
        block["round"] = {str(n): figures[f"{kind}_round_{n}"] for n in (1, 2)}
    return block


def build_report(*, unit, rollup: bool, date_from: dt.date, date_to: dt.date) -> dict:
    """The report of ``unit`` (with its sub-units when ``rollup``) for the legal days ``date_from``–``date_to``.

    Returns plain JSON data: integer counts, ISO dates and the unit's code; no personal data.
    """
    if date_from > date_to:
        raise ValueError("the period starts after it ends")
    ids, every_unit = report_scope(unit, rollup=rollup)
    start = clock.legal_midnight(date_from)
    end = clock.legal_midnight(date_to + dt.timedelta(days=1))
    with transaction.atomic(savepoint=False):  # the counts' savepoint needs a transaction; no savepoint of ours
        figures, by_field = _case_figures(ids, every_unit, start, end, date_from, date_to)
        reception = _reception(ids, date_from, date_to)
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "unit": unit.code,
        "rollup": bool(rollup),
        "reception": reception,
        "petitions": {
            "received": figures["received"],
            "carried_over": figures["carried_over"],
            "total": figures["received"] + figures["carried_over"],
            "by_kind": {kind: figures[f"kind_{kind}"] for kind in KINDS},
            "by_competence": {key: figures[f"competence_{key}"] for key in COMPETENCE},
            "by_field": dict(sorted(by_field.items())),
            "outcome": {key: figures[f"outcome_{key}"] for key in ("accepted", *OUTCOMES, "pending")},
            "complaint_round": {str(n): figures[f"round_{n}"] for n in (1, 2)},
        },
        "complaints": _resolution_block(CaseKind.COMPLAINT, figures, rounds=True),
        "denunciations": _resolution_block(CaseKind.DENUNCIATION, figures, rounds=False),
        "backlog_at_end": figures["backlog_at_end"],
        "over_level": figures["over_level"],
        "mass": figures["mass"],
    }
