"""Read queries over cases, shared by views, reports and tasks."""
from django.db.models import Count, Q, QuerySet

from access import policy

from .models import OPEN_STATUSES, Case, CaseLink, SlaState


def cases_in_scope(*, user) -> QuerySet[Case]:
    """Cases a user may see: received by or competent in one of the user's units or below them (the policy's scope)."""
    return Case.objects.filter(policy.case_q(user))


def open_cases(*, user) -> QuerySet[Case]:
    return cases_in_scope(user=user).filter(status__in=OPEN_STATUSES)


def overdue_queue(*, user) -> QuerySet[Case]:
    return open_cases(user=user).filter(sla_state=SlaState.OVERDUE).order_by("resolution_due", "acceptance_due")


def due_soon_queue(*, user) -> QuerySet[Case]:
    return open_cases(user=user).filter(sla_state=SlaState.DUE_SOON).order_by("resolution_due", "acceptance_due")


def backlogged_queue(*, user) -> QuerySet[Case]:
    return open_cases(user=user).filter(is_backlogged=True).order_by("received_at")


def sla_counts(*, user) -> dict[str, int]:
    """Open, due-soon, overdue and backlogged counts in one aggregate query."""
    return open_cases(user=user).aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(sla_state=SlaState.DUE_SOON)),
        overdue=Count("pk", filter=Q(sla_state=SlaState.OVERDUE)),
        backlogged=Count("pk", filter=Q(is_backlogged=True)),
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


def case_links(*, user, case: Case | None = None):
    """The restricted links intake recorded (same person in a case the clerk could not be told of),
    as far as the user may see them (``access.policy.case_links_q``)."""
    links = CaseLink.objects.filter(policy.case_links_q(user)).select_related("case", "related")
    return links.filter(case=case) if case is not None else links
