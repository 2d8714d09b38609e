"""The figures of a periodic report (reference §6; TT 02/2021 forms), from database aggregates only.

A fixed number of queries (seven), each a conditional ``COUNT(*) FILTER (WHERE …)`` or a
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

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from cases.models import Case, Competence, DecisionResult, ReceptionSession, ReceptionType, Status
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


def scope_unit_ids(unit: Unit, *, rollup: bool):
    """The units a report covers: the unit alone, or with every unit below it (a subquery)."""
    if rollup:
        return Unit.objects.filter(path__startswith=unit.path).values("pk")
    return Unit.objects.filter(pk=unit.pk).values("pk")


def _counts(queryset, **filters) -> dict:
    """One query: COUNT(*) FILTER (…) for each named condition."""
    found = queryset.aggregate(**{name: Count("pk", filter=condition) for name, condition in filters.items()})
    return {name: int(value or 0) for name, value in found.items()}


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
    found = ReceptionSession.objects.filter(unit__in=units, date__gte=date_from, date__lte=date_to).aggregate(
        **aggregates)
    figures = {name: int(found[f"all_{name}"]) for name in measures}
    figures["by_type"] = {kind.value: {name: int(found[f"{kind.value}_{name}"]) for name in measures}
                          for kind in ReceptionType}
    return figures


def _received(units, start, end, date_to: dt.date) -> tuple[dict, dict]:
    received = Case.objects.filter(receiving_unit__in=units, received_at__gte=start, received_at__lt=end)
    accepted = Q(accepted_on__lte=date_to)
    ended_by_end = Q(ended_on__lte=date_to)
    conditions = {"received": Q(), "over_level": Q(is_over_level=True), "mass": Q(is_mass=True)}
    conditions.update({f"kind_{kind}": Q(kind=kind) for kind in KINDS})
    conditions.update({f"competence_{key}": Q(competence=value) for key, value in COMPETENCE.items()})
    conditions["outcome_accepted"] = accepted
    for key, status in OUTCOMES.items():
        conditions[f"outcome_{key}"] = ~accepted & ended_by_end & Q(status=status)
    conditions["outcome_pending"] = ~accepted & ~ended_by_end
    conditions.update({f"round_{n}": Q(kind=CaseKind.COMPLAINT, round=n) for n in (1, 2)})
    counts = _counts(received, **conditions)
    by_field = {code or "": int(n) for code, n in received.order_by().values_list("topic__code")
                .annotate(n=Count("pk")).values_list("topic__code", "n")}
    return counts, by_field


def _pending(units, start, end, date_from: dt.date, date_to: dt.date) -> dict:
    """Carried over (pending at the window's start) and the backlog (pending after its end), one query."""
    still_pending_from = Q(ended_on__isnull=True) | Q(ended_on__gte=date_from)
    cases = Case.objects.filter(still_pending_from, receiving_unit__in=units, received_at__lt=end)
    return _counts(
        cases,
        carried_over=Q(received_at__lt=start),
        backlog_at_end=Q(ended_on__isnull=True) | Q(ended_on__gt=date_to),
    )


def _resolutions(units, date_from: dt.date, date_to: dt.date) -> dict:
    """Complaints and denunciations resolved in the window by the competent units in scope."""
    decided = Q(decided_on__gte=date_from, decided_on__lte=date_to)
    terminated = Q(decided_on__isnull=True, terminated_on__gte=date_from, terminated_on__lte=date_to)
    cases = Case.objects.filter(decided | terminated, competent_unit__in=units,
                                kind__in=(CaseKind.COMPLAINT, CaseKind.DENUNCIATION))
    conditions = {}
    for kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION):
        of_kind = Q(kind=kind)
        conditions[f"{kind}_resolved"] = of_kind
        conditions[f"{kind}_by_decision"] = of_kind & decided
        conditions[f"{kind}_by_withdrawal"] = of_kind & terminated
        conditions[f"{kind}_on_time"] = of_kind & (
            (decided & Q(decided_on__lte=_due())) | (terminated & Q(terminated_on__lte=_due())))
        conditions[f"{kind}_overdue"] = of_kind & (
            (decided & Q(decided_on__gt=_due())) | (terminated & Q(terminated_on__gt=_due())))
        conditions[f"{kind}_no_due_date"] = of_kind & Q(resolution_due_at_decision__isnull=True)
        for n in (1, 2):
            conditions[f"{kind}_round_{n}"] = of_kind & Q(round=n)
        for key, value in RESULTS.items():
            conditions[f"{kind}_result_{key}"] = of_kind & decided & Q(result=value)
    return _counts(cases, **conditions)


