"""The reporting periods the report page, the sign-off and the submission tracking work with
(``H1-2026``…): a thin layer over ``reports.periods`` (windows and deadlines live there, configured
by ``REPORT_PERIOD_RULES``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import periods

KINDS = tuple(periods.PERIOD_MONTHS)  # the kinds reports.periods knows, in its order


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    year: int
    date_from: dt.date
    date_to: dt.date


def parse_period_code(code: str) -> Period | None:
    """The period named by ``code``, or None for anything else (a plain date range)."""
    try:
        date_from, date_to = periods.parse_period(code)
    except periods.UnknownPeriod:
        return None
    kind, year = code.strip().upper().split("-")
    return Period(f"{kind}-{year}", kind, int(year), date_from, date_to)


def submission_deadline(code: str) -> dt.date | None:
    try:
        return periods.submission_deadline(code)
    except periods.UnknownPeriod:
        return None


def tracked_period_codes(year: int) -> list[str]:
    """The periods of ``year`` that have a submission deadline, in deadline order."""
    codes = [f"{kind}-{year}" for kind in KINDS if submission_deadline(f"{kind}-{year}")]
    return sorted(codes, key=submission_deadline)
