"""A user's in-app notifications: the escalation digests written for them and their in-app messages."""
from django.db import connection
from django.db.models import QuerySet

from access import policy
from cases.models import Case

from .models import Channel, Escalation, Notification


def escalations_for(*, user) -> QuerySet[Escalation]:
    """The user's own digests, newest first (a digest is addressed to one head)."""
    if not getattr(user, "is_authenticated", False):
        return Escalation.objects.none()
    return Escalation.objects.filter(recipient=user).select_related("unit").order_by("-created_at", "-pk")


def messages_for(*, user) -> QuerySet[Notification]:
    """The user's delivered in-app messages (task assigned …), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return (Notification.objects.filter(recipient=user, channel=Channel.INAPP, state=Notification.State.SENT)
            .order_by("-created_at", "-pk"))


def unread_count(*, user) -> int:
    """Digests and messages not yet read (those of ``escalations_for`` and ``messages_for``), in one
    query written out: the header shows it on every page, and the ORM's union cost more to build
    than to run."""
    if not getattr(user, "is_authenticated", False):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {Escalation._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL)"
            f" + (SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE recipient_id = %s AND channel = %s"
            " AND state = %s AND read_at IS NULL)",
            [user.pk, user.pk, Channel.INAPP, Notification.State.SENT],
        )
        return cursor.fetchone()[0]


def cases_of(*, user, escalations) -> dict[int, Case]:
    """The cases the digests name, as far as the user may still see them (one query for the page)."""
    ids = {pk for escalation in escalations for pk in escalation.case_ids}
    # A Case always loads its two FSM columns (status, version): deferring one makes django-fsm recurse.
    cases = Case.objects.filter(policy.case_q(user), pk__in=ids).only("pk", "tracking_code", "kind", "status", "version")
    return {case.pk: case for case in cases}
