"""GeoReport v2 bodies: JSON as a top-level array, XML with its declaration and no namespace."""
import datetime as dt
import json
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from deadlines import clock

#: The element name of one item in each XML list.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


def w3c(moment: dt.datetime | None) -> str | None:
    """A datetime as W3C / ISO 8601 with its offset, in the legal zone (+07:00)."""
    if moment is None:
        return None
    return moment.astimezone(clock.legal_zone()).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        item_tag = XML_ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, items) -> str:
    element = ET.Element(root)
    _fill(element, items)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def respond(fmt: str, root: str, body, *, status: int = 200) -> HttpResponse:
    """``body`` is a list (the JSON top-level array) or, for a service definition, one object."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, body), content_type="text/xml; charset=utf-8", status=status)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=_json_default),
        content_type="application/json; charset=utf-8", status=status,
    )


def error(fmt: str, status: int, description) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": str(description)}], status=status)
