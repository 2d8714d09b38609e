"""The reception desk's live look-up of a person's earlier petitions (htmx fragment, issue 7)."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import IdentityAccess
from organisation.models import Role
from tests.factories import member

from .conftest import complaint_kwargs, denunciation_kwargs
from .test_appeals import decided_complaint
from .test_intake_view import logged_in

pytestmark = pytest.mark.django_db

URL = "/cases/lookup/"
ID = "001090000001"


def intake(**kwargs):
    return services.case_intake(**kwargs).case


def look(client, **params):
    response = client.get(URL, params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_clerk_finds_their_units_earlier_case_by_id_phone_or_name_and_not_another_units(world):
    own = intake(**complaint_kwargs(world))
    other = intake(**complaint_kwargs(world, actor=world.outsider, receiving_unit=world.remote_commune))
    client = logged_in(world.reception)
    for params in ({"id_number": "001 090 000 001"}, {"phone": "+84900000001"}, {"full_name": "nguyen van a"},
                   {"people-4-full_name": "Nguyễn Văn A"}):
        html = look(client, **params)
        assert own.tracking_code in html and f"/cases/{own.pk}/" in html, params
        assert other.tracking_code not in html, params
        assert "Nguyễn Văn A" not in html and ID not in html  # the person is never echoed back
    assert "No earlier petition" in look(client, id_number="001090000999")
    outsider_html = look(logged_in(world.outsider), id_number=ID)
    assert other.tracking_code in outsider_html and own.tracking_code not in outsider_html


def test_too_little_typed_asks_nothing(world):
    intake(**complaint_kwargs(world, petitioners=[{"full_name": "An"}]))
    client = logged_in(world.reception)
    with CaptureQueriesContext(connection) as queries:
        html = look(client, full_name="An")
    assert "Type an ID number" in html
    assert not [q for q in queries.captured_queries if "cases_petitioner" in q["sql"]]


def test_a_protected_case_is_shown_only_to_those_who_may_see_its_people(world):
    denunciation = intake(**denunciation_kwargs(world, actor=world.province_reception,
                                                receiving_unit=world.province, competent_unit=world.commune))
    # The commune's handler has the case in scope (competent unit) but may not know who denounced.
    assert "No earlier petition" in look(logged_in(world.handler), id_number=ID)
    assert not IdentityAccess.objects.filter(user=world.handler).exists()
    html = look(logged_in(world.province_reception), id_number=ID)  # received it: may see who
    assert denunciation.tracking_code in html and "Nguyễn Văn A" not in html
    assert IdentityAccess.objects.filter(user=world.province_reception, case=denunciation,
                                         purpose="intake_lookup", granted=True).count() == 1


def test_a_decided_first_complaint_within_k5_hints_a_second_complaint(world):
    case = decided_complaint(world)  # decided 30/7/2026, second complaint until 3/9/2026
    client = logged_in(world.reception)
    with time_machine.travel(dt.datetime(2026, 8, 20, 10, tzinfo=dt.UTC)):
        assert "File as a second complaint (until 03/09/2026)" in look(client, id_number=ID)
    with time_machine.travel(dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC)):
        html = look(client, id_number=ID)
    assert case.tracking_code in html and "second complaint" not in html


def test_at_most_five_results_in_a_bounded_number_of_queries(world):
    for day in range(1, 9):
        intake(**complaint_kwargs(world, received=dt.date(2026, 7, day), respondent_number=f"{day}/QĐ"))
    client = logged_in(world.reception)
    look(client, id_number=ID)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        html = look(client, id_number=ID)
    assert html.count("/cases/") == 5
    assert len(queries) <= 6, [q["sql"][:120] for q in queries.captured_queries]
    for query in queries.captured_queries:  # every match runs on the blind indexes
        if "cases_petitioner" in query["sql"]:
            assert "id_number_digest" in query["sql"] and '"id_number"' not in query["sql"]


def test_anonymous_is_sent_to_log_in_a_citizen_account_gets_403_and_post_is_refused(world):
    from django.test import Client

    response = Client().get(URL, {"id_number": ID})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from tests.factories import UserFactory

    citizen = Client()
    citizen.force_login(UserFactory())
    assert citizen.get(URL, {"id_number": ID}).status_code == 403
    assert logged_in(world.reception).post(URL, {"id_number": ID}).status_code == 405


def test_the_head_of_the_province_sees_the_communes_case(world):
    own = intake(**complaint_kwargs(world))
    member(world.province, Role.HEAD, "another-head")
    assert own.tracking_code in look(logged_in(world.province_head), id_number=ID)
