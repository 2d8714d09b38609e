"""The working calendar of state agencies (reference §2, §7).

Mon–Fri are working days, minus Vietnamese public holidays from the
``holidays`` package, minus ``CalendarOverride`` days off (swap days the
package misses), plus ``CalendarOverride`` make-up working days (Saturdays
worked in exchange for a swap). Each year's set of working days is built the
first time it is needed.
"""
from datetime import date, timedelta

import holidays

from . import cache

ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    def __init__(self, overrides: dict[date, tuple[str, bool]] | None = None):
        """``overrides`` maps a date to (CalendarOverride.Kind value, assumed)."""
        self._overrides = dict(overrides or {})
        self._working: dict[int, frozenset[date]] = {}

    def _year(self, year: int) -> frozenset[date]:
        working = self._working.get(year)
        if working is None:
            public = holidays.country_holidays("VN", years=year)
            day = date(year, 1, 1)
            days = set()
            while day.year == year:
                if day.weekday() < 5 and day not in public:
                    days.add(day)
                day += ONE_DAY
            for when, (kind, _assumed) in self._overrides.items():
                if when.year != year:
                    continue
                if kind == "working_day":
                    days.add(when)
                else:
                    days.discard(when)
            working = self._working[year] = frozenset(days)
        return working

    def is_working_day(self, d: date) -> bool:
        return d in self._year(d.year)

    def next_working_day_on_or_after(self, d: date) -> date:
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; ``start`` itself is never counted (BLDS Art 147)."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        while n:
            d += ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def add_calendar_days(self, start: date, n: int) -> date:
        """``start + n``, rolled to the next working day if that is a rest day (BLDS Art 148(5))."""
        return self.next_working_day_on_or_after(start + timedelta(days=n))

    def assumed_between(self, first: date, last: date) -> list[date]:
        """Overrides flagged as not yet confirmed that fall within [first, last]."""
        return sorted(d for d, (_kind, assumed) in self._overrides.items() if assumed and first <= d <= last)


def _build() -> WorkingCalendar:
    from .models import CalendarOverride

    rows = CalendarOverride.objects.values_list("date", "kind", "assumed")
    return WorkingCalendar({d: (kind, assumed) for d, kind, assumed in rows})


def get_calendar() -> WorkingCalendar:
    """The calendar built from the database, cached in-process (see ``deadlines.cache``)."""
    return cache.snapshot("calendar", _build)


def is_working_day(d: date) -> bool:
    return get_calendar().is_working_day(d)


def next_working_day_on_or_after(d: date) -> date:
    return get_calendar().next_working_day_on_or_after(d)


def add_working_days(start: date, n: int) -> date:
    return get_calendar().add_working_days(start, n)


def add_calendar_days(start: date, n: int) -> date:
    return get_calendar().add_calendar_days(start, n)
