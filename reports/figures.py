"""The figures of a periodic report (reference §6; TT 02/2021 forms), from database aggregates only.

A fixed number of queries (at most five), each a conditional ``COUNT(*) FILTER (WHERE …)`` or a
``GROUP BY``, whatever the number of cases: no Python loop over cases. Definitions (README, "Reports"):

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

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

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


def scope_unit_ids(unit: Unit, *, rollup: bool) -> list[int]:
    """The units a report covers: the unit alone, or with every unit below it (one query). A list, not a
    subquery: the planner then knows how many cases the units hold and picks the date indexes."""
    if rollup:
        return sorted(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return [unit.pk]


def _reception(units, date_from: dt.date, date_to: dt.date) -> dict:
    measures = ("sessions", "persons", "cases", "mass_groups", "mass_persons")

    def sums(condition=None) -> dict:
        return {
            "sessions": Count("pk", filter=condition),
            "persons": Coalesce(Sum("persons", filter=condition), 0),
            "cases": Coalesce(Sum("cases", filter=condition), 0),
            "mass_groups": Coalesce(Sum("mass_groups", filter=condition), 0),
            "mass_persons": Coalesce(Sum("mass_persons", filter=condition), 0),
        }

    aggregates = {f"all_{name}": expr for name, expr in sums().items()}
    for kind in ReceptionType:
        aggregates.update({f"{kind.value}_{name}": expr for name, expr in sums(Q(type=kind)).items()})
    found = ReceptionSession.objects.filter(unit_id__in=units, date__gte=date_from, date__lte=date_to).aggregate(
        **aggregates)
    figures = {name: int(found[f"all_{name}"]) for name in measures}
    figures["by_type"] = {kind.value: {name: int(found[f"{kind.value}_{name}"]) for name in measures}
                          for kind in ReceptionType}
    return figures


# What the figures need of a case, as small codes computed in the database and packed into one
# integer (bit fields), so the cases are counted per combination with a cheap GROUP BY of two
# integers: a few hundred rows whatever the number of cases. The figures are sums over those rows
# (``CONDITIONS``), never a loop over cases. h: received by a unit in scope; c: to be resolved by
# one; w: received in the window; the petition's outcome at the window's end; how a resolution in
# the window came about (decision or withdrawal) and whether it was on time.
def _case_when(column: str, values) -> str:
    arms = " ".join(f"WHEN {column} = '{value}' THEN {index}" for index, value in enumerate(values))
    return f"(CASE {arms} ELSE {len(values)} END)"


OUTCOME_CODES = ("accepted", *(str(status) for status in OUTCOMES.values()), "pending")
KIND_CODES = tuple(KINDS)
COMPETENCE_CODES = tuple(str(value) for value in COMPETENCE.values())
RESULT_CODES = tuple(str(value) for value in RESULTS.values())
RESOLUTION_CODES = (None, "decision", "withdrawal")
TIMING_CODES = ("no_due_date", "on_time", "overdue")
_routed = " ".join(f"WHEN ended_on <= %(to)s AND status = '{status}' THEN {index}"
                   for index, status in enumerate(OUTCOME_CODES[:-1]) if index)

# name: (SQL giving a small non-negative integer, bits, decoding table or None for a flag)
FIELDS = {
    "h": ("(receiving_unit_id = ANY(%(ids)s::bigint[]))::int", 1, None),
    "c": ("COALESCE(competent_unit_id = ANY(%(ids)s::bigint[]), false)::int", 1, None),
    "w": ("{w}", 1, None),  # known per part of the scan: 1 received in the window, 0 before it
    "acc_end": ("COALESCE(accepted_on <= %(to)s, false)::int", 1, None),
    "acc_before": ("COALESCE(accepted_on < %(from)s, false)::int", 1, None),
    "pending_at_end": ("COALESCE(ended_on > %(to)s, true)::int", 1, None),
    "is_over_level": ("is_over_level::int", 1, None),
    "is_mass": ("is_mass::int", 1, None),
    "round": ("(round - 1)", 1, (1, 2)),
    "outcome": (f"(CASE WHEN accepted_on <= %(to)s THEN 0 {_routed} ELSE {len(OUTCOME_CODES) - 1} END)",
                3, OUTCOME_CODES),
    "resolution": ("(CASE WHEN decided_on BETWEEN %(from)s AND %(to)s THEN 1 "
                   "WHEN decided_on IS NULL AND terminated_on BETWEEN %(from)s AND %(to)s THEN 2 ELSE 0 END)",
                   2, RESOLUTION_CODES),
    "timing": ("(CASE WHEN resolution_due_at_decision IS NULL THEN 0 "
               "WHEN COALESCE(decided_on, terminated_on) <= resolution_due_at_decision THEN 1 ELSE 2 END)",
               2, TIMING_CODES),
    "kind": (_case_when("kind", KIND_CODES), 3, (*KIND_CODES, None)),
    "competence": (_case_when("competence", COMPETENCE_CODES), 2, (*COMPETENCE_CODES, None)),
    "result": (_case_when("result", RESULT_CODES), 3, (*RESULT_CODES, None)),
}


def _packed_sql() -> str:
    parts, shift = [], 0
    for expr, bits, _table in FIELDS.values():
        parts.append(f"({expr} << {shift})" if shift else expr)
        shift += bits
    assert shift < 31
    return " | ".join(parts)


def _unpack(key: int) -> dict:
    group, shift = {}, 0
    for name, (_expr, bits, table) in FIELDS.items():
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


def _case_groups(ids: list[int], start, end, date_from: dt.date, date_to: dt.date) -> list[tuple[int, int, int]]:
    """The cases any figure concerns, counted per combination of ``FIELDS`` and field, in one query:
    rows of (packed key, topic id, number of cases).

    Those are the cases received before the window's end and still pending at its start (``ended_on``
    empty or on/after the first day): received in the window, carried over, resolved or to be resolved
    in it (a resolution ends processing on its own day, ``cases.services._mark_end``). Three disjoint
    parts, each read from its own index (UNION ALL): received in the window; received before it and
    still pending; received before it and ended on or after its first day.
    """
    table = Case._meta.db_table
    in_window = _packed_sql().replace("{w}", "1") + " AS key, topic_id"
    before = _packed_sql().replace("{w}", "0") + " AS key, topic_id"
    units = "(receiving_unit_id = ANY(%(ids)s::bigint[]) OR competent_unit_id = ANY(%(ids)s::bigint[]))"
    query = (
        f"SELECT key, topic_id, COUNT(*) FROM ("
        f"SELECT {in_window} FROM {table} WHERE received_at >= %(start)s AND received_at < %(end)s AND {units} "
        f"UNION ALL SELECT {before} FROM {table} WHERE ended_on IS NULL AND received_at < %(start)s AND {units} "
        f"UNION ALL SELECT {before} FROM {table} WHERE ended_on >= %(from)s AND received_at < %(start)s AND {units}"
        f") cases GROUP BY key, topic_id"
    )
    params = {"ids": list(ids), "start": start, "end": end, "from": date_from, "to": date_to}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _case_figures(ids: list[int], start, end, date_from: dt.date, date_to: dt.date) -> tuple[dict, dict]:
    per_key, by_topic, groups = {}, {}, {}
    for key, topic_id, n in _case_groups(ids, start, end, date_from, date_to):
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
    ids = scope_unit_ids(unit, rollup=rollup)
    start = clock.legal_midnight(date_from)
    end = clock.legal_midnight(date_to + dt.timedelta(days=1))
    with transaction.atomic(savepoint=False):  # local settings need a transaction; no savepoint inside another
        if connection.vendor == "postgresql":
            # The planner cannot tell how few distinct packed keys there are: it would sort every row
            # (spilling to disk) where a small hash table does; and compiling the expressions (JIT)
            # costs more than it saves. For this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('jit', 'off', true), set_config('enable_sort', 'off', true)")
        figures, by_field = _case_figures(ids, start, end, date_from, date_to)
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
