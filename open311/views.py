"""Open311 GeoReport v2 endpoints (the frozen spec) under ``/open311/v2/``.

Reads are public and show no personal data (``request_body``); a POST needs an API key
and logs the petition through ``cases.services.case_intake`` like any other channel.
"""
import datetime as dt
import decimal
import math
import re
import secrets
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import AnonRateThrottle

from access.policy import IntakeClient
from cases import services
from cases.errors import CaseError
from cases.models import OPEN_STATUSES, Channel, Status, status_label
from deadlines import clock
from organisation.models import Unit

from . import privacy, render
from .models import (
    CONSENT_CODE,
    LIST_DATATYPES,
    Open311ApiKey,
    Open311Request,
    Open311Service,
    ServiceKind,
)

#: The default and widest window of GET requests (GeoReport v2).
WINDOW = dt.timedelta(days=90)
#: The most requests one GET returns, newest first.
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
TRUE_WORDS = {"true", "1", "yes", "y", "on", "co", "có"}


class BadRequest(Exception):
    def __init__(self, status: int, description):
        super().__init__(description)
        self.status = status
        self.description = str(description)


def _clean(value: str, name: str) -> str:
    if "\x00" in value:  # PostgreSQL text cannot hold NUL: refuse it rather than fail later
        raise BadRequest(400, _("%(name)s holds a NUL character") % {"name": name})
    return value


def _param(data, name: str) -> str:
    """An optional parameter; an empty one is ignored (treated as absent)."""
    return _clean((data.get(name) or "").strip(), name)


def _list_param(data, name: str) -> list[str]:
    return [item.strip() for item in _param(data, name).split(",") if item.strip()]


def _jurisdiction(data) -> Unit | None:
    code = _param(data, "jurisdiction_id")
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise BadRequest(404, _("unknown jurisdiction_id %(value)s") % {"value": code})
    return unit


class _ReadThrottle(AnonRateThrottle):
    """Open311's reads need no key: they are counted per client address like the API's anonymous calls,
    in a bucket of their own (``OPEN311_READ_RATE``; the count lives in the shared cache)."""

    scope = "open311"

    def get_rate(self):
        return settings.OPEN311_READ_RATE


def _throttled(request, fmt):
    throttle = _ReadThrottle()
    if throttle.allow_request(request, None):
        return None
    seconds = max(1, math.ceil(throttle.wait() or 1))
    response = render.error(fmt, 429, _("too many requests: try again in %(n)d s") % {"n": seconds})
    response["Retry-After"] = str(seconds)
    return response


def _endpoint(*methods):
    """An Open311 endpoint: no CSRF (no cookie is read: a POST carries its api_key), the methods it
    answers, and its errors as GeoReport error bodies in the requested format — never a 500 for bad input."""
    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, fmt, *args, **kwargs):
            if request.method not in methods:
                response = render.error(fmt, 405, _("method %(method)s is not allowed here")
                                        % {"method": request.method})
                response["Allow"] = ", ".join(methods)
                return response
            if request.method == "GET" and (refused := _throttled(request, fmt)) is not None:
                return refused
            try:
                for name, value in kwargs.items():
                    _clean(value, name)
                return view(request, fmt, *args, **kwargs)
            except BadRequest as problem:
                return render.error(fmt, problem.status, problem.description)
            except CaseError as problem:
                return render.error(fmt, problem.http_status, problem.message)
        return wrapped
    return decorate


# --- services -------------------------------------------------------------------------

def _service_row(service: Open311Service) -> dict:
    return {
        "service_code": service.service_code,
        "service_name": service.name,
        "description": service.description,
        "metadata": True,  # every service has at least the publish-consent attribute
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def consent_attribute(order: int) -> dict:
    return {
        "variable": True,
        "code": CONSENT_CODE,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": _("Answer true to let the description and photo be shown to the public."),
        "order": order,
        "description": _("May we publish your description?"),
        "values": [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}],
    }


def _definition(service: Open311Service) -> dict:
    attributes = []
    for position, item in enumerate(service.attributes, start=1):
        attributes.append({
            "variable": True,
            "code": item["code"],
            "datatype": item["datatype"],
            "required": bool(item.get("required", False)),
            "datatype_description": item.get("datatype_description", ""),
            "order": item.get("order", position),
            "description": item.get("description", ""),
            "values": [{"key": str(v["key"]), "name": v.get("name", v["key"])} for v in item.get("values", [])],
        })
    attributes.append(consent_attribute(len(attributes) + 1))
    return {"service_code": service.service_code, "attributes": attributes}


