"""Memberships change only through the services, and every change is recorded (issue 5, finding 1)."""
import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access import policy
from organisation.models import Membership, MembershipChange, Role
from organisation.services import membership_change, membership_grant, membership_revoke

pytestmark = pytest.mark.django_db

User = get_user_model()
NOW = timezone.make_aware(dt.datetime(2026, 7, 6, 9))


def test_grant_change_revoke_record_who_whom_old_and_new(org):
    newcomer = User.objects.create_user("canbo.moi")
    granted = membership_grant(actor=org.sysadmin, user=newcomer, unit=org.ward, role=Role.HANDLER,
                               valid_from=dt.date(2026, 7, 1), now=NOW)
    membership_change(actor=org.sysadmin, membership=granted, role=Role.HEAD, valid_to=dt.date(2026, 12, 31), now=NOW)
    membership_revoke(actor=org.sysadmin, membership=granted, now=NOW)

    grant, change, revoke = MembershipChange.objects.order_by("pk")
    assert (grant.action, grant.actor, grant.user, grant.unit, grant.role, grant.at) == (
        "grant", org.sysadmin, newcomer, org.ward, Role.HANDLER, NOW)
    assert grant.old == {} and grant.new == {"unit": org.ward.pk, "role": "handler", "valid_from": "2026-07-01",
                                             "valid_to": None}
    assert change.old["role"] == "handler" and change.new["role"] == "head"
    assert change.new["valid_to"] == "2026-12-31" and change.role == Role.HEAD
    assert revoke.old == change.new and revoke.new == {} and revoke.membership_id == granted.pk
    assert not Membership.objects.filter(user=newcomer).exists()


def test_the_old_values_come_from_the_database_not_the_callers_copy(org):
    membership = Membership.objects.get(user=org.ward_handler)
    stale = Membership.objects.get(pk=membership.pk)
    stale.role = Role.HEAD  # an edited copy, as the admin's form leaves it
    membership_change(actor=org.sysadmin, membership=stale, role=Role.HEAD, now=NOW)
    change = MembershipChange.objects.get()
    assert (change.old["role"], change.new["role"]) == ("handler", "head")


def test_nothing_changed_nothing_recorded(org):
    membership = Membership.objects.get(user=org.ward_handler)
    membership_change(actor=org.sysadmin, membership=membership, role=Role.HANDLER, now=NOW)
    assert not MembershipChange.objects.exists()


@pytest.mark.parametrize("who", ["ward_admin", "ward_head", "province_head", "commune_handler"])
def test_only_the_system_admin_manages_memberships(org, who):
    actor = getattr(org, who)
    target = Membership.objects.get(user=org.ward_handler)
    with pytest.raises(PermissionDenied):
        membership_grant(actor=actor, user=org.ward_handler, unit=org.province, role=Role.HEAD)
    with pytest.raises(PermissionDenied):
        membership_change(actor=actor, membership=target, role=Role.HEAD)
    with pytest.raises(PermissionDenied):
        membership_revoke(actor=actor, membership=target)
    assert Membership.objects.get(pk=target.pk).role == Role.HANDLER
    assert not MembershipChange.objects.exists()


@pytest.mark.parametrize("who", ["sysadmin", "ward_admin"])
def test_nobody_changes_their_own_memberships(org, who):
    actor = getattr(org, who)
    own = Membership.objects.get(user=actor)
    with pytest.raises(PermissionDenied):
        membership_grant(actor=actor, user=actor, unit=org.province, role=Role.HEAD)
    with pytest.raises(PermissionDenied):
        membership_change(actor=actor, membership=own, valid_to=dt.date(2020, 1, 1))
    with pytest.raises(PermissionDenied):
        membership_revoke(actor=actor, membership=own)
    assert Membership.objects.filter(user=actor).count() == 1
    assert not MembershipChange.objects.exists()


def test_a_revoked_system_admin_loses_the_right_at_once(org):
    second = User.objects.create_user("quantri2")
    membership_grant(actor=org.sysadmin, user=second, unit=org.province, role=Role.ADMIN)
    assert policy.is_system_admin(second)
    membership_revoke(actor=second, membership=Membership.objects.get(user=org.sysadmin))
    policy.forget(org.sysadmin)
    assert not policy.is_system_admin(org.sysadmin)
    with pytest.raises(PermissionDenied):
        membership_grant(actor=org.sysadmin, user=org.ward_handler, unit=org.province, role=Role.HEAD)


def test_an_expired_admin_membership_manages_nothing(org):
    membership_change(actor=None, membership=Membership.objects.get(user=org.sysadmin), valid_to=dt.date(2026, 1, 31))
    with time_machine.travel(dt.datetime(2026, 2, 2, 3, tzinfo=dt.timezone.utc), tick=False):
        policy.forget(org.sysadmin)
        with pytest.raises(PermissionDenied):
            membership_grant(actor=org.sysadmin, user=org.ward_handler, unit=org.province, role=Role.HEAD)


def test_bad_values_are_refused(org):
    with pytest.raises(ValidationError):
        membership_grant(actor=org.sysadmin, user=org.ward_handler, unit=org.ward, role=Role.HANDLER)  # held already
    with pytest.raises(ValidationError):
        membership_grant(actor=org.sysadmin, user=org.ward_handler, unit=org.ward, role="mayor")
    with pytest.raises(ValidationError):
        membership_grant(actor=org.sysadmin, user=org.ward_handler, unit=org.province, role=Role.HANDLER,
                         valid_from=dt.date(2026, 7, 1), valid_to=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        membership_change(actor=org.sysadmin, membership=Membership.objects.get(user=org.ward_handler), user=org.sysadmin)
    assert not MembershipChange.objects.exists()


def test_the_record_is_append_only(org):
    membership_grant(actor=None, user=User.objects.create_user("x"), unit=org.ward, role=Role.HANDLER, now=NOW)
    record = MembershipChange.objects.get()
    assert record.actor is None  # a management command: the system itself
    record.role = Role.HEAD
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()
    assert MembershipChange.objects.get().role == Role.HANDLER
