"""The working calendar as a table the database can count over (``CalendarDay``).

Each stored day carries ``working_index``: the number of working days from
the first stored day up to and including it. The working days in (a, b] are
then ``index(b) − index(a)``, and "the n-th working day after a" is the
working day whose index is ``index(a) + n`` — one indexed look-up each, for
reports and any statement that must count working days in SQL.

The table is derived data: it is rebuilt, set-based, from the calendar
(``deadlines.calendar``: the ``holidays`` package plus ``CalendarOverride``)
whenever an override or a calendar year changes (``deadlines.apps``), after
every ``migrate``, and extended on demand (``ensure``). It covers by default
a year before ``settings.EARLIEST_RECEIPT_DATE`` to the end of the third year
after today.
"""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import ExpressionWrapper, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import Combinable

from . import clock
from .calendar import get_calendar

ONE_DAY = dt.timedelta(days=1)
BATCH = 2000


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    earliest = settings.EARLIEST_RECEIPT_DATE
    earliest = dt.date.fromisoformat(earliest) if isinstance(earliest, str) else earliest
    today = today or clock.legal_today()
    return dt.date(earliest.year - 1, 1, 1), dt.date(today.year + 3, 12, 31)


def stored_range() -> tuple[dt.date | None, dt.date | None]:
    from django.db.models import Max, Min

    from .models import CalendarDay

    found = CalendarDay.objects.aggregate(first=Min("day"), last=Max("day"))
    return found["first"], found["last"]


def rebuild(*, since: dt.date | None = None, first: dt.date | None = None, last: dt.date | None = None) -> int:
    """Write the days from ``since`` (default: every day) with the current calendar; return the rows written.

    The range is widened to cover ``first``..``last`` and the default range;
    days before ``since`` keep their rows (their indexes cannot change), the
    rest are deleted and inserted again in bulk.
    """
    from .models import CalendarDay

    lo, hi = stored_range()
    want_first, want_last = default_range()
    want_first = min(d for d in (want_first, first, lo) if d is not None)
    want_last = max(d for d in (want_last, last, hi) if d is not None)
    if lo is None or want_first < lo:
        start = want_first  # nothing stored, or the range grows backwards: every index shifts
    else:
        start = min(since or hi + ONE_DAY, hi + ONE_DAY)
        start = max(start, lo)
    if start > want_last:
        return 0
    with transaction.atomic():
        before = CalendarDay.objects.filter(day__lt=start).order_by("-day").values_list("working_index", flat=True).first()
        index = before or 0
        CalendarDay.objects.filter(day__gte=start).delete()
        cal = get_calendar()
        rows, day = [], start
        while day <= want_last:
            working = cal.is_working_day(day)
            index += working
            rows.append(CalendarDay(day=day, is_working=working, working_index=index))
            day += ONE_DAY
        CalendarDay.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def ensure(first: dt.date, last: dt.date) -> None:
    """Make sure the table covers [first, last] (one aggregate query when it does)."""
    lo, hi = stored_range()
    if lo is None or first < lo or last > hi:
        rebuild(first=first, last=last)


def _index(day) -> Subquery:
    from .models import CalendarDay

    if isinstance(day, str):
        day = OuterRef(day)
    elif isinstance(day, dt.date):
        day = Value(day)
    return Subquery(CalendarDay.objects.filter(day=day).values("working_index")[:1], output_field=IntegerField())


def working_days_between(start: str | dt.date | Combinable, end: str | dt.date | Combinable) -> ExpressionWrapper:
    """ORM expression: the working days in (start, end] — negative when end is before start.

    ``start`` / ``end`` are names of date fields or annotations of the outer
    query, dates, or expressions. For example the working days a case took to
    be accepted: ``Case.objects.annotate(received_on=TruncDate("received_at",
    tzinfo=clock.legal_zone())).annotate(n=working_days_between("received_on", "accepted_on"))``.
    Call ``ensure`` first for dates outside the default range.
    """
    return ExpressionWrapper(_index(end) - _index(start), output_field=IntegerField())


def working_days_between_sql(start_sql: str, end_sql: str) -> str:
    """The same in raw SQL, for statements written by hand: ``start_sql`` / ``end_sql`` are date expressions."""
    from .models import CalendarDay

    table = CalendarDay._meta.db_table
    return (f"((SELECT working_index FROM {table} WHERE day = {end_sql}) - "
            f"(SELECT working_index FROM {table} WHERE day = {start_sql}))")


def count_working_days(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end], counted by the database."""
    from .models import CalendarDay

    ensure(min(start, end), max(start, end))
    found = dict(CalendarDay.objects.filter(day__in=(start, end)).values_list("day", "working_index"))
    return found[end] - found[start]


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``, found by the database (same answer as the calendar's)."""
    from .models import CalendarDay

    if n < 0:
        raise ValueError("n must not be negative")
    ensure(start, start + dt.timedelta(days=n * 3 + 60))
    base = CalendarDay.objects.get(day=start).working_index
    if n == 0:
        return start
    return CalendarDay.objects.filter(is_working=True, working_index=base + n).values_list("day", flat=True).get()
