"""The heads' dashboard: figures computed in the database over the user's scope, one query per chart."""
import datetime as dt
import json
import re

import pytest
import time_machine

from cases import services
from cases.dashboard import dashboard_data
from cases.models import Case

from .conftest import complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2026, 7, 6)


def test_figures_count_the_scope_by_status_kind_age_handler_and_month(world):
    a = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 9, 1), respondent_number="2/QĐ"))
    services.case_intake(**denunciation_kwargs(world, received=RECEIVED))
    services.case_intake(**complaint_kwargs(world, received=RECEIVED, receiving_unit=world.remote_commune,
                                            actor=world.province_reception, respondent_number="9/QĐ"))
    services.case_accept(case=a, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    services.case_assign(case=a, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 7)))

    data = dashboard_data(user=world.head, today=dt.date(2026, 9, 10))
    assert data["open_total"] == 3  # the remote commune's case is not his
    series = {s["label"]: s["data"] for s in data["status_kind"]["series"]}
    received_index = data["status_kind"]["labels"].index("Received")
    accepted_index = data["status_kind"]["labels"].index("Accepted")
    assert series["Complaint (khiếu nại)"][received_index] == 1
    assert series["Complaint (khiếu nại)"][accepted_index] == 1
    assert series["Denunciation (tố cáo)"][received_index] == 1
    # 9 days old (2/9 → 10/9) and 66 days old (6/7 → 10/9), twice
    assert data["aging"]["data"] == [0, 1, 0, 2, 0, 0]
    assert data["handlers"] == {"labels": ["canbo"], "data": [1]}
    assert sum(data["units"]["data"]) == 3


def test_on_time_rate_by_month(world):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    Case.objects.filter(pk=case.pk).update(decided_on=dt.date(2026, 8, 3))  # within its 30 days
    late = services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number="3/QĐ")).case
    services.case_accept(case=late, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    Case.objects.filter(pk=late.pk).update(decided_on=dt.date(2026, 8, 31))  # after 6/8
    data = dashboard_data(user=world.head, today=dt.date(2026, 9, 10))
    assert data["on_time"]["labels"] == ["08/2026"]
    assert data["on_time"]["data"] == [50.0] and data["on_time"]["totals"] == [2]


def test_page_carries_the_figures_for_the_vendored_chart_library(world, client, django_assert_max_num_queries):
    for i in range(5):
        services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{i}/QĐ"))
    client.force_login(world.head)
    with time_machine.travel(aware(dt.date(2026, 9, 10)), tick=False):
        with django_assert_max_num_queries(14):
            response = client.get("/cases/dashboard/")
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<script src="/static/vendor/chartjs-4\.6\.1/chart\.umd\.min(\.[0-9a-f]+)?\.js"', body)
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', body, re.S).group(1))
    assert data["open_total"] == 5
    client.force_login(world.outsider)
    with time_machine.travel(aware(dt.date(2026, 9, 10)), tick=False):
        other = client.get("/cases/dashboard/").content.decode()
    assert '"open_total": 0' in other


def test_citizens_and_signed_out_users_cannot_open_it(client, world):
    assert client.get("/cases/dashboard/").status_code == 302
