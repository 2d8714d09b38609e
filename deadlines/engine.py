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
from .models import CaseKind, Complexity, DayCount, DeadlineType, StartEvent
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
    # The days each extension actually granted (each 1..the rule's extension length); when given,
    # there is one per extension. Empty: every extension counts at the rule's full length.
    extension_days: tuple[int, ...] = ()
    # ((suspended_on, resumed_on or None), ...): an open suspension pauses the clock.
    suspensions: tuple[tuple[date, date | None], ...] = ()
    # Outside the receiving body's competence (or over-level, §4.3): routed on, not accepted here.
    outside_competence: bool = False
    # The day a complaint decision was issued: starts K5 (round 1) and K6/K7 (reference §3.1).
    decided: date | None = None


@dataclass
class DeadlineResult:
    acceptance_due: date | None
    resolution_due: date | None
    notice_due: date | None = None
    # What starts the notice clock: "receipt" (K2, a complaint's notice of acceptance or refusal) or
    # "acceptance" (T3); None without a notice rule.
    notice_start: str | None = None
    # After a complaint decision: the last day of a second complaint (K5) and the day it becomes final (K6/K7).
    appeal_due: date | None = None
    final_on: date | None = None
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
            "appeal_due": iso(self.appeal_due),
            "final_on": iso(self.final_on),
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
    if inp.decided is not None and inp.decided < inp.received:
        raise ValueError(f"decided {inp.decided} is before received {inp.received}")
    if inp.extension_days:
        if inp.extensions and len(inp.extension_days) != inp.extensions:
            raise ValueError(f"{inp.extensions} extension(s) but {len(inp.extension_days)} extension length(s)")
        if inp.kind != CaseKind.DENUNCIATION:
            raise ValueError(f"extensions apply only to denunciations (LTC Art 30), not to a {inp.kind}")
        if any(isinstance(days, bool) or not isinstance(days, int) or days < 1 for days in inp.extension_days):
            raise ValueError("each extension must add at least one day")
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
    count = len(inp.extension_days) or inp.extensions
    if count > rule.max_extensions:
        raise ValueError(
            f"{count} extension(s) requested but a {inp.complexity} {inp.kind} allows "
            f"{rule.max_extensions} ({rule.code}, {rule.legal_source})"
        )
    longest = max(inp.extension_days, default=0)
    if longest > rule.extension_length:
        raise ValueError(f"an extension of {longest} days exceeds the {rule.extension_length} days an extension "
                         f"may add ({rule.code}, {rule.legal_source})")
    end = accepted + timedelta(days=rule.length)
    entry = _entry("resolution", rule, accepted)
    if count:
        days = list(inp.extension_days) or [rule.extension_length] * count
        end += timedelta(days=sum(days))
        entry["extensions"] = {"count": count, "days": days, "days_each": rule.extension_length,
                               "note": "added to the unrolled end (reference §2); days_each is the most one "
                                       "extension may add"}
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


def _forward(inp: DeadlineInput, result: DeadlineResult, cal: WorkingCalendar) -> bool:
    """A petition outside competence runs the forwarding clock of its kind instead of acceptance.

    T2 for a denunciation (LTC Art 24(2)), P1 for a petition on a regulation; it is
    stored as the acceptance-stage due date (the one clock running while received),
    named "forward" in the basis. Nothing is accepted or resolved here, so no other
    date follows. A complaint has no forwarding period (it is guided, TT 07/2014
    Art 8): False, and its acceptance clock stays, with a note.
    """
    rule = find_rule(kind=inp.kind, deadline_type=DeadlineType.FORWARD, on=inp.received, round=inp.round,
                     complexity=inp.complexity, remote=inp.remote, multi_site=inp.multi_site)
    if rule is None:
        result.basis.append({"deadline": "forward", "note": f"outside competence: no forwarding period for a "
                             f"{inp.kind} on {inp.received}; the petitioner is guided (TT 07/2014 Art 8)"})
        return False
    result.acceptance_due = _count(rule, inp.received, cal)
    result.basis.append(_settle(_entry("forward", rule, inp.received), result.acceptance_due, cal))
    return True


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
    if inp.outside_competence and inp.accepted is None and _forward(inp, result, cal):
        return result
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
    _notice(inp, accepted, result, cal)
    if inp.decided is not None and inp.kind == CaseKind.COMPLAINT:
        _after_decision(inp, result, cal)
    return result


