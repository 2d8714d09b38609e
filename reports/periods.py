"""Reporting periods: "Q1-2026", "H1-2026", "9M-2026", "Y-2026" → the data window (reference §6).

The windows and the submission deadlines are configuration with effective dates
(``settings.REPORT_PERIOD_RULES``, a list of dicts; the rule in force on the period's
closing day applies, like the deadline rules). A rule holds:

- ``effective_from``: ISO date from which it applies;
- ``cutoff_day``: data run to this day of the closing month and start the day after it in the
  month before the period's first month (default 14: 15/12 of the previous year – 14/3 for Q1,
  NĐ 09/2019 Art 12); ``None`` means calendar periods (1/1 – 31/3);
- ``deadlines``: {period kind: "MM-DD"} submission deadlines in the period's year (default for
  this district's plan 40/KH-UBND: 6-month by 10 June, annual by 25 November).
"""
import datetime as dt
import re

from django.conf import settings

DEFAULT_RULES = (
    {"effective_from": "2000-01-01", "cutoff_day": 14, "deadlines": {"H1": "06-10", "Y": "11-25"}},
)

# kind → (first month, closing month) of the calendar year
PERIOD_MONTHS = {
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
    "H1": (1, 6), "9M": (1, 9), "Y": (1, 12),
}
PERIOD_PATTERN = re.compile(r"^(Q[1-4]|H1|9M|Y)-(\d{4})$")


class UnknownPeriod(ValueError):
    pass


def rules() -> list[dict]:
    found = getattr(settings, "REPORT_PERIOD_RULES", None) or DEFAULT_RULES
    return sorted(found, key=lambda rule: rule["effective_from"])


def rule_on(day: dt.date) -> dict:
    """The period rule in force on ``day`` (the earliest one if none is yet)."""
    chosen = rules()[0]
    for rule in rules():
        if dt.date.fromisoformat(rule["effective_from"]) <= day:
            chosen = rule
    return chosen


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """The data window (first and last legal day, inclusive) of a period code like "H1-2026"."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise UnknownPeriod(f"unknown period {text!r}: use Q1-Q4, H1, 9M or Y and a year, e.g. H1-2026")
    kind, year = match.group(1), int(match.group(2))
    first_month, last_month = PERIOD_MONTHS[kind]
    cutoff = rule_on(_month_end(year, last_month)).get("cutoff_day")
    if not cutoff:
        return dt.date(year, first_month, 1), _month_end(year, last_month)
    before_year, before_month = (year - 1, 12) if first_month == 1 else (year, first_month - 1)
    return dt.date(before_year, before_month, cutoff) + dt.timedelta(days=1), dt.date(year, last_month, cutoff)


def submission_deadline(text: str) -> dt.date | None:
    """The day a period's report is due (None where no deadline is configured for that kind)."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise UnknownPeriod(f"unknown period {text!r}")
    kind, year = match.group(1), int(match.group(2))
    rule = rule_on(_month_end(year, PERIOD_MONTHS[kind][1]))
    month_day = (rule.get("deadlines") or {}).get(kind)
    if not month_day:
        return None
    month, day = (int(part) for part in month_day.split("-"))
    return dt.date(year, month, day)
