"""The dialogue calendar: the units' appointments by day, overdue minutes apart, other units' never shown."""
import datetime as dt

import pytest
import time_machine

from tests.factories import aware

from .test_dialogue import PARTIES, schedule, verifying

pytestmark = pytest.mark.django_db
URL = "/cases/dialogues/"
D = dt.date


def test_the_calendar_lists_upcoming_dialogues_by_day_and_those_awaiting_minutes(world, client):
    soon = verifying(world)
    schedule(world, soon, day=D(2026, 7, 20), on=D(2026, 7, 10), hour=14)
    passed = verifying(world, respondent_number="77/QĐ")
    schedule(world, passed, day=D(2026, 7, 16), on=D(2026, 7, 10))
    client.force_login(world.head)
    with time_machine.travel(aware(D(2026, 7, 17), 8), tick=False):
        body = client.get(URL).content.decode()
    upcoming = body[body.index('data-day="2026-07-20"'):]
    assert soon.tracking_code in upcoming and "20/07/2026 14:00" in upcoming and PARTIES[0] in upcoming
    awaiting = body[body.index('data-list="awaiting"'):body.index('data-day="2026-07-20"')]
    assert passed.tracking_code in awaiting and soon.tracking_code not in awaiting


def test_another_units_head_sees_none_of_them(world, client, django_assert_max_num_queries):
    case = verifying(world)
    schedule(world, case, day=D(2026, 7, 20), on=D(2026, 7, 10))
    client.force_login(world.outsider)
    with time_machine.travel(aware(D(2026, 7, 17), 8), tick=False):
        with django_assert_max_num_queries(10):
            body = client.get(URL).content.decode()
    assert case.tracking_code not in body and PARTIES[0] not in body


def test_signed_out_users_go_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