@_endpoint("GET")
def service_list(request, fmt):
    _jurisdiction(request.GET)
    rows = [_service_row(service) for service in Open311Service.objects.filter(active=True)]
    return render.respond(fmt, "services", rows)


@_endpoint("GET")
def service_definition(request, fmt, service_code):
    _jurisdiction(request.GET)
    service = Open311Service.objects.filter(service_code=service_code, active=True).first()
    if service is None:
        raise BadRequest(404, _("unknown service_code %(value)s") % {"value": service_code})
    return render.respond(fmt, "service_definition", _definition(service))


# --- reading requests -----------------------------------------------------------------

def expected_datetime(due: dt.date | None) -> str | None:
    """The resolution due date as the last second of that legal day (+07:00)."""
    if due is None:
        return None
    return render.w3c(dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=clock.legal_zone()))


def expected_due(case) -> dt.date | None:
    """The resolution due date where the law sets one; feedback and recommendations have none
    (reference, rule X1), so while one waits to be processed it is the processing due date."""
    if case.resolution_due:
        return case.resolution_due
    return case.acceptance_due if case.status == Status.RECEIVED else None


def request_body(row: Open311Request) -> dict:
    """One request as the public sees it: no name, phone or e-mail; the description and photo only
    with the submitter's consent; the address at street level; coordinates to about 110 m."""
    case = row.case
    unit = case.competent_unit or case.receiving_unit
    return {
        "service_request_id": str(case.pk),
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": status_label(case.kind, case.status),
        "service_name": row.service.name,
        "service_code": row.service.service_code,
        "description": row.public_description if row.publish_consent else None,
        "agency_responsible": unit.name,
        "service_notice": None,
        "requested_datetime": render.w3c(case.received_at),
        "updated_datetime": render.w3c(case.updated_at),
        "expected_datetime": expected_datetime(expected_due(case)),
        "address": row.street_address or None,
        "address_id": None,
        "zipcode": None,
        "lat": privacy.public_coordinate(row.lat),
        "long": privacy.public_coordinate(row.long),
        "media_url": (row.media_url or None) if row.publish_consent else None,
    }


def public_requests():
    """Open311 requests whose case is still feedback or a recommendation (staff may reclassify one)."""
    return (
        Open311Request.objects.filter(case__kind__in=ServiceKind.values, case__identity_protected=False)
        .select_related("case", "case__competent_unit", "case__receiving_unit", "service")
    )


def _moment(value: str, name: str) -> dt.datetime:
    """A W3C date-time ("+" in an offset may arrive as a space); a bare date is its legal midnight,
    a time without an offset is read in the legal zone."""
    try:
        if "T" in value:
            moment = parse_datetime(value.replace(" ", "+"))
        else:
            day = parse_date(value)
            moment = clock.legal_midnight(day) if day else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise BadRequest(400, _("%(name)s is not a W3C date-time: %(value)s") % {"name": name, "value": value})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=clock.legal_zone())
    return moment


MAX_ID = 2**63 - 1


def _ids(values: list[str]) -> list[int]:
    try:
        ids = [int(value) for value in values]
    except ValueError:
        raise BadRequest(400, _("service_request_id must be numbers")) from None
    return [value for value in ids if 0 < value <= MAX_ID]  # no other id exists


