"""Granting, changing and revoking memberships: the only way rights are given.

A membership is a right over cases and identities, so every change goes
through one of these functions — the admin, management commands and any
future API alike — and each writes a ``MembershipChange`` in the same
transaction. Only a system administrator may call them (``access.policy``),
and never about themselves. ``actor=None`` stands for the system itself (a
management command or the shell, e.g. to name the first system
administrator); no web surface passes it.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy

from .models import Membership, MembershipChange, Role, Unit

_FIELDS = ("unit", "role", "valid_from", "valid_to")


def _snapshot(membership: Membership) -> dict:
    return {
        "unit": membership.unit_id,
        "role": membership.role,
        "valid_from": membership.valid_from.isoformat() if membership.valid_from else None,
        "valid_to": membership.valid_to.isoformat() if membership.valid_to else None,
    }


def _check_actor(actor, user, *units) -> None:
    if actor is None:
        return
    if getattr(user, "pk", user) == actor.pk:
        raise PermissionDenied(_("Nobody can change their own memberships."))
    if not policy.may_change_account(actor, user):
        raise PermissionDenied(_("Only a system administrator manages memberships."))
    scope = policy.organisation_unit_ids(actor)
    if any(getattr(unit, "pk", unit) not in scope for unit in units):
        raise PermissionDenied(_("Only a system administrator manages memberships."))


def _check_values(*, unit, role, valid_from, valid_to) -> None:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    if not isinstance(unit, Unit) or unit.pk is None:
        raise ValidationError(_("Choose a unit."), code="unit")
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(_("A membership cannot end before it starts."), code="valid_to")


def _record(*, actor, membership: Membership, action: str, old: dict, new: dict, now) -> MembershipChange:
    return MembershipChange.objects.create(
        at=now or timezone.now(), actor=actor, user_id=membership.user_id, unit_id=membership.unit_id,
        role=membership.role, action=action, membership_id=membership.pk, old=old, new=new,
    )


def membership_grant(*, actor, user, unit: Unit, role: str, valid_from: dt.date | None = None,
                     valid_to: dt.date | None = None, now: dt.datetime | None = None) -> Membership:
    """Give ``user`` a role in ``unit`` (valid between the two dates, open-ended if empty)."""
    _check_values(unit=unit, role=role, valid_from=valid_from, valid_to=valid_to)
    _check_actor(actor, user, unit)
    with transaction.atomic():
        if Membership.objects.filter(user=user, unit=unit, role=role).exists():
            raise ValidationError(_("This person already holds that role in that unit."), code="unique")
        membership = Membership.objects.create(user=user, unit=unit, role=role, valid_from=valid_from,
                                               valid_to=valid_to)
        _record(actor=actor, membership=membership, action=MembershipChange.Action.GRANT, old={},
                new=_snapshot(membership), now=now)
    return membership


def membership_change(*, actor, membership: Membership, now: dt.datetime | None = None, **values) -> Membership:
    """Change the unit, role or validity dates of a membership (``values`` among those four).

    The old values are read from the database under a row lock, whatever the
    caller's copy says, so the record shows what really changed.
    """
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise ValidationError(_("Only the unit, role and validity dates of a membership can change."), code="fields")
    with transaction.atomic():
        current = Membership.objects.select_for_update().select_related("unit").get(pk=membership.pk)
        old = _snapshot(current)
        old_unit = current.unit_id
        for name, value in values.items():
            setattr(current, name, value)
        _check_values(unit=current.unit, role=current.role, valid_from=current.valid_from, valid_to=current.valid_to)
        _check_actor(actor, current.user_id, old_unit, current.unit)
        new = _snapshot(current)
        if new != old:
            if Membership.objects.filter(user_id=current.user_id, unit=current.unit, role=current.role).exclude(
                pk=current.pk
            ).exists():
                raise ValidationError(_("This person already holds that role in that unit."), code="unique")
            current.save()
            _record(actor=actor, membership=current, action=MembershipChange.Action.CHANGE, old=old, new=new, now=now)
    return current


def membership_revoke(*, actor, membership: Membership, now: dt.datetime | None = None) -> None:
    """End a membership by deleting it; the record keeps what it was."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return
        _check_actor(actor, current.user_id, current.unit_id)
        _record(actor=actor, membership=current, action=MembershipChange.Action.REVOKE, old=_snapshot(current),
                new={}, now=now)
        current.delete()
