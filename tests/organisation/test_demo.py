"""The demo is consistent with the policy: quantri administers the system, quantri.xa only his ward."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from access import policy
from cases.models import Case
from organisation.models import Membership, MembershipChange

from .test_admin import user_form

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def demo(capsys):
    call_command("seed_demo", "--cases", "0", "--seed", "3")
    capsys.readouterr()
    return {u.username: u for u in User.objects.all()}


def login(username) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_demo_roles(demo):
    assert policy.is_system_admin(demo["quantri"]) and demo["quantri"].is_superuser
    assert not policy.is_system_admin(demo["quantri.xa"]) and not demo["quantri.xa"].is_superuser
    assert {u.username for u in User.objects.filter(is_staff=True)} == {
        name for name in demo if name.startswith(("quantri", "lanhdao"))}
    # no demo account or group holds model permissions: the policy answers in the admin
    assert not Permission.objects.filter(group__isnull=False).exists()
    assert not Permission.objects.filter(user__isnull=False).exists()
    # every membership was granted through the service, so it is on the record
    assert MembershipChange.objects.filter(action="grant").count() == Membership.objects.count()


def test_ward_admin_of_the_demo_cannot_raise_himself(demo):
    me = demo["quantri.xa"]
    client = login("quantri.xa")
    response = client.post(f"/admin/auth/user/{me.pk}/change/", user_form(me, is_superuser="on"))
    assert response.status_code == 403
    me.refresh_from_db()
    assert not me.is_superuser


def test_ward_admin_sees_only_the_ward_cases_and_no_identity(demo):
    ward_cases = Case.objects.filter(policy.case_q(demo["quantri.xa"]))
    listing = login("quantri.xa").get("/admin/cases/case/?all=")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == ward_cases.count() < Case.objects.count()
    outside = Case.objects.exclude(pk__in=ward_cases).first()
    assert login("quantri.xa").get(f"/admin/cases/case/{outside.pk}/change/").status_code == 404
