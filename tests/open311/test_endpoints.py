"""Open311 GeoReport v2: every endpoint, both formats, the errors, the filters and the privacy rules."""
import datetime as dt
import io
import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from access import policy
from cases import services
from cases.models import Case, CaseEvent, Channel, Petitioner
from open311.models import Open311ApiKey, Open311Request, Open311Service
from organisation.models import Role
from tests.factories import aware, member

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


@pytest.fixture
def api(world):
    """A client that enforces CSRF, as a browser would: the POST must not need a token."""
    return Client(enforce_csrf_checks=True)


def post(api, world, **fields):
    data = {"api_key": world.key, "service_code": "road-damage", "lat": "21.028511", "long": "105.804817",
            "address_string": "Số 12 ngõ 34 Láng Hạ, Phường Láng, Hà Nội", "description": "Ổ gà lớn giữa đường.",
            "first_name": "An", "last_name": "Nguyễn Văn", "phone": "0912345678", "email": "an@example.com",
            "media_url": "https://example.com/photo.jpg"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return api.post(f"{BASE}/requests.json", data)


def created(api, world, **fields) -> Case:
    response = post(api, world, **fields)
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()[0]["service_request_id"])


def xml(response) -> ET.Element:
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "xmlns" not in text
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def assert_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]


# --- services ---------------------------------------------------------------------------

def test_services_list_only_feedback_and_recommendations_in_both_formats(api):
    body = api.get(f"{BASE}/services.json").json()
    assert isinstance(body, list)
    codes = {row["service_code"] for row in body}
    assert {"road-damage", "street-lighting", "noise", "public-service-proposal"} <= codes
    row = next(r for r in body if r["service_code"] == "noise")
    assert row["metadata"] is True and row["type"] == "realtime" and row["group"] and row["service_name"]
    assert {s.kind for s in Open311Service.objects.all()} <= {"feedback", "recommendation"}

    root = xml(api.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert {e.findtext("service_code") for e in root.findall("service")} == codes
    assert root.find("service/metadata").text == "true"


def test_a_complaint_service_cannot_exist(world):
    from django.db import IntegrityError, transaction
    topic = Open311Service.objects.first().topic
    with pytest.raises(IntegrityError), transaction.atomic():
        Open311Service.objects.create(service_code="complaint", name="x", topic=topic, kind="complaint")


def test_inactive_services_are_neither_listed_nor_taken(api, world):
    Open311Service.objects.filter(service_code="waste").update(active=False)
    assert "waste" not in {r["service_code"] for r in api.get(f"{BASE}/services.json").json()}
    assert_error(api.get(f"{BASE}/services/waste.json"), 404)
    assert_error(post(api, world, service_code="waste"), 404)


def test_service_definition_with_its_attributes_and_the_consent_attribute(api):
    body = api.get(f"{BASE}/services/noise.json").json()
    assert body["service_code"] == "noise"
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["time_of_day", "publish_consent"]
    time_of_day = body["attributes"][0]
    assert time_of_day["datatype"] == "singlevaluelist" and time_of_day["variable"] is True
    assert {v["key"] for v in time_of_day["values"]} == {"day", "night"}

    root = xml(api.get(f"{BASE}/services/noise.xml"))
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == codes
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")][:2] == ["day", "night"]


def test_unknown_service_is_a_404_in_both_formats(api):
    assert_error(api.get(f"{BASE}/services/nope.json"), 404)
    root = xml(api.get(f"{BASE}/services/nope.xml"))
    assert root.tag == "errors" and root.findtext("error/code") == "404" and root.findtext("error/description")


def test_unknown_jurisdiction_is_a_404(api, world):
    assert_error(api.get(f"{BASE}/services.json", {"jurisdiction_id": "nowhere"}), 404)
    assert api.get(f"{BASE}/services.json", {"jurisdiction_id": "xa-a"}).status_code == 200
    assert api.get(f"{BASE}/services.json", {"jurisdiction_id": ""}).status_code == 200
    assert_error(api.get(f"{BASE}/requests.json", {"jurisdiction_id": "nowhere"}), 404)
    assert_error(post(api, world, jurisdiction_id="nowhere"), 404)


# --- POST requests ----------------------------------------------------------------------

def test_post_makes_a_case_through_intake_without_csrf(api, world):
    response = post(api, world, **{"attribute[publish_consent]": "true"})
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body, list) and set(body[0]) >= {"service_request_id", "token", "service_notice"}
    case = Case.objects.get(pk=body[0]["service_request_id"])
    assert case.tracking_code in body[0]["service_notice"]
    assert (case.kind, case.channel, case.status) == ("feedback", Channel.WEB, "received")
    assert case.receiving_unit == world.province and case.topic.code == "roads"
    assert "Ổ gà lớn giữa đường." in case.content and "21.028511" in case.content
    person = Petitioner.objects.get(case=case)
    assert (person.full_name, person.phone) == ("Nguyễn Văn An", "0912345678")
    event = CaseEvent.objects.get(case=case, action="intake")
    assert event.actor is None and event.payload["channel"] == "web"
    row = case.open311
    assert row.token == body[0]["token"] and row.api_key == world.key_row and row.publish_consent
    assert row.email == "an@example.com" and row.street_address == "Láng Hạ, Phường Láng, Hà Nội"


