"""Unconfirmed years are flagged (issue 6): a count through a year with no confirmed holiday schedule is ``assumed``."""
import json
from datetime import date

import pytest
from django.core.management import call_command

from deadlines.engine import DeadlineInput, compute_deadlines
from deadlines.models import CalendarYear

pytestmark = pytest.mark.django_db


def basis(**kwargs) -> dict:
    result = compute_deadlines(DeadlineInput(**kwargs))
    return {entry["deadline"]: entry for entry in result.basis if "due" in entry}


def test_2025_and_2026_are_seeded_as_confirmed_and_2027_is_not():
    assert set(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)) == {2025, 2026}
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_count_within_2026_is_not_flagged_but_one_in_2027_is():
    confirmed = basis(kind="complaint", received=date(2026, 3, 2))
    assert all("assumed_years" not in entry for entry in confirmed.values())
    in_2027 = basis(kind="complaint", received=date(2027, 3, 1))
    assert in_2027["acceptance"]["assumed_years"] == [2027]
    assert in_2027["resolution"]["assumed_years"] == [2027]


def test_a_count_that_crosses_into_2027_is_flagged_for_2027_only():
    # Received Mon 21/12/2026: 7 working days end in 2026, the 30-day resolution runs into 2027.
    entries = basis(kind="complaint", received=date(2026, 12, 21))
    assert entries["acceptance"]["due"] == "2026-12-30"
    assert "assumed_years" not in entries["acceptance"]
    assert entries["resolution"]["assumed_years"] == [2027]


def test_2026_keeps_its_individually_assumed_days_while_the_year_is_confirmed():
    entries = basis(kind="denunciation", received=date(2026, 8, 20))
    assert entries["acceptance"]["assumed_calendar_days"] == ["2026-08-22"]
    assert "assumed_years" not in entries["acceptance"]


def test_confirming_a_year_in_the_table_clears_the_flag_at_once():
    assert basis(kind="complaint", received=date(2027, 3, 1))["acceptance"]["assumed_years"] == [2027]
    year = CalendarYear.objects.create(year=2027, confirmed=True, source="Thông báo 2027 (test)")
    assert "assumed_years" not in basis(kind="complaint", received=date(2027, 3, 1))["acceptance"]
    year.confirmed = False
    year.save()
    assert basis(kind="complaint", received=date(2027, 3, 1))["acceptance"]["assumed_years"] == [2027]


def test_the_deadline_command_shows_the_flag(capsys):
    call_command("deadline", "--kind", "complaint", "--received", "2027-03-01")
    printed = json.loads(capsys.readouterr().out)
    acceptance = next(e for e in printed["basis"] if e["deadline"] == "acceptance")
    assert acceptance["assumed_years"] == [2027]


def test_the_case_page_says_the_schedule_is_not_confirmed():
    import datetime as dt

    from django.test import Client
    from django.utils import translation

    from cases import services
    from tests.cases.conftest import World, complaint_kwargs
    from tests.factories import aware

    world = World()
    with translation.override("en"):
        case = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 11, 20),
                                                        now=aware(dt.date(2026, 11, 20), 15))).case
        # accepted Wed 2/12/2026: 30 days end on Fri 1/1/2027, a holiday, rolled to Mon 4/1/2027
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 12, 2)))
    assert case.resolution_due == dt.date(2027, 1, 4)
    client = Client()
    client.force_login(world.head)
    client.cookies["django_language"] = "en"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "not yet confirmed for 2027" in html
