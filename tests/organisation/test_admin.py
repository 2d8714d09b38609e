"""Administration is not a back door (issue 5, finding 1): the admin of people, units and memberships."""
import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model

from access import policy
from organisation.models import Membership, MembershipChange, Role, Unit

from .conftest import client_for

pytestmark = pytest.mark.django_db

User = get_user_model()


def user_form(user, **overrides):
    """The admin's user change form as a browser would post it."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return data


def membership_form(**values):
    return {"valid_from": "", "valid_to": "", **values}


# --- finding 1: a ward admin makes himself superuser --------------------------------------------

def test_ward_admin_cannot_make_himself_superuser(org):
    """He held every auth permission through the demo group; the policy, not permissions, now answers."""
    client = client_for(org.ward_admin)
    url = f"/admin/auth/user/{org.ward_admin.pk}/change/"
    assert client.get(url).status_code == 403
    response = client.post(url, user_form(org.ward_admin, is_superuser="on", groups=[], user_permissions=[]))
    assert response.status_code == 403
    org.ward_admin.refresh_from_db()
    assert not org.ward_admin.is_superuser


def test_ward_admin_cannot_give_himself_a_province_head_membership(org):
    client = client_for(org.ward_admin)
    response = client.post(
        "/admin/organisation/membership/add/",
        membership_form(user=org.ward_admin.pk, unit=org.province.pk, role=Role.HEAD),
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=org.ward_admin, unit=org.province).exists()
    # nor through the unit page's inline
    response = client.post(f"/admin/organisation/unit/{org.province.pk}/change/", {})
    assert response.status_code in (403, 404)
    assert not MembershipChange.objects.exists()


def test_ward_admin_cannot_manage_users_or_groups(org):
    client = client_for(org.ward_admin)
    for url in ("/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/",
                f"/admin/auth/user/{org.commune_head.pk}/change/", f"/admin/auth/user/{org.commune_head.pk}/password/"):
        assert client.get(url).status_code == 403, url
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "auth" not in {app["app_label"] for app in index.context["app_list"]}


def test_nobody_changes_their_own_account_not_even_the_system_admin(org):
    client = client_for(org.sysadmin)
    url = f"/admin/auth/user/{org.sysadmin.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert client.post(url, user_form(org.sysadmin, first_name="Tự sửa")).status_code == 403
    assert client.post(f"/admin/auth/user/{org.sysadmin.pk}/password/",
                       {"password1": "Xx-12345-yy", "password2": "Xx-12345-yy"}).status_code == 403
    org.sysadmin.refresh_from_db()
    assert org.sysadmin.first_name != "Tự sửa"


def test_superuser_status_groups_and_permissions_are_read_only_for_everybody(org):
    """The system administrator edits other accounts, but rights never come from the user form."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="anything")
    perm = Permission.objects.get(codename="change_user")
    client = client_for(org.sysadmin)
    response = client.post(
        f"/admin/auth/user/{org.commune_head.pk}/change/",
        user_form(org.commune_head, first_name="Lãnh đạo Phú Lộc", is_superuser="on", groups=[group.pk],
                  user_permissions=[perm.pk]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.commune_head.refresh_from_db()
    assert org.commune_head.first_name == "Lãnh đạo Phú Lộc"
    assert not org.commune_head.is_superuser
    assert not org.commune_head.groups.exists() and not org.commune_head.user_permissions.exists()


def test_users_are_deactivated_not_deleted(org):
    client = client_for(org.sysadmin)
    assert client.post(f"/admin/auth/user/{org.commune_head.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=org.commune_head.pk).exists()


# --- memberships -------------------------------------------------------------------------------

def test_system_admin_cannot_grant_himself_anything(org):
    client = client_for(org.sysadmin)
    response = client.post(
        "/admin/organisation/membership/add/",
        membership_form(user=org.sysadmin.pk, unit=org.ward.pk, role=Role.HEAD),
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=org.sysadmin, unit=org.ward).exists()
    own = Membership.objects.get(user=org.sysadmin)
    page = client.get(f"/admin/organisation/membership/{own.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert client.post(f"/admin/organisation/membership/{own.pk}/change/",
                       membership_form(unit=org.province.pk, role=Role.HEAD)).status_code == 403
    assert client.post(f"/admin/organisation/membership/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert not MembershipChange.objects.exists()


def test_system_admin_cannot_touch_his_own_rows_through_the_unit_inline(org):
    own = Membership.objects.get(user=org.sysadmin)
    client = client_for(org.sysadmin)
    unit = org.province
    rows = list(unit.memberships.order_by("pk"))
    data = {
        "code": unit.code, "name": unit.name, "level": unit.level, "parent": "", "valid_from": "", "valid_to": "",
        "memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(rows):
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-unit": unit.pk, f"memberships-{i}-user": m.user_id,
                     f"memberships-{i}-role": m.role, f"memberships-{i}-valid_from": "",
                     f"memberships-{i}-valid_to": "2020-01-01" if m.pk == own.pk else ""})
    response = client.post(f"/admin/organisation/unit/{unit.pk}/change/", data)
    assert response.status_code == 200  # the form comes back with the refusal
    assert not response.context["adminform"].form.errors
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.non_form_errors()
    own.refresh_from_db()
    assert own.valid_to is None
    assert not MembershipChange.objects.exists()


def test_every_membership_change_through_the_admin_is_recorded(org):
    client = client_for(org.sysadmin)
    newcomer = User.objects.create_user("canbo.moi", password="x")
    response = client.post("/admin/organisation/membership/add/",
                           membership_form(user=newcomer.pk, unit=org.ward.pk, role=Role.HANDLER))
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=newcomer)
    response = client.post(f"/admin/organisation/membership/{membership.pk}/change/",
                           membership_form(unit=org.ward.pk, role=Role.HANDLER, valid_to="2030-12-31"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.post(f"/admin/organisation/membership/{membership.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()

    log = list(MembershipChange.objects.order_by("pk"))
    assert [c.action for c in log] == ["grant", "change", "revoke"]
    assert {(c.actor, c.user, c.unit, c.role) for c in log} == {(org.sysadmin, newcomer, org.ward, Role.HANDLER)}
    assert log[0].old == {} and log[0].new["valid_to"] is None
    assert log[1].old["valid_to"] is None and log[1].new["valid_to"] == "2030-12-31"
    assert log[2].old["valid_to"] == "2030-12-31" and log[2].new == {}


def test_bulk_delete_goes_through_the_service_too(org):
    client = client_for(org.sysadmin)
    targets = list(Membership.objects.filter(unit=org.commune).values_list("pk", flat=True))
    response = client.post("/admin/organisation/membership/",
                           {"action": "delete_selected", "_selected_action": targets, "post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=targets).exists()
    assert MembershipChange.objects.filter(action="revoke", unit=org.commune).count() == len(targets)


def test_system_admin_changes_memberships_in_the_unit_inline_through_the_service(org):
    client = client_for(org.sysadmin)
    unit = org.commune
    rows = list(unit.memberships.order_by("pk"))
    data = {
        "code": unit.code, "name": unit.name, "level": unit.level, "parent": org.province.pk,
        "valid_from": "", "valid_to": "",
        "memberships-TOTAL_FORMS": str(len(rows)), "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(rows):
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-unit": unit.pk, f"memberships-{i}-user": m.user_id,
                     f"memberships-{i}-role": m.role, f"memberships-{i}-valid_from": "",
                     f"memberships-{i}-valid_to": "2030-06-30" if m.user == org.commune_handler else ""})
    response = client.post(f"/admin/organisation/unit/{unit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = MembershipChange.objects.get()
    assert (change.action, change.user, change.new["valid_to"]) == ("change", org.commune_handler, "2030-06-30")


def test_heads_and_lower_admins_view_their_subtree_only_and_change_nothing(org):
    for user in (org.ward_head, org.ward_admin):
        client = client_for(user)
        listing = client.get("/admin/organisation/membership/")
        assert listing.status_code == 200
        assert {m.unit for m in listing.context["cl"].result_list} == {org.ward}
        units = client.get("/admin/organisation/unit/")
        assert {u.pk for u in units.context["cl"].result_list} == {org.ward.pk}
        assert client.get(f"/admin/organisation/unit/{org.province.pk}/change/").status_code == 404
        outside = Membership.objects.get(user=org.commune_head)
        assert client.get(f"/admin/organisation/membership/{outside.pk}/change/").status_code == 404
        inside = Membership.objects.get(user=org.ward_handler)
        page = client.get(f"/admin/organisation/membership/{inside.pk}/change/")
        assert page.status_code == 200 and page.context["has_change_permission"] is False
        assert client.post(f"/admin/organisation/membership/{inside.pk}/change/",
                           membership_form(unit=org.ward.pk, role=Role.HEAD)).status_code == 403
        ward = client.post(f"/admin/organisation/unit/{org.ward.pk}/change/",
                           {"code": "x", "name": "x", "level": "commune", "valid_to": "2020-01-01"})
        assert ward.status_code == 403
        assert client.get("/admin/organisation/membership/add/").status_code == 403
    org.ward.refresh_from_db()
    assert org.ward.valid_to is None and org.ward.code == "phuong"
    assert Membership.objects.get(user=org.ward_handler).role == Role.HANDLER


def test_only_the_system_admin_changes_units(org):
    client = client_for(org.sysadmin)
    response = client.post(f"/admin/organisation/unit/{org.ward.pk}/change/", {
        "code": org.ward.code, "name": org.ward.name, "level": org.ward.level, "parent": org.province.pk,
        "valid_from": "", "valid_to": "2026-12-31",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Unit.objects.get(pk=org.ward.pk).valid_to == dt.date(2026, 12, 31)
    assert client.post(f"/admin/organisation/unit/{org.ward.pk}/delete/", {"post": "yes"}).status_code == 403


def test_membership_filter_offers_only_units_in_scope(org):
    page = client_for(org.ward_admin).get("/admin/organisation/membership/")
    html = page.content.decode()
    assert "Phường An Khang" in html
    assert "Tỉnh An Khang" not in html and "Xã Phú Lộc" not in html


def test_autocomplete_is_scoped(org):
    client = client_for(org.ward_admin)
    users = client.get("/admin/autocomplete/",
                       {"app_label": "organisation", "model_name": "membership", "field_name": "user", "term": "lanh"})
    assert users.status_code == 403
    units = client.get("/admin/autocomplete/",
                       {"app_label": "organisation", "model_name": "membership", "field_name": "unit", "term": ""})
    assert units.status_code == 200
    assert [r["text"] for r in json.loads(units.content)["results"]] == ["Phường An Khang"]
    everyone = client_for(org.sysadmin).get(
        "/admin/autocomplete/",
        {"app_label": "organisation", "model_name": "membership", "field_name": "user", "term": "lanhdao"},
    )
    assert {r["text"] for r in json.loads(everyone.content)["results"]} == {"lanhdao", "lanhdao.xa", "lanhdao.phuloc"}


def test_membership_changes_are_shown_to_heads_of_the_unit_and_above_read_only(org):
    from organisation.services import membership_grant

    newcomer = User.objects.create_user("tiepdan.moi", password="x")
    change = membership_grant(actor=org.sysadmin, user=newcomer, unit=org.ward, role=Role.RECEPTION)
    assert change.pk
    for head in (org.ward_head, org.province_head, org.sysadmin):
        page = client_for(head).get("/admin/organisation/membershipchange/")
        assert page.status_code == 200
        assert [c.user for c in page.context["cl"].result_list] == [newcomer], head
    record = MembershipChange.objects.get()
    assert client_for(org.commune_head).get("/admin/organisation/membershipchange/").context["cl"].result_count == 0
    assert client_for(org.commune_head).get(
        f"/admin/organisation/membershipchange/{record.pk}/change/").status_code == 404
    head = client_for(org.ward_head)
    page = head.get(f"/admin/organisation/membershipchange/{record.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert head.post(f"/admin/organisation/membershipchange/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    # the ward's administrator is not its head: the record is for the heads
    assert client_for(org.ward_admin).get("/admin/organisation/membershipchange/").status_code == 403


@pytest.mark.parametrize("who", ["sysadmin", "province_head", "ward_admin", "ward_head", "commune_head"])
def test_every_admin_page_answers_for_every_kind_of_staff(org, who):
    """Each registered model: list (with facets), add and change pages answer with a page or a refusal, never an error;
    what a user may not change is never offered as changeable."""
    from django.contrib import admin

    client = client_for(getattr(org, who))
    assert client.get("/admin/").status_code == 200
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        listing = client.get(base + "?_facets=1")
        assert listing.status_code in (200, 403), base
        assert client.get(base + "add/").status_code in (200, 403), base
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            page = client.get(f"{base}{first.pk}/change/")
            assert page.status_code in (200, 403, 404), base
            if page.status_code == 200 and not policy.is_system_admin(getattr(org, who)):
                assert page.context["has_change_permission"] is False, base