def _due():
    return F("resolution_due_at_decision")


def _in_competence(units, date_from: dt.date, date_to: dt.date) -> dict:
    """Accepted complaints and denunciations the competent units had to resolve during the window."""
    cases = Case.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=date_from),
        competent_unit__in=units, accepted_on__lte=date_to, kind__in=(CaseKind.COMPLAINT, CaseKind.DENUNCIATION),
    )
    return _counts(cases, **{
        f"{kind}_{name}": Q(kind=kind) & condition
        for kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION)
        for name, condition in (("in_competence", Q()), ("carried_over", Q(accepted_on__lt=date_from)),
                                ("suspended_at_end", Q(status=Status.SUSPENDED, ended_on__isnull=True)))
    })


def _resolution_block(kind: str, resolved: dict, competence: dict, *, rounds: bool) -> dict:
    block = {
        "in_competence": competence[f"{kind}_in_competence"],
        "carried_over": competence[f"{kind}_carried_over"],
        "resolved": resolved[f"{kind}_resolved"],
        "by_decision": resolved[f"{kind}_by_decision"],
        "by_withdrawal": resolved[f"{kind}_by_withdrawal"],
        "on_time": resolved[f"{kind}_on_time"],
        "overdue": resolved[f"{kind}_overdue"],
        "no_due_date": resolved[f"{kind}_no_due_date"],
        "result": {key: resolved[f"{kind}_result_{key}"] for key in RESULTS},
    }
    if rounds:
        block["round"] = {str(n): resolved[f"{kind}_round_{n}"] for n in (1, 2)}
    return block


def build_report(*, unit, rollup: bool, date_from: dt.date, date_to: dt.date) -> dict:
    """The report of ``unit`` (with its sub-units when ``rollup``) for the legal days ``date_from``–``date_to``.

    Returns plain JSON data: integer counts, ISO dates and the unit's code; no personal data.
    """
    if date_from > date_to:
        raise ValueError("the period starts after it ends")
    units = scope_unit_ids(unit, rollup=rollup)
    start = clock.legal_midnight(date_from)
    end = clock.legal_midnight(date_to + dt.timedelta(days=1))

    received, by_field = _received(units, start, end, date_to)
    pending = _pending(units, start, end, date_from, date_to)
    resolved = _resolutions(units, date_from, date_to)
    competence = _in_competence(units, date_from, date_to)
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "unit": unit.code,
        "rollup": bool(rollup),
        "reception": _reception(units, date_from, date_to),
        "petitions": {
            "received": received["received"],
            "carried_over": pending["carried_over"],
            "total": received["received"] + pending["carried_over"],
            "by_kind": {kind: received[f"kind_{kind}"] for kind in KINDS},
            "by_competence": {key: received[f"competence_{key}"] for key in COMPETENCE},
            "by_field": dict(sorted(by_field.items())),
            "outcome": {key: received[f"outcome_{key}"] for key in ("accepted", *OUTCOMES, "pending")},
            "complaint_round": {str(n): received[f"round_{n}"] for n in (1, 2)},
        },
        "complaints": _resolution_block(CaseKind.COMPLAINT, resolved, competence, rounds=True),
        "denunciations": _resolution_block(CaseKind.DENUNCIATION, resolved, competence, rounds=False),
        "backlog_at_end": pending["backlog_at_end"],
        "over_level": received["over_level"],
        "mass": received["mass"],
    }
