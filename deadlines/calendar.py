"""The working calendar of state agencies (reference §2, §7).

Mon–Fri are working days, minus Vietnamese public holidays from the
``holidays`` package, minus ``CalendarOverride`` days off (swap days the
package misses), plus ``CalendarOverride`` make-up working days (Saturdays
worked in exchange for a swap). Each year's set of working days is built the
first time it is needed. A year without a confirmed ``CalendarYear`` row is
a forecast: counts through it are flagged (``assumed_years_between``).
"""
import functools
from datetime import date, timedelta

import holidays

from . import cache

ONE_DAY = timedelta(days=1)


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    """The package's Vietnamese public holidays of one year (code, not data: computed once per process)."""
    return frozenset(holidays.country_holidays("VN", years=year))


class WorkingCalendar:
    def __init__(self, overrides: dict[date, tuple[str, bool]] | None = None,
                 confirmed_years: frozenset[int] | None = None):
        """``overrides`` maps a date to (CalendarOverride.Kind value, assumed); ``confirmed_years`` are the
        years whose schedule is confirmed (None: not tracked, no year is flagged)."""
        self._overrides = dict(overrides or {})
        self._confirmed_years = None if confirmed_years is None else frozenset(confirmed_years)
        self._working: dict[int, frozenset[date]] = {}

    def _year(self, year: int) -> frozenset[date]:
        working = self._working.get(year)
        if working is None:
            public = _public_holidays(year)
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

    def assumed_years_between(self, first: date, last: date) -> list[int]:
        """Years touched by [first, last] whose government holiday schedule is not confirmed (reference §7)."""
        if self._confirmed_years is None:
            return []
        return [y for y in range(first.year, last.year + 1) if y not in self._confirmed_years]


def _build() -> WorkingCalendar:
    from .models import CalendarOverride, CalendarYear

    rows = CalendarOverride.objects.values_list("date", "kind", "assumed")
    confirmed = CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
    return WorkingCalendar({d: (kind, assumed) for d, kind, assumed in rows}, frozenset(confirmed))


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
