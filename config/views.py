"""The home page: a way in for staff, with the SLA counts of the cases in their scope; our error pages."""
import logging
import sys

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader

from cases.queues import QUEUE_TITLES
from cases.selectors import sla_counts
from access import policy
from organisation.models import Membership
from organisation.selectors import membership_changes

#: How many recent membership changes the home page shows a head (the admin has the full record).
HOME_MEMBERSHIP_CHANGES = 10

logger = logging.getLogger(__name__)


def home(request):
    context = {}
    if request.user.is_authenticated:
        counts = sla_counts(user=request.user)
        context["counts"] = counts
        context["queues"] = [{"name": name, "title": title, "count": counts[name]} for name, title in QUEUE_TITLES.items()]
        context["units"] = list(
            Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path", "role")
        )
        context["can_log_petitions"] = bool(policy.intake_unit_ids(request.user))
        context["membership_changes"] = list(membership_changes(user=request.user)[:HOME_MEMBERSHIP_CHANGES])
    return render(request, "home.html", context)


# --- error pages ------------------------------------------------------------------------
# Rendered without the request context (no context processors): they must work when the
# database does not, so nothing here may touch the session or the user.

OUTAGE_RETRY_AFTER_SECONDS = 120


def is_database_outage(exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, (OperationalError, InterfaceError))


def _error_page(request, template_name: str, status: int) -> HttpResponse:
    # The language switcher works on these pages too: it needs the CSRF token, not the database.
    body = loader.get_template(template_name).render({"request": request, "csrf_token": get_token(request)})
    return HttpResponse(body, status=status)


def outage_response(request, exception=None) -> HttpResponse:
    """Our 503 page in the active language; the client is told when to retry."""
    logger.error("database unavailable during %s %s: %r", request.method, request.path, exception)
    response = _error_page(request, "503.html", 503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: our page in the active language, and the 503 page when the database is down."""
    if is_database_outage(sys.exc_info()[1]):
        return outage_response(request, sys.exc_info()[1])
    return _error_page(request, "500.html", 500)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page in the user's language, not raw text."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0
    if request.path.startswith("/api/"):  # the API's token endpoint: JSON like every API error
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("Too many failed logins: try again in %(minutes)d minutes.")
                             % {"minutes": minutes}, "code": "locked_out"}, status=429)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
