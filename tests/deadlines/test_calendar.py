"""The state-agency calendar of reference §7, and Civil Code counting (reference §2)."""
from datetime import date, timedelta

import pytest

from deadlines.calendar import add_calendar_days, add_working_days, get_calendar, is_working_day
from deadlines.models import CalendarOverride

pytestmark = pytest.mark.django_db

# Reference §7, "My calendar for state agencies": extra weekdays off.
DAYS_OFF_2025_2026 = [
    date(2025, 1, 1),
    *[date(2025, 1, d) for d in range(27, 32)],
    date(2025, 4, 7), date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2),
    date(2025, 9, 1), date(2025, 9, 2),
    date(2026, 1, 1), date(2026, 1, 2),
    *[date(2026, 2, d) for d in range(16, 21)],
    date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1),
    date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),
    date(2026, 11, 24),
]
MAKE_UP_SATURDAYS = [date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]


@pytest.mark.parametrize("day", DAYS_OFF_2025_2026, ids=str)
def test_reference_days_off_are_not_working(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_SATURDAYS, ids=str)
def test_make_up_saturdays_are_working(day):
    assert day.weekday() == 5
    assert is_working_day(day)


def test_the_rest_of_2025_and_2026_is_plain_mon_to_fri():
    special = set(DAYS_OFF_2025_2026) | set(MAKE_UP_SATURDAYS)
    day = date(2025, 1, 1)
    while day.year < 2027:
        if day not in special:
            assert is_working_day(day) == (day.weekday() < 5), day
        day += timedelta(days=1)


def test_unconfirmed_entries_are_flagged_assumed():
    """§7/§9(10): the 2026 New Year swap, the 2026 National Day swap and 24/11/2026 are not verified."""
    assumed = set(CalendarOverride.objects.filter(assumed=True).values_list("date", flat=True))
    assert {date(2026, 1, 2), date(2026, 1, 10), date(2026, 8, 22), date(2026, 8, 31), date(2026, 11, 24)} <= assumed
    assert date(2025, 4, 26) not in assumed


def test_event_day_is_not_counted():
    # Mon 2/6/2025: day 1 is Tue 3/6.
    assert add_working_days(date(2025, 6, 2), 1) == date(2025, 6, 3)
    assert add_calendar_days(date(2025, 6, 2), 1) == date(2025, 6, 3)


def test_calendar_days_roll_over_weekend_and_holidays():
    # Sun 31/8/2025 -> Mon 1/9 and Tue 2/9 are National Day -> Wed 3/9 (BLDS Art 148(5)).
    assert add_calendar_days(date(2025, 8, 1), 30) == date(2025, 9, 3)


def test_an_admin_override_takes_effect_at_once():
    wednesday = date(2027, 3, 10)
    assert is_working_day(wednesday)
    row = CalendarOverride.objects.create(date=wednesday, kind=CalendarOverride.Kind.DAY_OFF, description="test")
    assert not is_working_day(wednesday)
    row.kind = CalendarOverride.Kind.WORKING_DAY
    row.save()
    assert is_working_day(wednesday)
    row.delete()
    saturday = date(2027, 3, 13)
    CalendarOverride.objects.create(date=saturday, kind=CalendarOverride.Kind.WORKING_DAY, description="test")
    assert is_working_day(saturday)


def test_another_process_sees_a_change_through_the_version_stamp(django_assert_num_queries, settings):
    """Bulk writes fire no signal; a bumped stamp (as another process would publish) is still seen."""
    from django.core.cache import cache as django_cache

    from deadlines import cache

    settings.DEADLINE_CACHE_CHECK_SECONDS = 0
    thursday = date(2027, 3, 11)
    assert is_working_day(thursday)
    CalendarOverride.objects.bulk_create([CalendarOverride(date=thursday, kind="day_off", description="bulk")])
    assert is_working_day(thursday)  # stale until told
    django_cache.set(cache.VERSION_KEY, "another-process")
    assert not is_working_day(thursday)
    with django_assert_num_queries(0):
        get_calendar().is_working_day(thursday)