def test_post_xml_answers_in_xml(api, world):
    response = api.post(f"{BASE}/requests.xml", {"api_key": world.key, "service_code": "waste",
                                                  "address_string": "Lê Lợi"})
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests" and root.findtext("request/service_request_id").isdigit()


def test_post_without_a_name_is_anonymous(api, world):
    case = created(api, world, first_name="", last_name="", phone="", email="")
    assert case.is_anonymous and not case.petitioners.exists()


@pytest.mark.parametrize("key", [None, "", "wrong-key"])
def test_post_with_a_missing_or_wrong_key_is_a_403(api, world, key):
    assert_error(post(api, world, api_key=key), 403)
    assert not Case.objects.exists()


def test_a_deactivated_key_is_refused(api, world):
    Open311ApiKey.objects.update(active=False)
    assert_error(post(api, world), 403)


@pytest.mark.parametrize("fields", [
    {"service_code": ""},
    {"lat": "", "long": "", "address_string": ""},
    {"lat": "91", "long": "105"},
    {"lat": "abc"},
    {"lat": "NaN", "long": "1"},
    {"long": ""},
    {"phone": "12"},
    {"email": "not-an-email"},
    {"media_url": "javascript:alert(1)"},
    {"media_url": "https://example.com/" + "a" * 500},
    {"description": "x" * 4001},
    {"attribute[unknown]": "1"},
])
def test_bad_input_is_a_400_and_makes_no_case(api, world, fields):
    assert_error(post(api, world, **fields), 400)
    assert not Case.objects.exists() and not Open311Request.objects.exists()


def test_attributes_are_checked_and_kept(api, world):
    assert_error(post(api, world, service_code="noise", **{"attribute[time_of_day]": "noon"}), 400)
    Open311Service.objects.filter(service_code="noise").update(attributes=[
        {"code": "time_of_day", "datatype": "singlevaluelist", "required": True,
         "values": [{"key": "day", "name": "Day"}, {"key": "night", "name": "Night"}]}])
    assert_error(post(api, world, service_code="noise"), 400)
    case = created(api, world, service_code="noise", **{"attribute[time_of_day]": "night"})
    assert case.open311.attribute_values == {"time_of_day": "night"}
    assert "time_of_day: night" in case.content


def test_jurisdiction_picks_a_unit_below_the_key_and_no_other(api, world):
    case = created(api, world, jurisdiction_id="xa-a")
    assert case.receiving_unit == world.commune
    commune_key = Open311ApiKey(name="xa-a portal", unit=world.commune)
    key = commune_key.set_new_key()
    commune_key.save()
    assert_error(post(api, world, api_key=key, jurisdiction_id="xa-b"), 403)
    assert_error(post(api, world, api_key=key, jurisdiction_id="tinh"), 403)


def test_the_case_and_its_open311_row_are_one_transaction(api, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Open311Request.objects, "create", broken)
    with pytest.raises(RuntimeError):
        post(api, world)
    assert not Case.objects.exists()