def _notice(inp: DeadlineInput, accepted: date, result: DeadlineResult, cal: WorkingCalendar) -> None:
    """The notice to the parties, counted from the event its rule names: receipt for a complaint's
    notice of acceptance or refusal (K2), acceptance for a denunciation's (T3). The rule is chosen
    by the date of that event."""
    selectors = {"round": inp.round, "complexity": inp.complexity, "remote": inp.remote, "multi_site": inp.multi_site}
    notice = find_rule(kind=inp.kind, deadline_type=DeadlineType.NOTICE, on=inp.received, **selectors)
    if notice is None or notice.start_event != StartEvent.RECEIPT:
        notice = find_rule(kind=inp.kind, deadline_type=DeadlineType.NOTICE, on=accepted, **selectors)
    if notice is None:
        return
    start = inp.received if notice.start_event == StartEvent.RECEIPT else accepted
    result.notice_start = notice.start_event
    result.notice_due = _count(notice, start, cal)
    result.basis.append(_settle(_entry("notice", notice, start), result.notice_due, cal))


def _after_decision(inp: DeadlineInput, result: DeadlineResult, cal: WorkingCalendar) -> None:
    """K5: a first decision may be taken to the second level within 30 days (45 remote); K6/K7: a decision
    becomes final 30 days (45 remote) after its issue — the first only if no second complaint is filed."""
    for name, code in (("appeal", "K5"), ("final", "K6" if inp.round == 1 else "K7")):
        rule = find_rule(kind=CaseKind.COMPLAINT, deadline_type=DeadlineType.OTHER, on=inp.decided, round=inp.round,
                         remote=inp.remote, code=code)
        if rule is None:
            if name == "final":
                result.basis.append({"deadline": name, "note": f"no {code} rule in force on {inp.decided}"})
            continue
        due = _count(rule, inp.decided, cal)
        entry = _settle(_entry(name, rule, inp.decided), due, cal)
        if rule.day_count == DayCount.CALENDAR and due != inp.decided + timedelta(days=rule.length):
            entry["rolled"] = {"from": (inp.decided + timedelta(days=rule.length)).isoformat(), "to": due.isoformat(),
                               "source": "BLDS Art 148(5)"}
        result.basis.append(entry)
        setattr(result, "appeal_due" if name == "appeal" else "final_on", due)


def rule_due(name: str, rule: Rule, start: date) -> tuple[date, dict]:
    """Count one rule's period from ``start``: its due date and the basis entry, as ``compute_deadlines`` writes them
    (a decision notice's K11/T5 clock, the K8 lapse)."""
    cal = get_calendar()
    due = _count(rule, start, cal)
    return due, _settle(_entry(name, rule, start), due, cal)


def earliest_after_lead_time(rule: Rule, notified: date) -> date:
    """The first day an event may take place when ``rule`` demands a lead time after the notice (K10: a dialogue
    at least 5 days after its invitation). Counted back from the event, so nothing rolls: the notice day is
    not counted, and a notice on day D allows the event on D + length."""
    if rule.day_count == DayCount.WORKING:
        return get_calendar().add_working_days(notified, rule.length)
    return notified + timedelta(days=rule.length)


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


def limitation_due(knew_on: date, *, not_counted: int = 0) -> AppealWindow | None:
    """The last day of the complaint limitation period (K1, LKN Art 9): 90 calendar days from the day the
    complainant received or learned of the decision or act, plus the proven days of force majeure that
    are not counted; an end on a rest day rolls to the next working day (BLDS Art 148(5)). None when no
    K1 rule is in force on that date."""
    if not_counted < 0:
        raise ValueError("days not counted must not be negative")
    rule = find_rule(kind=CaseKind.COMPLAINT, deadline_type=DeadlineType.OTHER, on=knew_on, code="K1")
    if rule is None:
        return None
    cal = get_calendar()
    if rule.day_count == DayCount.WORKING:
        due = cal.add_working_days(knew_on, rule.length + not_counted)
    else:
        due = cal.add_calendar_days(knew_on, rule.length + not_counted)
    return AppealWindow(due=due, length=rule.length, rule=rule.code, source=rule.legal_source)
