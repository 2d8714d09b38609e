"""Read queries over cases, shared by views, reports and tasks."""
from django.db.models import Count, Q, QuerySet

from access import policy

from .models import OPEN_STATUSES, RESOLVING_STATUSES, Case, SlaState


def cases_in_scope(*, user) -> QuerySet[Case]:
    """Cases a user may see: received by or competent in one of the user's units or below them (the policy's scope)."""
    return Case.objects.filter(policy.case_q(user))


def open_cases(*, user) -> QuerySet[Case]:
    return cases_in_scope(user=user).filter(status__in=OPEN_STATUSES)


# The supervisors' queues: name → the condition on open cases in scope, and its default order.
QUEUES = {
    "open": (Q(), ("resolution_due", "acceptance_due")),
    "overdue": (Q(sla_state=SlaState.OVERDUE), ("resolution_due", "acceptance_due")),
    "due_soon": (Q(sla_state=SlaState.DUE_SOON), ("resolution_due", "acceptance_due")),
    "backlogged": (Q(is_backlogged=True), ("received_at",)),
    "prolonged": (Q(is_prolonged=True), ("received_at",)),
    "over_level": (Q(is_over_level=True), ("received_at",)),
    "mass": (Q(is_mass=True), ("received_at",)),
    "duplicate": (Q(is_duplicate=True), ("received_at",)),
    "unassigned": (Q(status__in=RESOLVING_STATUSES, handler__isnull=True), ("resolution_due",)),
}


def queue(*, user, name: str) -> QuerySet[Case]:
    """One supervisor queue: open cases of the user's units and those below, in its default order."""
    condition, order = QUEUES[name]
    return open_cases(user=user).filter(condition).order_by(*order, "pk")


def overdue_queue(*, user) -> QuerySet[Case]:
    return queue(user=user, name="overdue")


def due_soon_queue(*, user) -> QuerySet[Case]:
    return queue(user=user, name="due_soon")


def backlogged_queue(*, user) -> QuerySet[Case]:
    return queue(user=user, name="backlogged")


def sla_counts(*, user) -> dict[str, int]:
    """Every queue's count in one aggregate query (the home counters link to the queues)."""
    return open_cases(user=user).aggregate(
        **{name: Count("pk", filter=condition or None) for name, (condition, _order) in QUEUES.items()}
    )


TRACK_MAX_FAILURES = 5
TRACK_LOCK_SECONDS = 3600

# What a citizen sees of the trail: the acts, never who did them or their payload.
PUBLIC_ACTIONS = (
    "intake", "accept", "refuse", "forward", "guide", "archive", "start_verification", "start_dialogue",
    "decide", "close", "appeal", "suspend", "resume", "extend", "withdraw", "withdraw_partially",
)


class TrackingLocked(Exception):
    """Too many wrong PINs for this code or from this address: try again later."""


def _failure_keys(code: str, client: str) -> list[str]:
    return [f"track-fail:code:{code}", f"track-fail:client:{client}"]


def case_for_citizen(*, code: str, pin: str, client: str) -> Case | None:
    """The case behind a receipt code and PIN, or None.

    A 6-digit PIN is guessable, so wrong answers are counted per code and per
    client address; past ``TRACK_MAX_FAILURES`` in ``TRACK_LOCK_SECONDS`` the
    look-up is refused outright, even with the right PIN.
    """
    from django.core.cache import cache

    from .services import check_pin

    code = (code or "").strip().upper()
    keys = _failure_keys(code, client)
    if any((cache.get(key) or 0) >= TRACK_MAX_FAILURES for key in keys):
        raise TrackingLocked
    case = Case.objects.filter(tracking_code=code).first() if code else None
    if case is not None and check_pin(case, (pin or "").strip()):
        return case
    for key in keys:
        cache.add(key, 0, TRACK_LOCK_SECONDS)
        cache.incr(key)
    return None


def public_trail(case: Case):
    return case.events.filter(action__in=PUBLIC_ACTIONS).order_by("at", "pk").values("at", "action", "to_status")
