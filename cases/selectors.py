"""Read queries over cases, shared by views, reports and tasks."""
import re
import sys

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from access import policy

from . import queue_counts
from .models import OPEN_STATUSES, RESOLVING_STATUSES, Case, CaseLink, SlaState


def cases_in_scope(*, user) -> QuerySet[Case]:
    """Cases a user may see: received by or competent in one of the user's units or below them (the policy's scope)."""
    return Case.objects.filter(policy.case_q(user))


def open_cases(*, user) -> QuerySet[Case]:
    return cases_in_scope(user=user).filter(status__in=OPEN_STATUSES)


# The supervisors' queues: name → the condition on open cases in scope, and its default order.
# (On the same due date a mass petition comes first: a priority, TT 07/2014 Art 27.)
QUEUES = {
    "open": (Q(), ("resolution_due", "acceptance_due", "-is_mass")),
    "overdue": (Q(sla_state=SlaState.OVERDUE), ("resolution_due", "acceptance_due", "-is_mass")),
    "due_soon": (Q(sla_state=SlaState.DUE_SOON), ("resolution_due", "acceptance_due", "-is_mass")),
    "backlogged": (Q(is_backlogged=True), ("received_at",)),
    "prolonged": (Q(is_prolonged=True), ("received_at",)),
    "over_level": (Q(is_over_level=True), ("received_at",)),
    "mass": (Q(is_mass=True), ("received_at",)),
    "duplicate": (Q(is_duplicate=True), ("received_at",)),
    "unassigned": (Q(status__in=RESOLVING_STATUSES, handler__isnull=True), ("resolution_due",)),
    "extension_requests": (Q(extension_requested=True), ("resolution_due",)),
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
    """Every queue's count (the home counters link to the queues).

    On PostgreSQL from the counts the database keeps per pair of units (``cases.queue_counts``):
    a few rows, however many cases there are. Elsewhere one aggregate over the open cases.
    """
    if queue_counts.kept():
        return queue_counts.counts_in_scope(policy.access_for(user).unit_ids())
    return live_queue_counts(user=user)


def live_queue_counts(*, user) -> dict[str, int]:
    """Every queue's count in one aggregate over the open cases in scope."""
    return open_cases(user=user).aggregate(
        **{name: Count("pk", filter=condition or None) for name, (condition, _order) in QUEUES.items()}
    )


# What a citizen sees of the trail: the acts, never who did them or their payload.
PUBLIC_ACTIONS = (
    "intake", "accept", "refuse", "forward", "guide", "archive", "start_verification", "start_dialogue",
    "decide", "close", "appeal", "appeal_overdue", "suspend", "resume", "extend", "withdraw", "withdraw_partially",
    "schedule_dialogue", "record_dialogue", "reassess_complexity",
)


def normalise_tracking_code(code: str) -> str:
    """What people type ("abcd-efgh jklm", "ABCD.EFGH.JKLM") as the stored code: upper case, letters and digits."""
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def tracking_keys(code: str, client: str) -> list[str]:
    """The failure counters of a receipt code and of a client address (for tests and support)."""
    return [f"track-fail:code:{normalise_tracking_code(code)}", f"track-fail:client:{client}"]


def _count_attempt(key: str, seconds: int) -> int:
    """Add one attempt to ``key``'s window and return the new count — one atomic INCR, so racing
    requests each get their own number and no two of them can both be the fifth."""
    for _attempt in range(3):
        cache.add(key, 0, seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr: open a new one
            continue
        if count == 1:
            cache.touch(key, seconds)  # the first of a window always expires, even if INCR created the key
        return count
    return sys.maxsize  # the cache misbehaves: refuse rather than check a PIN uncounted


def _uncount_attempt(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:  # the window expired meanwhile: nothing to give back
        pass


def case_for_citizen(*, code: str, pin: str, client: str) -> Case | None:
    """The case behind a receipt code and PIN, or None — whatever went wrong, the same None.

    A 6-digit PIN is guessable, so every attempt is counted *before* the PIN is
    checked, per receipt code and per client address. An attempt whose number
    is past ``TRACK_CODE_MAX_FAILURES`` for the code (or past the much higher
    ``TRACK_CLIENT_MAX_FAILURES`` for the address: a commune may share one NAT
    address) within ``TRACK_LOCK_SECONDS`` is refused without looking at the
    PIN, even the right one. A right PIN gives its count back, so a citizen
    who checks often is never locked out, and since a count is only given back
    by an attempt that took it, no burst can get more than the threshold of
    wrong PINs checked.
    """
    from . import services

    code = normalise_tracking_code(code)
    pin = re.sub(r"\s", "", pin or "")
    code_key, client_key = tracking_keys(code, client)
    seconds = settings.TRACK_LOCK_SECONDS
    code_count = _count_attempt(code_key, seconds)
    client_count = _count_attempt(client_key, seconds)
    case = Case.objects.filter(tracking_code=code).first() if code else None
    allowed = code_count <= settings.TRACK_CODE_MAX_FAILURES and client_count <= settings.TRACK_CLIENT_MAX_FAILURES
    if case is None or not allowed:
        services.hash_pin(code, pin)  # the same work as a check: the time taken tells nothing either
        return None
    if not services.check_pin(case, pin):
        return None
    _uncount_attempt(code_key)
    _uncount_attempt(client_key)
    return case


def public_trail(case: Case):
    return case.events.filter(action__in=PUBLIC_ACTIONS).order_by("at", "pk").values("at", "action", "to_status")


def public_decision(case: Case) -> dict:
    """The number and summary of the case's decision (or conclusion): the only part of an act's
    payload a citizen is shown."""
    payload = (case.events.filter(action="decide").order_by("-at", "-pk")
               .values_list("payload", flat=True).first()) or {}
    return {"number": payload.get("conclusion_number") or payload.get("decision_number", ""),
            "summary": payload.get("summary", ""), "measures": payload.get("measures", "")}


def case_links(*, user, case: Case | None = None):
    """The restricted links intake recorded (same person in a case the clerk could not be told of),
    as far as the user may see them (``access.policy.case_links_q``)."""
    links = CaseLink.objects.filter(policy.case_links_q(user)).select_related("case", "related")
    return links.filter(case=case) if case is not None else links
