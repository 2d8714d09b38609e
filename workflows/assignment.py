"""Who may take a workflow task: a role held in the case's unit.

A task that waits in a queue carries ``owner_permission = "<role>@<unit id>"``.
The user's tokens come from one membership query (cached on the user object
for the request), so the queue is one indexed ``owner_permission IN (...)``
filter instead of a per-task permission check.
"""
from django.db.models import Q

from organisation.models import Membership, Role


def token(role: str, unit_id: int) -> str:
    return f"{role}@{unit_id}"


def case_unit_id(case) -> int:
    """The unit that acts on the case: the competent one, else the receiving one."""
    return case.competent_unit_id or case.receiving_unit_id


def _memberships(user):
    if not hasattr(user, "_workflow_memberships"):
        user._workflow_memberships = (
            list(Membership.objects.filter(user=user).values_list("unit_id", "role")) if user.is_authenticated else []
        )
    return user._workflow_memberships


def sees_every_unit(user) -> bool:
    """Superusers and holders of the admin role act in every unit (as in organisation.permissions.has_role)."""
    return user.is_authenticated and (user.is_superuser or any(role == Role.ADMIN for _, role in _memberships(user)))


def user_tokens(user) -> set[str]:
    return {token(role, unit_id) for unit_id, role in _memberships(user)}


def user_unit_ids(user) -> set[int]:
    return {unit_id for unit_id, _ in _memberships(user)}


def is_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(_memberships(user)))


def may_take(user, owner_permission) -> bool:
    """True when ``user`` holds the role and unit a queued task asks for."""
    if not user.is_authenticated:
        return False
    if sees_every_unit(user):
        return True
    return bool(owner_permission) and owner_permission in user_tokens(user)


def queue_filter(user) -> Q:
    """Tasks the user may take: unrestricted, their own, or asking for one of their unit roles."""
    if sees_every_unit(user):
        return Q()
    return Q(owner_permission__isnull=True) | Q(owner=user) | Q(owner_permission__in=user_tokens(user))
