"""Reporting periods' data windows: the one source of truth (reference §6; NĐ 09/2019 Art 12).

The windows are configuration with effective dates (``settings.REPORT_PERIOD_RULES``, a list of
dicts; the rule in force on a period's closing day applies, like the deadline rules). A rule holds:

- ``effective_from``: ISO date from which it applies;
- ``cutoff_day``: data run to this day of the closing month and start the day after it in the
  month before the period's first month (default 14: 15/12 of the previous year – 14/3 for Q1);
  ``None`` means calendar periods (1/1 – 31/3);
- ``deadlines``: {period kind: "MM-DD"} submission deadlines in the period's year (read by
  ``reports.periods``).

Here, below ``cases``, so that the SLA sweep's "received before the current reporting period"
(backlogged) and the reports' windows come from the same rules; ``reports.periods`` names the
periods ("H1-2026") on top of it.
"""
import datetime as dt

from django.conf import settings

DEFAULT_RULES = (
    {"effective_from": "2000-01-01", "cutoff_day": 14, "deadlines": {"H1": "06-10", "Y": "11-25"}},
)


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


def month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def window(year: int, first_month: int, last_month: int) -> tuple[dt.date, dt.date]:
    """The data window (first and last legal day, inclusive) of the period covering the months
    ``first_month``–``last_month`` of ``year``, by the rule in force on its closing day."""
    cutoff = rule_on(month_end(year, last_month)).get("cutoff_day")
    if not cutoff:
        return dt.date(year, first_month, 1), month_end(year, last_month)
    before_year, before_month = (year - 1, 12) if first_month == 1 else (year, first_month - 1)
    return dt.date(before_year, before_month, cutoff) + dt.timedelta(days=1), dt.date(year, last_month, cutoff)


def reporting_year_start(day: dt.date) -> dt.date:
    """First day of the annual reporting period that ``day`` falls in: the latest start, on or before
    ``day``, of the annual windows (15/12 with the default rules, 1/1 with calendar periods)."""
    starts = (window(year, 1, 12)[0] for year in (day.year + 1, day.year))
    return max(start for start in starts if start <= day)
