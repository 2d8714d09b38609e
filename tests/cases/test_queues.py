"""Supervisors' queues: the home counters link to them, the numbers agree, the scope holds, pages cost the same."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.selectors import QUEUES

from .conftest import complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2026, 7, 6)


def make(world, n, **kw):
    return [services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{i}/QĐ", **kw)).case
            for i in range(n)]


def test_home_counters_link_to_queues_whose_rows_match(world, client):
    make(world, 3)
    services.case_intake(**denunciation_kwargs(world, received=RECEIVED))
    Case.objects.filter(pk__in=Case.objects.values("pk")[:2]).update(sla_state="overdue")
    client.force_login(world.province_head)
    home = client.get("/").content.decode()
    for name in QUEUES:
        url = reverse("case_queue", args=[name])
        assert url in home, name
        shown = int(re.search(rf'data-count="{name}"><a href="[^"]+">(\d+)<', home).group(1))
        page = client.get(url).content.decode()
        assert len(re.findall(r'href="/cases/\d+/"', page)) == shown, name
    assert int(re.search(r'data-count="overdue"><a href="[^"]+">(\d+)<', home).group(1)) == 2


def test_queues_hold_only_the_users_units_and_those_below(world, client):
    here = make(world, 2)
    client.force_login(world.outsider)
    body = client.get(reverse("case_queue", args=["open"])).content.decode()
    assert all(case.tracking_code not in body for case in here)
    client.force_login(world.province_head)
    body = client.get(reverse("case_queue", args=["open"])).content.decode()
    assert all(case.tracking_code in body for case in here)


def test_filters_sort_and_bad_input(world, client):
    complaints = make(world, 2)
    denunciation = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    client.force_login(world.head)
    url = reverse("case_queue", args=["open"])
    body = client.get(url, {"kind": "denunciation"}).content.decode()
    assert denunciation.tracking_code in body and complaints[0].tracking_code not in body
    assert client.get(url, {"kind": "nonsense"}).status_code == 400
    assert client.get(url, {"received_after": "31/31/2026"}).status_code == 400
    assert client.get(url, {"unit": world.remote_commune.pk}).status_code == 400  # not one of his units
    assert client.get(url, {"page": "999", "sort": "weird"}).status_code == 200
    assert client.get(reverse("case_queue", args=["secret"])).status_code == 404


def test_a_queue_page_costs_the_same_for_few_and_many_cases(world, client):
    client.force_login(world.head)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case_queue", args=["open"])).status_code == 200
        return len(captured)

    make(world, 2)
    few = queries()
    make(world, 30, is_anonymous=False)
    assert queries() == few <= 12


def test_a_long_queue_says_more_than_the_cap_instead_of_counting_every_case(world, client, monkeypatch):
    from cases.paging import CappedPaginator

    make(world, 4)
    client.force_login(world.head)
    client.cookies["django_language"] = "en"
    url = reverse("case_queue", args=["open"])
    assert "4 cases" in client.get(url).content.decode()
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).content.decode()
    assert "more than 3 cases" in body and "4 cases" not in body
    assert len(re.findall(r'href="/cases/\d+/"', body)) == 4  # the rows are all there
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and "cases_case" in q["sql"]]
    assert counts and all("LIMIT 4" in sql for sql in counts)


def test_a_head_reassigns_cases_in_bulk_and_each_is_a_traced_act(world, client):
    from organisation.models import Role
    from tests.factories import member

    from cases.models import CaseEvent

    other = member(world.commune, Role.HANDLER, "canbo-2")
    cases = make(world, 3)
    for case in cases:
        services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    foreign = services.case_intake(**complaint_kwargs(world, received=RECEIVED, receiving_unit=world.remote_commune,
                                                      actor=world.outsider, respondent_number="99/QĐ")).case
    client.force_login(world.head)
    page = client.get(reverse("case_queue", args=["unassigned"])).content.decode()
    assert f'value="{cases[0].pk}"' in page and f'value="{other.pk}"' in page
    response = client.post(reverse("case_queue_reassign", args=["unassigned"]),
                           {"handler": other.pk, "cases": [cases[0].pk, cases[1].pk, foreign.pk]})
    assert response.status_code == 302
    assert {c.pk: Case.objects.get(pk=c.pk).handler_id for c in cases} == {
        cases[0].pk: other.pk, cases[1].pk: other.pk, cases[2].pk: None}
    assert Case.objects.get(pk=foreign.pk).handler_id is None  # not in his queue: untouched
    assert CaseEvent.objects.filter(action="assign", actor=world.head).count() == 2
    client.force_login(world.handler)  # no head: no bulk reassignment
    assert client.post(reverse("case_queue_reassign", args=["unassigned"]),
                       {"handler": other.pk, "cases": [cases[2].pk]}).status_code == 404
