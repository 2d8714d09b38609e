"""The reporting periods the sign-off and the submission tracking work with: ``Q1-2026``, ``H1-2026``,
``9M-2026``, ``Y-2026``, their data windows and their submission deadlines.

Data windows (reference §6): from 15 December of the previous year to the 14th of the closing month.
Submission deadlines: ``REPORT_SUBMISSION_DEADLINES`` (by default, the district plan 40/KH-UBND:
the 6-month report by 10 June, the annual one by 25 November; quarter and 9 months untracked).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings

CLOSING_MONTH = {"Q1": 3, "H1": 6, "9M": 9, "Y": 12}
DEFAULT_DEADLINES = {"H1": "06-10", "Y": "11-25"}
CODE = re.compile(r"^(Q1|H1|9M|Y)-(\d{4})$")


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    year: int
    date_from: dt.date
    date_to: dt.date


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in text.split("-"))
    return month, day


def parse_period_code(code: str) -> Period | None:
    match = CODE.match((code or "").strip().upper())
    if not match:
        return None
    kind, year = match.group(1), int(match.group(2))
    start_month, start_day = _month_day(settings.REPORTING_PERIOD_START)
    date_from = dt.date(year - 1, start_month, start_day)
    date_to = dt.date(year, CLOSING_MONTH[kind], start_day) - dt.timedelta(days=1)
    return Period(f"{kind}-{year}", kind, year, date_from, date_to)


def submission_deadline(code: str) -> dt.date | None:
    period = parse_period_code(code)
    if period is None:
        return None
    text = getattr(settings, "REPORT_SUBMISSION_DEADLINES", DEFAULT_DEADLINES).get(period.kind)
    if not text:
        return None
    month, day = _month_day(text)
    return dt.date(period.year, month, day)


def tracked_period_codes(year: int) -> list[str]:
    """The periods of ``year`` that have a submission deadline, in deadline order."""
    deadlines = getattr(settings, "REPORT_SUBMISSION_DEADLINES", DEFAULT_DEADLINES)
    codes = [f"{kind}-{year}" for kind in CLOSING_MONTH if deadlines.get(kind)]
    return sorted(codes, key=submission_deadline)
