"""Deadline arithmetic: rules (data) + calendar -> due dates with their basis.

    compute_deadlines(DeadlineInput) -> DeadlineResult

Used by cases.services, the ``deadline`` command and the SLA sweep. Counting
follows the Civil Code (reference §2): the event day is not counted; a
calendar-day period ending on a rest day rolls to the next working day.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from .calendar import WorkingCalendar, get_calendar
from .models import CaseKind, Complexity, DayCount, DeadlineType
from .rules import Rule, find_rule, suspension_rule

KINDS = frozenset(CaseKind.values)
COMPLEXITIES = frozenset(Complexity.values)
# Kinds whose acceptance/processing is tracked but for which the law sets no resolution period (reference §3.3).
NO_RESOLUTION_PERIOD = frozenset({CaseKind.RECOMMENDATION, CaseKind.FEEDBACK})


@dataclass(frozen=True)
class DeadlineInput:
    kind: str
    received: date
    round: int = 1
    complexity: str = "simple"
    remote: bool = False
    multi_site: bool = False
    anonymous: bool = False
    accepted: date | None = None
    extensions: int = 0
    # ((suspended_on, resumed_on or None), ...): an open suspension pauses the clock.
    suspensions: tuple[tuple[date, date | None], ...] = ()


@dataclass
class DeadlineResult:
    acceptance_due: date | None
    resolution_due: date | None
    notice_due: date | None = None
    # Where the acceptance rule changed during the window (reference §9): the stricter reading's date,
    # which alerts use; ``acceptance_due`` keeps the reading applied (the rule in force on receipt).
    acceptance_alert_due: date | None = None
    max_extensions: int = 0
    # True while an open suspension holds the resolution clock.
    paused: bool = False
    basis: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        def iso(d):
            return d.isoformat() if d else None

        return {
            "acceptance_due": iso(self.acceptance_due),
            "resolution_due": iso(self.resolution_due),
            "notice_due": iso(self.notice_due),
            "acceptance_alert_due": iso(self.acceptance_alert_due),
            "max_extensions": self.max_extensions,
            "paused": self.paused,
            "basis": self.basis,
        }


def _validate(inp: DeadlineInput) -> None:
    if inp.kind not in KINDS:
        raise ValueError(f"unknown kind {inp.kind!r}; expected one of {', '.join(sorted(KINDS))}")
    if inp.complexity not in COMPLEXITIES:
        raise ValueError(f"unknown complexity {inp.complexity!r}; expected one of {', '.join(sorted(COMPLEXITIES))}")
    if inp.round not in (1, 2):
        raise ValueError(f"round must be 1 or 2, not {inp.round!r}")
    if inp.round == 2 and inp.kind != CaseKind.COMPLAINT:
        raise ValueError("only complaints have a second round")
    if inp.accepted is not None and inp.accepted < inp.received:
        raise ValueError(f"accepted {inp.accepted} is before received {inp.received}")
    if inp.extensions < 0:
        raise ValueError("extensions must not be negative")
    if inp.extensions and inp.kind != CaseKind.DENUNCIATION:
        raise ValueError(f"extensions apply only to denunciations (LTC Art 30), not to a {inp.kind}")
    for start, end in inp.suspensions:
        if end is not None and end < start:
            raise ValueError(f"suspension {start}:{end} resumes before it starts")


def _entry(name: str, rule: Rule, start: date) -> dict:
    return {
        "deadline": name,
        "rule": rule.code,
        "length": rule.length,
        "unit": rule.day_count,
        "from": start.isoformat(),
        "source": rule.legal_source,
        "effective_from": rule.effective_from.isoformat(),
    }


def _settle(entry: dict, due: date, cal: WorkingCalendar) -> dict:
    """Record the due date, and what the count went through that is not confirmed (reference §7):
    unconfirmed calendar days, and years with no confirmed holiday schedule (``CalendarYear``)."""
    entry["due"] = due.isoformat()
    first = date.fromisoformat(entry["from"])
    assumed = cal.assumed_between(first, due)
    if assumed:
        entry["assumed_calendar_days"] = [d.isoformat() for d in assumed]
    years = cal.assumed_years_between(first, due)
    if years:
        entry["assumed_years"] = years
    return entry


def _transitional(entry: dict, rule: Rule, inp: DeadlineInput, cal: WorkingCalendar) -> date | None:
    """A window counted under a rule that ends before the window does (reference §9(1), (3)).

    The engine applies the rule in force on the date of receipt (reference §0)
    and keeps that due date. No transitional provision was found saying
    whether the rule that takes over applies to a case already pending; if it
    gives an earlier date (7 wd under NĐ 155/2026 instead of 10 wd for a
    complaint received before 1/7/2026), the basis names the question with
    both readings, and that earlier date is returned for the alerts.
    """
    due = date.fromisoformat(entry["due"])
    if rule.effective_to is None or due <= rule.effective_to:
        return None
    successor = find_rule(kind=inp.kind, deadline_type=rule.deadline_type, on=rule.effective_to + timedelta(days=1),
                          round=inp.round, complexity=inp.complexity, remote=inp.remote, multi_site=inp.multi_site)
    if successor is None or (successor.length, successor.day_count) == (rule.length, rule.day_count):
        return None
    # The new rule counted from the same start, but never ending before it took effect.
    stricter = max(_count(successor, date.fromisoformat(entry["from"]), cal), successor.effective_from)
    if stricter >= due:
        return None
    entry["transitional"] = {
        "question": "reference §9(1), (3): no transitional provision found for a case pending when the rule changed",
        "applied": {"reading": "the rule in force on the date of receipt", "rule": rule.code, "length": rule.length,
                    "unit": rule.day_count, "effective_to": rule.effective_to.isoformat(), "due": due.isoformat()},
        "stricter": {"reading": "the new rule applied to the pending case, counted from the same day, "
                                "not ending before it took effect",
                     "rule": successor.code, "length": successor.length, "unit": successor.day_count,
                     "effective_from": successor.effective_from.isoformat(), "due": stricter.isoformat(),
                     "source": successor.legal_source},
        "alerts": "use the stricter reading",
    }
    entry["alert_due"] = stricter.isoformat()
    return stricter


def _count(rule: Rule, start: date, cal: WorkingCalendar) -> date:
    if rule.day_count == DayCount.WORKING:
        return cal.add_working_days(start, rule.length)
    return cal.add_calendar_days(start, rule.length)


def _suspended_days(start: date, end: date) -> int:
    """Days a closed suspension removes from the clock.

    The clock runs on the day of the suspension decision; it starts again the
    day after the resumption decision (BLDS Art 147(3), reference §2), so with
    the default a suspension from S to R removes R − S days. With
    ``DEADLINE_COUNT_RESUMPTION_DAY`` the resumption day itself counts again
    and R − S − 1 days are removed (never fewer than 0).
    """
    days = (end - start).days
    if getattr(settings, "DEADLINE_COUNT_RESUMPTION_DAY", False):
        days -= 1
    return max(days, 0)


def _resolution(inp: DeadlineInput, accepted: date, result: DeadlineResult, cal: WorkingCalendar) -> None:
    rule = find_rule(kind=inp.kind, deadline_type=DeadlineType.RESOLUTION, on=accepted, round=inp.round,
                     complexity=inp.complexity, remote=inp.remote, multi_site=inp.multi_site)
    if rule is None:
        result.basis.append({"deadline": "resolution", "note": f"no resolution rule in force on {accepted}"})
        return
    result.max_extensions = rule.max_extensions
    if inp.extensions > rule.max_extensions:
        raise ValueError(
            f"{inp.extensions} extension(s) requested but a {inp.complexity} {inp.kind} allows "
            f"{rule.max_extensions} ({rule.code}, {rule.legal_source})"
        )
    end = accepted + timedelta(days=rule.length)
    entry = _entry("resolution", rule, accepted)
    if inp.extensions:
        end += timedelta(days=inp.extensions * rule.extension_length)
        entry["extensions"] = {"count": inp.extensions, "days_each": rule.extension_length,
                               "note": "added to the unrolled end (reference §2)"}
    suspensions = []
    for start, resumed in sorted(inp.suspensions):
        if start < accepted:
            raise ValueError(f"suspension on {start} is before acceptance on {accepted}")
        allowing = suspension_rule(kind=inp.kind, on=start)
        if allowing is None:
            raise ValueError(f"the law provides no suspension of a {inp.kind} on {start}")
        if suspensions and suspensions[-1]["to"] is not None and start < date.fromisoformat(suspensions[-1]["to"]):
            raise ValueError(f"suspension from {start} overlaps the previous one")
        if suspensions and suspensions[-1]["to"] is None:
            raise ValueError("a suspension cannot follow one that was never resumed")
        item = {"from": start.isoformat(), "to": resumed.isoformat() if resumed else None,
                "rule": allowing.code, "source": allowing.legal_source}
        if start > cal.next_working_day_on_or_after(end):
            item["note"] = "starts after the period had already ended: it cannot extend it"
            item["days"] = 0
            suspensions.append(item)
            continue
        if resumed is not None:
            item["days"] = _suspended_days(start, resumed)
            end += timedelta(days=item["days"])
        suspensions.append(item)
    if suspensions:
        entry["suspensions"] = suspensions
    entry["unrolled"] = end.isoformat()
    if suspensions and suspensions[-1]["to"] is None and "note" not in suspensions[-1]:
        result.paused = True
        entry["due"] = None
        entry["note"] = "clock paused by an open suspension: no resolution date until it is resumed"
        result.basis.append(entry)
        return
    due = cal.next_working_day_on_or_after(end)
    _settle(entry, due, cal)
    if due != end:
        entry["rolled"] = {"from": end.isoformat(), "to": due.isoformat(), "source": "BLDS Art 148(5)"}
    result.resolution_due = due
    result.basis.append(entry)


def compute_deadlines(inp: DeadlineInput) -> DeadlineResult:
    """Acceptance, resolution and notice dates for one case, each with the rule and source used.

    Without ``inp.accepted`` acceptance is assumed on the acceptance deadline.
    Raises ValueError on input the law does not allow (unknown kind, too many
    extensions, extensions on a complaint, a suspension where none is provided…).
    """
    _validate(inp)
    result = DeadlineResult(acceptance_due=None, resolution_due=None)
    if inp.anonymous and inp.kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION):
        reason = ("an anonymous complaint cannot be accepted (LKN Arts 8(2), 11(5))"
                  if inp.kind == CaseKind.COMPLAINT else
                  "an anonymous denunciation is not processed as a denunciation; no denunciation timers (LTC Art 25)")
        result.basis.append({"deadline": "all", "note": reason, "source": "reference §4.3"})
        return result
    cal = get_calendar()
    rule = find_rule(kind=inp.kind, deadline_type=DeadlineType.ACCEPTANCE, on=inp.received, round=inp.round,
                     complexity=inp.complexity, remote=inp.remote, multi_site=inp.multi_site)
    if rule is None:
        result.basis.append({"deadline": "acceptance", "note": f"no acceptance rule in force on {inp.received}"})
    else:
        result.acceptance_due = _count(rule, inp.received, cal)
        entry = _settle(_entry("acceptance", rule, inp.received), result.acceptance_due, cal)
        result.acceptance_alert_due = _transitional(entry, rule, inp, cal)
        result.basis.append(entry)
    accepted = inp.accepted or result.acceptance_due
    if accepted is None:
        return result
    if inp.accepted is None:
        result.basis.append({"deadline": "acceptance", "note": "acceptance assumed on the acceptance deadline",
                             "assumed_accepted": accepted.isoformat()})
    if inp.kind in NO_RESOLUTION_PERIOD:
        result.basis.append({"deadline": "resolution", "note": "the law sets no resolution period for a "
                             f"{inp.kind} (NĐ 20/2008; reference §3.3)"})
        return result
    _resolution(inp, accepted, result, cal)
    notice = find_rule(kind=inp.kind, deadline_type=DeadlineType.NOTICE, on=accepted, round=inp.round,
                       complexity=inp.complexity, remote=inp.remote, multi_site=inp.multi_site)
    if notice is not None:
        result.notice_due = _count(notice, accepted, cal)
        result.basis.append(_settle(_entry("notice", notice, accepted), result.notice_due, cal))
    return result


@dataclass(frozen=True)
class AppealWindow:
    due: date
    length: int
    rule: str
    source: str


def appeal_due(decided_on: date, *, remote: bool = False) -> AppealWindow | None:
    """The last day for a second complaint (or a lawsuit) against a first-round complaint decision.

    K5 (LKN Art 33(1)): 30 calendar days, 45 in remote areas, from receipt of
    the decision. The engine knows only the decision date, so it counts from
    that date — the earliest the citizen can have received it. Counted like
    every period here (BLDS Arts 147–148): the decision day is not counted and
    an end on a rest day rolls to the next working day. None when no K5 rule
    is in force on that date.
    """
    rule = find_rule(kind=CaseKind.COMPLAINT, deadline_type=DeadlineType.OTHER, on=decided_on, round=1,
                     remote=remote, code="K5")
    if rule is None:
        return None
    return AppealWindow(due=_count(rule, decided_on, get_calendar()), length=rule.length, rule=rule.code,
                        source=rule.legal_source)
