"""Reporting periods: "Q1-2026", "H1-2026", "9M-2026", "Y-2026" → the data window (reference §6).

The windows and the submission deadlines are configuration with effective dates
(``settings.REPORT_PERIOD_RULES``, read by ``deadlines.periods``, the one source of truth also of
the SLA sweep's reporting-period start; the rule in force on the period's closing day applies,
like the deadline rules). A rule's ``deadlines``: {period kind: "MM-DD"} submission deadlines in
the period's year (default for this district's plan 40/KH-UBND: 6-month by 10 June, annual by
25 November); its ``cutoff_day``: see ``deadlines.periods``.
"""
import datetime as dt
import re

from deadlines.periods import DEFAULT_RULES, month_end, rule_on, rules, window  # noqa: F401 (this module's API)

# kind → (first month, closing month) of the calendar year
PERIOD_MONTHS = {
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
    "H1": (1, 6), "9M": (1, 9), "Y": (1, 12),
}
PERIOD_PATTERN = re.compile(r"^(Q[1-4]|H1|9M|Y)-(\d{4})$")


class UnknownPeriod(ValueError):
    pass


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The data window (first and last legal day, inclusive) of a period code like "H1-2026"."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise UnknownPeriod(f"unknown period {text!r}: use Q1-Q4, H1, 9M or Y and a year, e.g. H1-2026")
    kind, year = match.group(1), int(match.group(2))
    return window(year, *PERIOD_MONTHS[kind])


def submission_deadline(text: str) -> dt.date | None:
    """The day a period's report is due (None where no deadline is configured for that kind)."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise UnknownPeriod(f"unknown period {text!r}")
    kind, year = match.group(1), int(match.group(2))
    rule = rule_on(month_end(year, PERIOD_MONTHS[kind][1]))
    month_day = (rule.get("deadlines") or {}).get(kind)
    if not month_day:
        return None
    month, day = (int(part) for part in month_day.split("-"))
    return dt.date(year, month, day)
