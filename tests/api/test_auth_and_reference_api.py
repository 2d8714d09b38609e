"""Tokens (with the login lockout and revocation), the rate limit, and the read-only reference endpoints."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from organisation.models import Role
from tests.api.conftest import api_as
from tests.factories import member

pytestmark = pytest.mark.django_db
PASSWORD = "Mật khẩu đủ dài 2026"


@pytest.fixture
def officer(world):
    user = member(world.commune, Role.HEAD, "lanhdao.api")
    user.set_password(PASSWORD)
    user.save()
    return user


def token_for(username, password, address="203.0.113.9"):
    return APIClient(REMOTE_ADDR=address).post("/api/v1/auth/token/", {"username": username, "password": password},
                                               format="json")


def test_a_token_opens_the_api_and_revoking_it_closes_it(officer):
    response = token_for("lanhdao.api", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200
    Token.objects.filter(key=token).delete()  # what the admin's revoke does
    refused = client.get("/api/v1/cases/")
    assert refused.status_code == 401 and refused.json()["detail"]


def test_wrong_passwords_lock_the_token_endpoint_too(officer):
    for _ in range(4):
        response = token_for("lanhdao.api", "wrong")
        assert response.status_code == 400 and response.json()["detail"]
    locked = token_for("lanhdao.api", "wrong")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    assert token_for("lanhdao.api", PASSWORD).status_code == 429  # even the right password now
    assert token_for("lanhdao.api", PASSWORD, address="198.51.100.3").status_code == 200


def test_anonymous_callers_are_rate_limited(world, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    client = APIClient(REMOTE_ADDR="203.0.113.50")
    codes = [client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json").status_code
             for _ in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:3]


def test_the_token_admin_is_the_system_admins(world, client):
    system_admin = member(world.province, Role.ADMIN, "quantri")
    system_admin.is_staff = True
    system_admin.save()
    ward_admin = member(world.commune, Role.ADMIN, "quantri-xa")
    ward_admin.is_staff = True
    ward_admin.save()
    client.force_login(ward_admin)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 403
    client.force_login(system_admin)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200


def test_units_fields_calendar_and_deadline(world):
    client = api_as(world.handler)
    units = client.get("/api/v1/units/").json()
    assert {u["code"] for u in units} >= {"tinh", "xa-a"}
    assert client.get("/api/v1/fields/").status_code == 200
    days = client.get("/api/v1/calendar/", {"start": "2026-09-01", "end": "2026-09-07"}).json()
    assert len(days) == 7 and days[1]["is_working_day"] is False  # 2 September, National Day
    assert client.get("/api/v1/calendar/", {"start": "2026-01-01", "end": "2028-01-01"}).status_code == 400
    deadline = client.get("/api/v1/deadline/", {"kind": "complaint", "received": "2026-07-06"})
    assert deadline.status_code == 200 and deadline.json()["acceptance_due"]
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("deadline", "--kind", "complaint", "--received", "2026-07-06", stdout=out)
    import json

    assert json.loads(out.getvalue()) == deadline.json()  # the same calculator
    bad = client.get("/api/v1/deadline/", {"kind": "x", "received": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["detail"]


def test_schema_and_docs_are_served_from_our_own_static(world):
    client = api_as(world.handler)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in page and "cdn" not in page.lower()
