"""Formats of what the reception desk types about a person: ID document numbers and phone numbers.

Each function returns the stored (normalised) form or raises ``ValueError``
with a message for the user. The intake service is the authority; the forms
call the same functions to put the error next to the field.
"""
import re

from django.utils.translation import gettext as _

from .models import IdKind

_SEPARATORS = re.compile(r"[\s.\-_/()]")
_ID_PATTERNS = {
    IdKind.CCCD: re.compile(r"\d{12}"),
    IdKind.CMND: re.compile(r"\d{9}"),
    IdKind.PASSPORT: re.compile(r"[A-Z0-9]{6,20}"),
}
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def id_document(number: str, kind: str = "") -> tuple[str, str]:
    """(number, kind) as stored. A CCCD has 12 digits, an old CMND 9; a foreigner's passport
    (6–20 letters and digits) must be marked as such. Without a kind, 12 or 9 digits tell which."""
    number = _SEPARATORS.sub("", str(number or "")).upper()
    kind = str(kind or "").strip().lower()
    if kind and kind not in IdKind.values:
        raise ValueError(_("unknown ID document kind %(value)r") % {"value": kind})
    if not number:
        return "", ""
    if not kind:
        kind = {12: IdKind.CCCD, 9: IdKind.CMND}.get(len(number), "") if number.isdigit() else ""
        if not kind:
            raise ValueError(_("an ID number has 12 digits (CCCD) or 9 digits (old CMND); "
                               "mark a foreigner's passport as a passport"))
    if not _ID_PATTERNS[kind].fullmatch(number):
        raise ValueError({
            IdKind.CCCD: _("a CCCD number has 12 digits"),
            IdKind.CMND: _("an old CMND number has 9 digits"),
            IdKind.PASSPORT: _("a passport number has 6 to 20 letters and digits"),
        }[kind])
    return number, str(kind)


def phone(value: str) -> str:
    """A Vietnamese phone number as stored: 10 digits for a mobile (03, 05, 07, 08, 09…) or 11 for a
    landline (02…), written from 0; "+84 912 345 678", "0912.345.678" and "(+84) 0912…" are accepted."""
    number = _SEPARATORS.sub("", str(value or ""))
    if not number:
        return ""
    for prefix in ("+84", "0084", "84"):
        if number.startswith(prefix) and len(number) - len(prefix) >= 9:
            rest = number[len(prefix):]
            number = rest if rest.startswith("0") else "0" + rest
            break
    if not number.isdigit() or not (_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number)):
        raise ValueError(_("a phone number has 10 digits for a mobile (03…, 05…, 07…, 08…, 09…) "
                           "or 11 for a landline (02…), or starts with +84"))
    return number