def test_only_post_and_get_on_requests(api):
    assert_error(api.put(f"{BASE}/requests.json"), 405)
    assert_error(api.post(f"{BASE}/services.json"), 405)


# --- GET requests -----------------------------------------------------------------------

def test_public_list_shows_no_personal_data(api, world):
    case = created(api, world)
    text = api.get(f"{BASE}/requests.json").content.decode()
    body = json.loads(text)
    assert [row["service_request_id"] for row in body] == [str(case.pk)]
    for secret in ("Nguyễn", "0912345678", "an@example.com", "Số 12", "ngõ 34", case.tracking_code,
                   "Ổ gà lớn", "photo.jpg", "21.028511"):
        assert secret not in text
    row = body[0]
    assert row["description"] is None and row["media_url"] is None
    assert row["address"] == "Láng Hạ, Phường Láng, Hà Nội"
    assert (row["lat"], row["long"]) == (21.029, 105.805)
    assert row["status"] == "open" and row["service_code"] == "road-damage"
    assert row["agency_responsible"] == "Tỉnh A" and row["status_notes"]
    assert OFFSET.match(row["requested_datetime"]) and OFFSET.match(row["updated_datetime"])


def test_description_and_photo_only_with_consent(api, world):
    created(api, world, **{"attribute[publish_consent]": "true"})
    row = api.get(f"{BASE}/requests.json").json()[0]
    assert row["description"] == "Ổ gà lớn giữa đường." and row["media_url"] == "https://example.com/photo.jpg"
    created(api, world, **{"attribute[publish_consent]": "false"})
    created(api, world, publish_consent="yes", description="Đèn hỏng")
    rows = api.get(f"{BASE}/requests.json").json()
    assert [r["description"] for r in rows] == ["Đèn hỏng", None, "Ổ gà lớn giữa đường."]


def test_status_mapping_notes_agency_and_expected_datetime(api, world):
    head = member(world.province, Role.HEAD, "lanhdao-tinh")
    case = created(api, world, jurisdiction_id="xa-a")
    other = created(api, world)
    received = api.get(f"{BASE}/requests/{case.pk}.json").json()[0]
    # Feedback has no statutory resolution period: while received, the processing due date (X1).
    assert case.acceptance_due and case.resolution_due is None
    assert received["expected_datetime"] == f"{case.acceptance_due.isoformat()}T23:59:59+07:00"
    assert received["agency_responsible"] == "Xã A"
    case = services.case_classify(case=case, actor=head, competent_unit=world.commune)
    case = services.case_accept(case=case, actor=head)
    services.case_archive(case=other, actor=head, reason="Trùng nội dung")
    rows = {r["service_request_id"]: r for r in api.get(f"{BASE}/requests.json").json()}
    accepted, archived = rows[str(case.pk)], rows[str(other.pk)]
    assert accepted["status"] == "open" and archived["status"] == "closed"
    assert accepted["agency_responsible"] == "Xã A"
    assert accepted["expected_datetime"] is None and case.resolution_due is None
    assert accepted["status_notes"] != archived["status_notes"]
    assert [r["service_request_id"] for r in api.get(f"{BASE}/requests.json", {"status": "closed"}).json()] == [
        str(other.pk)]
    assert [r["service_request_id"] for r in api.get(f"{BASE}/requests.json", {"status": "open"}).json()] == [
        str(case.pk)]
    assert len(api.get(f"{BASE}/requests.json", {"status": "open,closed"}).json()) == 2


def test_a_case_reclassified_out_of_open311_disappears(api, world):
    head = member(world.province, Role.HEAD, "lanhdao-tinh")
    case = created(api, world)
    services.case_classify(case=case, actor=head, kind="denunciation", accused="Ông B")
    assert api.get(f"{BASE}/requests.json").json() == []
    assert_error(api.get(f"{BASE}/requests/{case.pk}.json"), 404)
    assert api.get(f"{BASE}/requests.json", {"service_request_id": str(case.pk)}).json() == []


def test_only_open311_cases_are_listed(api, world):
    services.case_intake(actor=world.reception, kind="feedback", channel="in_person", received_at=timezone.now(),
                         receiving_unit=world.commune, content="Phản ánh tại quầy", petitioners=[],
                         is_anonymous=True, start_process=False)
    assert api.get(f"{BASE}/requests.json").json() == []


