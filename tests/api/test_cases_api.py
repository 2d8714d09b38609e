"""The case endpoints: scope, shape, filters, identity rules, intake and idempotency (one process)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Channel, IdentityAccess
from organisation.models import Role
from tests.api.conftest import NOW, api_as, complaint_kwargs, denunciation_kwargs
from tests.factories import member

pytestmark = pytest.mark.django_db


def intake_body(world, **overrides):
    body = {
        "kind": "complaint",
        "received_at": "2026-07-07T08:30:00+07:00",
        "receiving_unit": world.commune.pk,
        "competent_unit": world.commune.pk,
        "content": "Khiếu nại quyết định thu hồi đất số 12.",
        "respondent_number": "12/QĐ-UBND",
        "petitioners": [{"full_name": "Trần Thị B", "id_number": "001090000002", "phone": "0900000002"}],
    }
    body.update(overrides)
    return body


def test_unauthenticated_callers_get_a_json_401(world):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_case_carries_the_documented_shape(world, complaint):
    body = api_as(world.handler).get(f"/api/v1/cases/{complaint.pk}/").json()
    for key in ("id", "tracking_code", "kind", "round", "complexity", "remote_area", "channel", "received_at",
                "status", "sla_state", "flags", "deadlines", "receiving_unit", "competent_unit", "field", "content",
                "petitioners", "events"):
        assert key in body
    assert body["received_at"] == "2026-07-06T09:00:00+07:00"
    assert body["sla_state"] == "on_track" and body["flags"] == []
    acceptance = body["deadlines"][0]
    assert acceptance["name"] == "acceptance" and acceptance["rule"] == "K2" and acceptance["legal_basis"]
    dt.date.fromisoformat(acceptance["due"])
    assert body["events"][0]["action"] == "intake"
    assert body["petitioners"][0]["full_name"] == "Nguyễn Văn A"


def test_another_units_case_is_a_404_and_absent_from_the_list(world, complaint):
    client = api_as(world.outsider)
    assert client.get(f"/api/v1/cases/{complaint.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{complaint.pk}/actions/").status_code == 404
    assert client.post(f"/api/v1/cases/{complaint.pk}/actions/accept/", {}, format="json").status_code == 404
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert client.get("/api/v1/cases/999999/").json()["detail"]


def test_the_denouncer_is_masked_for_those_without_the_right_and_every_look_is_logged(world, denunciation):
    handler = api_as(world.handler)  # not the assigned handler: no right to the identity (reference §5)
    body = handler.get(f"/api/v1/cases/{denunciation.pk}/").json()
    assert body["identity_visible"] is False
    assert body["petitioners"][0]["full_name"] != "Nguyễn Văn A"
    assert "Nguyễn Văn A" not in str(body)
    listed = handler.get("/api/v1/cases/").json()["results"][0]
    assert "Nguyễn Văn A" not in str(listed)
    reception = api_as(world.reception).get(f"/api/v1/cases/{denunciation.pk}/").json()
    assert reception["petitioners"][0]["full_name"] == "Nguyễn Văn A"
    looks = list(IdentityAccess.objects.filter(case=denunciation).values_list("user__username", "granted", "purpose"))
    assert ("canbo", False, "api:detail") in looks and ("canbo", False, "api:list") in looks
    assert ("tiepdan", True, "api:detail") in looks
    api_as(world.outsider).get(f"/api/v1/cases/{denunciation.pk}/")
    assert IdentityAccess.objects.filter(case=denunciation, user=world.outsider, granted=False).exists()


def test_filters_search_and_cursor_pagination(world, complaint, denunciation):
    other = services.case_intake(**complaint_kwargs(world, receiving_unit=world.remote_commune,
                                                    actor=world.province_reception,
                                                    received=dt.date(2026, 7, 1))).case
    Case.objects.filter(pk=denunciation.pk).update(is_mass=True, sla_state="overdue")
    client = api_as(world.province_head)

    def ids(**params):
        response = client.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {complaint.pk, denunciation.pk, other.pk}
    assert ids(kind="denunciation") == {denunciation.pk}
    assert ids(status="received") == {complaint.pk, denunciation.pk, other.pk}
    assert ids(status="accepted") == set()
    assert ids(unit=world.province.pk) == {complaint.pk, denunciation.pk, other.pk}  # with its sub-units
    assert ids(unit=world.remote_commune.pk) == {other.pk}
    assert ids(sla_state="overdue") == {denunciation.pk}
    assert ids(flag="mass") == {denunciation.pk}
    assert ids(received_from="2026-07-02") == {complaint.pk, denunciation.pk}
    assert ids(received_to="2026-07-01") == {other.pk}
    due = complaint.acceptance_due.isoformat()
    assert complaint.pk in ids(due_from=due, due_to=due)
    assert ids(search=complaint.tracking_code.lower()) == {complaint.pk}
    assert client.get("/api/v1/cases/", {"received_from": "0001-01-01"}).status_code == 400
    assert client.get("/api/v1/cases/", {"kind": "nonsense"}).status_code == 400
    first = client.get("/api/v1/cases/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert {r["id"] for r in first["results"] + second["results"]} == {complaint.pk, denunciation.pk, other.pk}


def test_the_list_costs_the_same_few_queries_whatever_its_length(world, django_assert_max_num_queries):
    for n in range(12):
        kwargs = denunciation_kwargs(world) if n % 2 else complaint_kwargs(world)
        services.case_intake(**kwargs)
    client = api_as(world.head)
    client.get("/api/v1/cases/")  # warm the per-process caches (calendar, content types)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == 12


def test_intake_makes_a_web_case_in_the_workflow(world):
    response = api_as(world.reception).post("/api/v1/cases/", intake_body(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.channel == Channel.WEB and body["channel"] == "web" and len(body["pin"]) == 6
    assert response["Location"] == f"/api/v1/cases/{case.pk}/"
    assert case.process.task_set.filter(flow_task_type="HUMAN").exists()  # the workflow has its first task


@pytest.mark.parametrize("change, status", [
    ({"received_at": "2026-07-09T08:30:00+07:00"}, 400),  # the future
    ({"received_at": "2026-07-07T08:30:00"}, 400),  # no offset
    ({"received_at": "9999-12-31T23:59:59-12:00"}, 400),
    ({"kind": "petition"}, 400),
    ({"content": ""}, 400),
    ({"respondent_number": ""}, 400),  # a complaint names the decision (the service's rule)
    ({"receiving_unit": 10**12}, 400),
    ({"petitioners": [{"full_name": "A", "id_number": "12"}]}, 400),
])
def test_bad_intakes_are_4xx_with_a_message(world, change, status):
    response = api_as(world.reception).post("/api/v1/cases/", intake_body(world, **change), format="json")
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Case.objects.exists()


def test_intake_at_a_unit_outside_ones_own_is_a_403(world):
    response = api_as(world.reception).post(
        "/api/v1/cases/", intake_body(world, receiving_unit=world.remote_commune.pk), format="json")
    assert response.status_code == 403 and response.json()["detail"]


def test_malformed_json_is_a_json_400(world):
    client = api_as(world.reception)
    response = client.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_an_idempotency_key_makes_one_case_and_replays_it(world):
    client = api_as(world.reception)
    first = client.post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["pin"] == again.json()["pin"]
    assert again["Idempotent-Replayed"] == "true"
    changed = client.post("/api/v1/cases/", intake_body(world, content="Khác."), format="json",
                          HTTP_IDEMPOTENCY_KEY="k-1")
    assert changed.status_code == 422 and changed.json()["detail"]
    # the key is the caller's: another clerk's same key is another case
    colleague = member(world.commune, Role.RECEPTION, "tiepdan-2")
    other = api_as(colleague).post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 2
    assert client.post("/api/v1/cases/", intake_body(world), format="json",
                       HTTP_IDEMPOTENCY_KEY="x" * 256).status_code == 400


def test_an_intake_reads_back_nothing_it_wrote_and_takes_no_savepoint_or_row_lock(world):
    """Issue 10: the units in one query, the petitioners answered and notified from memory, no savepoint
    of the service's or the workflow's (the view's transaction is the act's) and no lock on the new process."""
    client = api_as(world.reception)
    client.post("/api/v1/cases/", intake_body(world, respondent_number="1/QĐ"), format="json")  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/cases/", intake_body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-q")
    assert response.status_code == 201, response.content
    assert response.json()["petitioners"][0]["full_name"] == "Trần Thị B"
    statements = [query["sql"] for query in queries.captured_queries]
    reads = [sql for sql in statements if sql.startswith("SELECT")]
    assert sum('FROM "organisation_unit"' in sql for sql in reads) == 1, reads
    assert not [sql for sql in reads if '"cases_petitioner"."case_id"' in sql]
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1  # the view's, inside the test's transaction
    assert not [sql for sql in statements if "FOR UPDATE" in sql]
    assert len(statements) <= 19, statements


def test_unknown_api_addresses_are_json_404s(world):
    response = api_as(world.head).get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"]


def test_received_at_defaults_to_now(world):
    body = intake_body(world)
    del body["received_at"]
    response = api_as(world.reception).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    received = dt.datetime.fromisoformat(response.json()["received_at"])
    assert abs(received - NOW) < dt.timedelta(minutes=5)
