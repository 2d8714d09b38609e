"""Celery tasks of the outbox: one delivery per row, and the periodic sweep of pending rows."""
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from deadlines import clock

from . import delivery, digests

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.tasks.deliver_notification", ignore_result=True, acks_late=True,
             reject_on_worker_lost=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Idempotent: the row is locked and checked before sending (``notifications.delivery``)."""
    outcome = delivery.deliver(notification_id, now=timezone.now())
    if outcome == delivery.RETRY:
        from .models import Notification

        attempts = Notification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=delivery.backoff(attempts).total_seconds())
    return outcome


@shared_task(name="notifications.tasks.deliver_pending", ignore_result=True, acks_late=True)
def deliver_pending() -> dict:
    """Run by beat: rows the broker never got (outage), deferred by quiet hours, or backing off."""
    result = delivery.deliver_pending(now=timezone.now())
    if result:
        logger.info("pending notifications: %s", result)
    return result


@shared_task(name="notifications.tasks.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    """Run by beat hourly: from ``NOTIFICATIONS_DIGEST_HOUR`` (legal time) the escalation chain, then one
    digest message per person and day (a later run the same day writes nothing new)."""
    now = timezone.now()
    if now.astimezone(clock.legal_zone()).hour < settings.NOTIFICATIONS_DIGEST_HOUR:
        return 0
    return digests.daily_digests(now=now)
