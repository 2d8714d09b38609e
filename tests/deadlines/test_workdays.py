"""The working calendar as a table the database can count over (issue 6)."""
import datetime as dt

import pytest
from django.db.models.functions import TruncDate

from cases import services
from cases.models import Case
from deadlines import clock, workdays
from deadlines.calendar import get_calendar
from deadlines.models import CalendarDay, CalendarOverride
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db


def python_count(start: dt.date, end: dt.date) -> int:
    cal = get_calendar()
    return sum(cal.is_working_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))


def test_the_table_is_built_at_migrate_and_covers_the_default_range():
    first, last = workdays.default_range()
    assert workdays.stored_range() == (first, last)
    assert CalendarDay.objects.count() == (last - first).days + 1


def test_the_table_agrees_with_the_calendar_day_by_day_over_2025_to_2027():
    cal = get_calendar()
    stored = dict(CalendarDay.objects.filter(day__range=(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
                  .values_list("day", "is_working"))
    assert len(stored) == 365 * 3
    assert all(stored[day] == cal.is_working_day(day) for day in stored)


@pytest.mark.parametrize("start, end", [
    (dt.date(2026, 2, 13), dt.date(2026, 2, 24)),  # across Tết 2026: 2 working days
    (dt.date(2025, 12, 31), dt.date(2027, 1, 4)),
    (dt.date(2026, 7, 6), dt.date(2026, 7, 6)),
    (dt.date(2026, 7, 15), dt.date(2026, 7, 6)),  # backwards: negative
])
def test_counting_and_adding_in_the_database_give_the_calendars_answers(start, end):
    expected = python_count(start, end) if end >= start else -python_count(end, start)
    assert workdays.count_working_days(start, end) == expected
    for n in (0, 1, 7, 10):
        assert workdays.add_working_days(start, n) == get_calendar().add_working_days(start, n)


def test_a_day_off_added_rebuilds_the_table_in_the_same_transaction():
    assert workdays.count_working_days(dt.date(2026, 7, 6), dt.date(2026, 7, 15)) == 7
    CalendarOverride.objects.create(date=dt.date(2026, 7, 8), kind=CalendarOverride.Kind.DAY_OFF,
                                    description="Nghỉ bù (test)")
    assert CalendarDay.objects.get(day=dt.date(2026, 7, 8)).is_working is False
    assert workdays.count_working_days(dt.date(2026, 7, 6), dt.date(2026, 7, 15)) == 6
    assert workdays.add_working_days(dt.date(2026, 7, 6), 7) == dt.date(2026, 7, 16)
    CalendarOverride.objects.filter(date=dt.date(2026, 7, 8)).delete()  # a queryset delete sends the signals too
    assert workdays.count_working_days(dt.date(2026, 7, 6), dt.date(2026, 7, 15)) == 7


def test_the_table_is_extended_on_demand():
    first, last = workdays.default_range()
    later = last + dt.timedelta(days=400)
    assert workdays.count_working_days(last, later) == python_count(last, later)
    assert workdays.stored_range() == (first, later)


def test_reports_can_count_working_days_in_sql():
    """The ORM helper: working days each case took from receipt to its acceptance deadline = the rule's length."""
    world = World()
    complaint = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 2, 12),
                                                        now=aware(dt.date(2026, 2, 12), 15))).case
    denunciation = services.case_intake(**denunciation_kwargs(world, received=dt.date(2026, 8, 20),
                                                              now=aware(dt.date(2026, 8, 20), 15))).case
    rows = dict(
        Case.objects.annotate(received_on=TruncDate("received_at", tzinfo=clock.legal_zone()))
        .annotate(taken=workdays.working_days_between("received_on", "acceptance_due"))
        .values_list("pk", "taken")
    )
    assert rows == {complaint.pk: 10, denunciation.pk: 7}  # K2 before 1/7/2026 (across Tết), T1
