"""Every admin, ours or a package's, answers to the policy: no plain ModelAdmin is left registered."""
import pytest
from django.contrib import admin

from access.admin import PolicyAdminMixin
from organisation.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_every_registered_admin_asks_the_policy():
    plain = [f"{model._meta.label}: {type(model_admin).__name__}" for model, model_admin in admin.site._registry.items()
             if not isinstance(model_admin, PolicyAdminMixin)]
    assert plain == []


def test_login_attempt_lists_are_for_the_system_admin_only(world, client):
    ward_admin = member(world.commune, Role.ADMIN, "quantri-xa")
    system_admin = member(world.province, Role.ADMIN, "quantri")
    for user in (ward_admin, system_admin):
        user.is_staff = True
        user.save()
    client.force_login(ward_admin)
    assert client.get("/admin/axes/accesslog/").status_code == 403
    client.force_login(system_admin)
    assert client.get("/admin/axes/accesslog/").status_code == 200
    assert client.get("/admin/axes/accesslog/", {"user_agent__exact": "x"}).status_code == 400
