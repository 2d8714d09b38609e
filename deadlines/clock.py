"""The legal clock: every legal date is a date in Asia/Ho_Chi_Minh (reference §2).

A request may activate another time zone for display (``timezone.activate``);
the day a petition was received, "today" for a deadline, the midnight that
starts a reporting period or the prolonged cut-off never follow it. They are
all read here, in ``settings.LEGAL_TIME_ZONE`` (default ``Asia/Ho_Chi_Minh``).
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

DEFAULT_LEGAL_TIME_ZONE = "Asia/Ho_Chi_Minh"


def legal_zone() -> ZoneInfo:
    """The zone of legal dates (``settings.LEGAL_TIME_ZONE``); ZoneInfo caches the instance."""
    return ZoneInfo(getattr(settings, "LEGAL_TIME_ZONE", DEFAULT_LEGAL_TIME_ZONE))


LEGAL_TIME_ZONE = legal_zone()


def legal_date(moment: dt.datetime) -> dt.date:
    """The legal date of an instant, whatever time zone is active."""
    if timezone.is_naive(moment):
        raise ValueError("legal_date() needs a timezone-aware datetime")
    return moment.astimezone(legal_zone()).date()


def legal_today(now: dt.datetime | None = None) -> dt.date:
    return legal_date(now or timezone.now())


def legal_midnight(day: dt.date) -> dt.datetime:
    """The instant the legal day ``day`` begins (00:00 in the legal zone)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=legal_zone())
