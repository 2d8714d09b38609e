"""Deliver one outbox row exactly once, as far as the row decides it.

The row is locked (``SELECT … FOR UPDATE``) and its state checked before
anything is sent; it is marked sent in the same transaction as the send. A
task redelivered after its worker died (``acks_late``) finds the row sent
and does nothing; two workers holding the same task wait on the lock and
the second finds it sent. The one window left is a crash after the channel
accepted the message and before the commit: the message then goes again
(at-least-once), with the same ``Message-ID`` / ``Idempotency-Key``, which
the receiving side can use to drop it.

A failure counts an attempt and puts the row back with a back-off
(``not_before``); after ``NOTIFICATIONS_MAX_ATTEMPTS`` it is dead: shown in
the admin, where a system administrator can send it again.
"""
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from . import channels, templates
from .models import Channel, Notification

logger = logging.getLogger(__name__)

SENT, RETRY, DEAD, SKIPPED, DEFERRED = "sent", "retry", "dead", "skipped", "deferred"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 2 min, 8 min, … capped at an hour."""
    return dt.timedelta(seconds=min(3600, settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 4 ** max(attempts - 1, 0)))


def _send(n: Notification, subject: str, text: str, sms: str) -> None:
    if n.channel == Channel.EMAIL:
        to = n.address or (n.recipient.email if n.recipient_id else "")
        if not to:
            raise channels.DeliveryError("no e-mail address")
        channels.send_email(to=to, subject=subject, text=text, key=n.delivery_key)
    elif n.channel == Channel.SMS:
        channels.send_sms(to=n.address, text=sms or subject, key=n.delivery_key)
    # in-app: the row itself is the message


def deliver(pk: int, *, now: dt.datetime) -> str:
    with transaction.atomic():
        n = Notification.objects.select_for_update().filter(pk=pk).first()
        if n is None or n.state != Notification.State.PENDING:
            return SKIPPED
        if n.not_before and n.not_before > now:
            return DEFERRED
        if n.channel == Channel.SMS:  # a retry or a re-send that falls in the quiet hours waits too
            from .outbox import sms_not_before

            quiet_until = sms_not_before(now)
            if quiet_until is not None:
                n.not_before = quiet_until
                n.save(update_fields=["not_before"])
                return DEFERRED
        try:
            subject, text, sms = templates.render_message(n.template_key, n.language, n.context)
            _send(n, subject, text, sms)
        except Exception as exc:  # noqa: BLE001 — any failure is an attempt; the row says why
            n.attempts += 1
            n.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if n.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                n.state = Notification.State.DEAD
                logger.error("notification %s dead after %d attempts: %s", pk, n.attempts, n.last_error)
            else:
                n.not_before = now + backoff(n.attempts)
            n.save(update_fields=["attempts", "last_error", "state", "not_before"])
            return DEAD if n.state == Notification.State.DEAD else RETRY
        n.attempts += 1
        n.state, n.sent_at, n.subject, n.body, n.last_error = Notification.State.SENT, now, subject[:255], text, ""
        n.save(update_fields=["attempts", "state", "sent_at", "subject", "body", "last_error"])
        return SENT


def due_ids(*, now: dt.datetime, limit: int) -> list[int]:
    """Pending rows whose time has come, oldest first (the partial index ``notification_pending_idx``)."""
    return list(
        Notification.objects.filter(state=Notification.State.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("id").values_list("pk", flat=True)[:limit]
    )


def deliver_pending(*, now: dt.datetime, limit: int | None = None) -> dict:
    """Send every due pending row (after a broker outage, a back-off, quiet hours)."""
    counts: dict[str, int] = {}
    for pk in due_ids(now=now, limit=limit or settings.NOTIFICATIONS_BATCH):
        outcome = deliver(pk, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def resend(queryset, *, now: dt.datetime) -> int:
    """Put dead (or sent) rows back in the queue: a fresh set of attempts, delivered after commit."""
    from .outbox import enqueue

    ids = list(queryset.values_list("pk", flat=True))
    updated = Notification.objects.filter(pk__in=ids).update(
        state=Notification.State.PENDING, attempts=0, not_before=None, last_error="", sent_at=None)
    transaction.on_commit(lambda: enqueue(ids))
    return updated