def test_filters(api, world, time_machine):
    time_machine.move_to(aware(dt.date(2026, 3, 2), 10), tick=False)
    old = created(api, world, service_code="waste")
    time_machine.move_to(aware(dt.date(2026, 7, 1), 10), tick=False)
    road = created(api, world)
    lamp = created(api, world, service_code="street-lighting", jurisdiction_id="xa-a")

    def ids(**params):
        response = api.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return sorted(int(row["service_request_id"]) for row in response.json())

    assert ids() == sorted([road.pk, lamp.pk])  # the last 90 days by default
    assert ids(service_code="road-damage") == [road.pk]
    assert ids(service_code="road-damage,street-lighting") == sorted([road.pk, lamp.pk])
    assert ids(jurisdiction_id="xa-a") == [lamp.pk]
    assert ids(start_date="2026-02-01T00:00:00+07:00", end_date="2026-04-01T00:00:00Z") == [old.pk]
    assert ids(start_date="2026-02-01") == [old.pk]  # a 90-day window from the start
    assert ids(end_date="2026-04-01T00:00:00+07:00") == [old.pk]  # the 90 days before the end
    # service_request_id overrides every other filter
    assert ids(service_request_id=f"{old.pk},{road.pk}", service_code="noise", status="closed",
               start_date="2020-01-01") == sorted([old.pk, road.pk])
    # empty optional parameters are ignored
    assert ids(service_request_id="", service_code="", status="", start_date="", end_date="",
               jurisdiction_id="") == sorted([road.pk, lamp.pk])


@pytest.mark.parametrize("params, status", [
    ({"start_date": "yesterday"}, 400),
    ({"start_date": "2026-13-45"}, 400),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400),
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, 400),
    ({"status": "pending"}, 400),
    ({"service_request_id": "abc"}, 400),
    ({"service_code": "nope"}, 404),
])
def test_bad_filters(api, world, params, status):
    assert_error(api.get(f"{BASE}/requests.json", params), status)