def _filtered(data, *, now: dt.datetime):
    rows = public_requests()
    ids = _list_param(data, "service_request_id")
    if ids:  # overrides every other filter
        return rows.filter(case_id__in=_ids(ids))
    unit = _jurisdiction(data)
    if unit is not None:
        rows = rows.filter(case__receiving_unit__path__startswith=unit.path)
    codes = _list_param(data, "service_code")
    if codes:
        known = set(Open311Service.objects.filter(service_code__in=codes).values_list("service_code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            raise BadRequest(404, _("unknown service_code %(value)s") % {"value": ", ".join(unknown)})
        rows = rows.filter(service__service_code__in=codes)
    start = _param(data, "start_date")
    end = _param(data, "end_date")
    start_at = _moment(start, "start_date") if start else None
    end_at = _moment(end, "end_date") if end else None
    try:
        if start_at is None and end_at is None:
            end_at = now
        if start_at is None:
            start_at = end_at - WINDOW
        if end_at is None:
            end_at = start_at + WINDOW
    except OverflowError:
        raise BadRequest(400, _("the date range is out of bounds")) from None
    if end_at < start_at:
        raise BadRequest(400, _("end_date is before start_date"))
    if end_at - start_at > WINDOW:
        raise BadRequest(400, _("the date range may not span more than 90 days"))
    rows = rows.filter(case__received_at__gte=start_at, case__received_at__lte=end_at)
    statuses = _list_param(data, "status")
    if statuses:
        if set(statuses) - {"open", "closed"}:
            raise BadRequest(400, _("status must be open or closed"))
        if set(statuses) == {"open"}:
            rows = rows.filter(case__status__in=OPEN_STATUSES)
        elif set(statuses) == {"closed"}:
            rows = rows.exclude(case__status__in=OPEN_STATUSES)
    return rows


@_endpoint("GET", "POST")
def request_list(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    rows = _filtered(request.GET, now=timezone.now()).order_by("-case__received_at", "-case_id")[:MAX_RESULTS]
    return render.respond(fmt, "service_requests", [request_body(row) for row in rows])


@_endpoint("GET")
def request_detail(request, fmt, request_id):
    _jurisdiction(request.GET)
    known = request_id.isascii() and request_id.isdigit() and 0 < int(request_id) <= MAX_ID
    row = public_requests().filter(case_id=int(request_id)).first() if known else None
    if row is None:
        raise BadRequest(404, _("unknown service_request_id %(value)s") % {"value": request_id})
    return render.respond(fmt, "service_requests", [request_body(row)])


@_endpoint("GET")
def token_detail(request, fmt, token):
    _jurisdiction(request.GET)
    row = Open311Request.objects.filter(token=token).only("case_id", "token").first()
    if row is None:
        raise BadRequest(404, _("unknown token %(value)s") % {"value": token})
    return render.respond(fmt, "service_requests", [{"service_request_id": str(row.case_id), "token": row.token}])


# --- posting a request ----------------------------------------------------------------

def _coordinate(data, name: str, bound: int) -> decimal.Decimal | None:
    value = _param(data, name)
    if not value:
        return None
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not -bound <= number <= bound:
        raise BadRequest(400, _("%(name)s must be a number between -%(bound)d and %(bound)d")
                         % {"name": name, "bound": bound})
    return number.quantize(decimal.Decimal("0.000001"))


_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _attribute_values(data) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match:
            given = [_clean(v.strip(), key) for v in data.getlist(key) if v.strip()]
            if given:
                values.setdefault(match.group(1), []).extend(given)
    return values


def _checked_attributes(service: Open311Service, given: dict[str, list[str]]) -> dict:
    checked = {}
    definitions = {item["code"]: item for item in service.attributes}
    for code in sorted(set(given) - set(definitions) - {CONSENT_CODE}):
        raise BadRequest(400, _("unknown attribute %(code)s") % {"code": code})
    for code, item in definitions.items():
        values = given.get(code, [])
        if not values:
            if item.get("required"):
                raise BadRequest(400, _("attribute %(code)s is required") % {"code": code})
            continue
        datatype = item["datatype"]
        if datatype in LIST_DATATYPES:
            keys = {str(v["key"]) for v in item.get("values", [])}
            if set(values) - keys or (datatype == "singlevaluelist" and len(values) > 1):
                raise BadRequest(400, _("attribute %(code)s: not one of its values") % {"code": code})
            checked[code] = values if datatype == "multivaluelist" else values[0]
            continue
        if len(values) > 1:
            raise BadRequest(400, _("attribute %(code)s takes one value") % {"code": code})
        value = values[0]
        if datatype == "number":
            try:
                decimal.Decimal(value)
            except decimal.InvalidOperation:
                raise BadRequest(400, _("attribute %(code)s must be a number") % {"code": code}) from None
        elif datatype == "datetime":
            _moment(value, f"attribute[{code}]")
        checked[code] = value[:MAX_DESCRIPTION]
    return checked


def _consent(data, attributes: dict[str, list[str]]) -> bool:
    answer = (attributes.get(CONSENT_CODE) or [_param(data, CONSENT_CODE)])[0]
    return answer.casefold() in TRUE_WORDS


def _receiving_unit(key: Open311ApiKey, data) -> Unit:
    unit = _jurisdiction(data)
    if unit is None:
        return key.unit
    if not unit.path.startswith(key.unit.path):
        raise BadRequest(403, _("this api_key may not post to jurisdiction_id %(value)s") % {"value": unit.code})
    return unit


def _content(service: Open311Service, description: str, address: str, lat, long, attributes: dict,
             media_url: str) -> str:
    """The case's text for staff: the description, then what the Open311 form added."""
    lines = [description or _("(no description) %(service)s") % {"service": service.name}, "", "— Open311 —",
             _("Service: %(name)s (%(code)s)") % {"name": service.name, "code": service.service_code}]
    if address:
        lines.append(_("Address: %(value)s") % {"value": address})
    if lat is not None and long is not None:
        lines.append(_("Coordinates: %(lat)s, %(long)s") % {"lat": lat, "long": long})
    for code, value in attributes.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"{code}: {shown}")
    if media_url:
        lines.append(_("Photo: %(value)s") % {"value": media_url})
    return "\n".join(lines)


def _create(request, fmt):
    data = request.POST
    key = Open311ApiKey.lookup(_param(data, "api_key"))
    if key is None:
        raise BadRequest(403, _("a valid api_key is required"))
    code = _param(data, "service_code")
    if not code:
        raise BadRequest(400, _("service_code is required"))
    service = Open311Service.objects.select_related("topic").filter(service_code=code, active=True).first()
    if service is None:
        raise BadRequest(404, _("unknown service_code %(value)s") % {"value": code})
    unit = _receiving_unit(key, data)
    lat, long = _coordinate(data, "lat", 90), _coordinate(data, "long", 180)
    if (lat is None) != (long is None):
        raise BadRequest(400, _("lat and long go together"))
    address = _param(data, "address_string")[:255]
    address_id = _param(data, "address_id")[:100]
    if lat is None and not address and not address_id:
        raise BadRequest(400, _("a location is required: lat and long, address_string or address_id"))
    description = _param(data, "description")
    if len(description) > MAX_DESCRIPTION:
        raise BadRequest(400, _("the description is longer than 4000 characters"))
    email = _param(data, "email")
    media_url = _param(data, "media_url")
    try:
        if email:
            EmailValidator()(email)
        if media_url:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
    except ValidationError:
        raise BadRequest(400, _("email or media_url is not valid")) from None
    raw_attributes = _attribute_values(data)
    attributes = _checked_attributes(service, raw_attributes)
    consent = _consent(data, raw_attributes)
    name = " ".join(part for part in (_param(data, "last_name"), _param(data, "first_name")) if part)[:200]
    phone = _param(data, "phone")
    # A phone without a name is still a way to reach the submitter: kept as an unnamed petitioner.
    petitioners = [{"full_name": name or _("(name not given)"), "phone": phone}] if name or phone else []
    now = timezone.now()
    client = IntakeClient(name=key.name, unit_id=key.unit_id, unit_path=key.unit.path)
    with transaction.atomic():
        result = services.case_intake(
            actor=client, kind=service.kind, channel=Channel.WEB, received_at=now, receiving_unit=unit,
            content=_content(service, description, address, lat, long, attributes, media_url),
            petitioners=petitioners, topic=service.topic, is_anonymous=not petitioners, now=now,
        )
        row = Open311Request.objects.create(
            case=result.case, service=service, api_key=key, token=secrets.token_urlsafe(24),
            lat=lat, long=long, address_string=address, street_address=privacy.street_level(address)[:255],
            address_id=address_id, email=email, media_url=media_url, attribute_values=attributes,
            publish_consent=consent, public_description=description if consent else "",
        )
    notice = _("Tracking code %(code)s, PIN %(pin)s: follow your request at /track/.") % {
        "code": result.case.tracking_code, "pin": result.pin}
    body = [{"service_request_id": str(result.case.pk), "token": row.token, "service_notice": notice,
             "account_id": None}]
    return render.respond(fmt, "service_requests", body, status=201)
