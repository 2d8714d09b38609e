"""Read queries over the organisation, scoped by ``access.policy``."""
from django.db.models import QuerySet

from access import policy

from .models import Membership, MembershipChange, Unit


def units_in_view(*, user) -> QuerySet[Unit]:
    """Units whose organisation the user may look at (heads and administrators, their units and below)."""
    return Unit.objects.filter(pk__in=sorted(policy.organisation_unit_ids(user)))


def memberships_in_view(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(unit_id__in=sorted(policy.organisation_unit_ids(user)))


def membership_changes(*, user) -> QuerySet[MembershipChange]:
    """Membership changes the user is shown: those in units where they are head, or below (newest first)."""
    units = sorted(policy.membership_log_unit_ids(user))
    if not units:
        return MembershipChange.objects.none()
    return MembershipChange.objects.filter(unit_id__in=units).select_related("actor", "user", "unit").order_by("-at", "-pk")