def test_list_in_xml(api, world):
    case = created(api, world)
    root = xml(api.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == str(case.pk)
    assert request.findtext("status") == "open" and request.findtext("description") == ""
    assert OFFSET.match(request.findtext("requested_datetime"))


def test_list_query_budget(api, world, django_assert_max_num_queries):
    for _ in range(5):
        created(api, world)
    with django_assert_max_num_queries(4):
        assert len(api.get(f"{BASE}/requests.json").json()) == 5


def test_one_request_and_unknown_ids(api, world):
    case = created(api, world)
    body = api.get(f"{BASE}/requests/{case.pk}.json").json()
    assert isinstance(body, list) and body[0]["service_request_id"] == str(case.pk)
    assert "Nguyễn" not in json.dumps(body, ensure_ascii=False)
    root = xml(api.get(f"{BASE}/requests/{case.pk}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == str(case.pk)
    assert_error(api.get(f"{BASE}/requests/999999.json"), 404)
    assert_error(api.get(f"{BASE}/requests/abc.json"), 404)
    assert xml(api.get(f"{BASE}/requests/999999.xml")).findtext("error/code") == "404"


def test_tokens(api, world):
    response = post(api, world)
    token, request_id = response.json()[0]["token"], response.json()[0]["service_request_id"]
    assert api.get(f"{BASE}/tokens/{token}.json").json() == [{"service_request_id": request_id, "token": token}]
    root = xml(api.get(f"{BASE}/tokens/{token}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == request_id
    assert_error(api.get(f"{BASE}/tokens/nope.json"), 404)


# --- keys, admin, policy ----------------------------------------------------------------

def test_key_command_prints_the_key_alone_on_its_last_line(world):
    out = io.StringIO()
    call_command("open311_key", "create", "hotline-1022", "--unit", "xa-a", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key)
    row = Open311ApiKey.lookup(key)
    assert row.name == "hotline-1022" and row.unit == world.commune and key not in row.key_hash
    call_command("open311_key", "deactivate", "hotline-1022", stdout=io.StringIO())
    assert Open311ApiKey.lookup(key) is None


def test_key_command_refuses_a_duplicate_and_an_unknown_unit(world):
    from django.core.management import CommandError
    with pytest.raises(CommandError):
        call_command("open311_key", "create", "portal", "--unit", "tinh", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "create", "new", "--unit", "nowhere", stdout=io.StringIO())


def test_the_admin_is_the_system_administrators(client, world):
    head = member(world.province, Role.HEAD, "lanhdao-tinh")
    admin = member(world.province, Role.ADMIN, "quantri")
    for user in (head, admin):
        user.is_staff = True
        user.save()
    client.force_login(head)
    assert client.get("/admin/open311/open311apikey/").status_code == 403
    assert client.get("/admin/open311/open311service/").status_code == 403
    client.force_login(admin)
    assert client.get("/admin/open311/open311service/").status_code == 200
    response = client.post("/admin/open311/open311apikey/add/", {"name": "app", "unit": world.commune.pk,
                                                                "active": "on"}, follow=True)
    assert response.status_code == 200
    row = Open311ApiKey.objects.get(name="app")
    shown = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    key = shown[0].rsplit(" ", 1)[-1]
    assert Open311ApiKey.lookup(key) == row


def test_an_intake_client_logs_petitions_for_its_unit_and_below_only(world):
    client = policy.IntakeClient(name="portal", unit_id=world.commune.pk, unit_path=world.commune.path)
    assert policy.can_log_petition(client, world.commune)
    assert not policy.can_log_petition(client, world.other_commune)
    assert not policy.can_log_petition(client, world.province)
    assert policy.case_q(client) is not None and not policy.intake_unit_ids(client)


# --- never a 500 -------------------------------------------------------------------------

@pytest.mark.parametrize("path, params", [
    ("requests.json", {"start_date": "0001-01-01T00:00:00Z"}),
    ("requests.json", {"end_date": "9999-12-31T23:59:59+07:00"}),
    ("requests.json", {"start_date": "9999-12-31"}),
    ("requests.json", {"service_request_id": "99999999999999999999999"}),
    ("requests.json", {"service_request_id": "-1,0"}),
    ("requests.json", {"service_code": "a\x00b"}),
    ("requests.json", {"jurisdiction_id": "\x00"}),
    ("requests.json", {"status": "open,,"}),
    ("requests/99999999999999999999999.json", {}),
    ("requests/١٢.json", {}),
    ("tokens/%00.json", {}),
    ("services/%00.xml", {}),
])
def test_odd_reads_are_answered_not_crashed(api, world, path, params):
    response = api.get(f"{BASE}/{path}", params)
    assert response.status_code in (200, 400, 404)
    if path.endswith(".xml"):
        assert xml(response).tag in ("errors", "service_definition")
    else:
        assert isinstance(json.loads(response.content), list)


@pytest.mark.parametrize("fields", [
    {"description": "a\x00b"},
    {"first_name": "\x00"},
    {"attribute[publish_consent]": "\x00"},
    {"lat": "1e400", "long": "1"},
    {"lat": "Infinity", "long": "1"},
    {"address_string": "x" * 5000, "first_name": "y" * 5000},
])
def test_odd_posts_are_answered_not_crashed(api, world, fields):
    response = post(api, world, **fields)
    assert response.status_code in (201, 400)
    assert isinstance(response.json(), list)


def test_reads_are_rate_limited_per_address_and_keyed_posts_are_not_counted(api, world, settings):
    """The unauthenticated endpoints are rate-limited (issue 10): Open311's reads need no key."""
    import xml.etree.ElementTree as ET

    settings.OPEN311_READ_RATE = "3/minute"
    for _ in range(3):
        assert api.get(f"{BASE}/services.json").status_code == 200
    assert post(api, world).status_code == 201  # a keyed POST is not a read
    refused = api.get(f"{BASE}/requests.json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()[0]["code"] == 429 and refused.json()[0]["description"]
    as_xml = api.get(f"{BASE}/services.xml")
    assert as_xml.status_code == 429 and ET.fromstring(as_xml.content).find("error/code").text == "429"
    # another address has its own count
    assert api.get(f"{BASE}/services.json", REMOTE_ADDR="203.0.113.9").status_code == 200
