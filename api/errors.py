"""Every API error is JSON with a message: the services' errors map to 400/403/404/409, a lost
database connection to 503, and nothing the client sends becomes a 500."""
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cases.errors import CaseError

logger = logging.getLogger(__name__)

OUTAGE_RETRY_AFTER_SECONDS = 30


def _message(data) -> str:
    """The first human message in DRF's error data (a detail, a field's first error)."""
    if isinstance(data, dict):
        if "detail" in data:
            return _message(data["detail"])
        for key, value in data.items():
            text = _message(value)
            if text:
                return f"{key}: {text}" if key != "non_field_errors" else text
        return ""
    if isinstance(data, (list, tuple)):
        return _message(data[0]) if data else ""
    return str(data)


def outage_response() -> Response:
    response = Response(
        {"detail": _("The database is unavailable; nothing was saved. Try again shortly."), "code": "unavailable"},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    return response


def exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable during an API request: %r", exc)
        return outage_response()
    if isinstance(exc, CaseError):
        set_rollback()
        body = {"detail": exc.message, "code": type(exc).__name__.lower()}
        if exc.field:
            body["field"] = exc.field
        reasons = exc.details.get("reasons") if isinstance(exc.details, dict) else None
        if reasons:
            body["reasons"] = [str(r) for r in reasons]
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) <= {"detail"}:
        detail = data.get("detail", "")
        code = getattr(detail, "code", None) or ("invalid" if response.status_code == 400 else "error")
        body = {"detail": _message(detail), "code": code}
    else:
        body = {"detail": _message(data) or _("Invalid input."), "code": "invalid", "errors": data}
    response.data = body
    return response


@csrf_exempt  # nothing here to protect: only a 404 (else the CSRF check answers a POST with HTML)
def json_not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, not the site's HTML page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
