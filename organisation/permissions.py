"""Role and unit-scope checks shared by services, views and flows."""
from collections.abc import Iterable

from .models import Membership, Role


def user_roles_in(user, unit_ids: Iterable[int]) -> set[str]:
    """Roles the user holds in any of the given units (an admin role counts everywhere)."""
    if user is None or not user.is_authenticated:
        return set()
    rows = Membership.objects.filter(user=user).values_list("unit_id", "role")
    wanted = set(unit_ids)
    roles = {role for unit_id, role in rows if unit_id in wanted}
    if any(role == Role.ADMIN for _, role in rows):
        roles.add(Role.ADMIN)
    return roles


def has_role(user, units: Iterable, roles: Iterable[str]) -> bool:
    """True when the user holds one of ``roles`` in one of ``units`` (or is admin/superuser)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    held = user_roles_in(user, [u.pk if hasattr(u, "pk") else u for u in units if u is not None])
    return bool(held & (set(roles) | {Role.ADMIN}))


def holds_role(user, units: Iterable, roles: Iterable[str]) -> bool:
    """Strictly: the user holds one of ``roles`` in one of ``units`` (no admin or superuser override).

    For secrets the law gives to named officers only, such as a denouncer's identity.
    """
    if user is None or not user.is_authenticated:
        return False
    unit_ids = [u.pk if hasattr(u, "pk") else u for u in units if u is not None]
    return Membership.objects.filter(user=user, unit_id__in=unit_ids, role__in=list(roles)).exists()


def unit_and_ancestor_ids(unit) -> list[int]:
    """The unit and every unit above it, read from the materialised path."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]
