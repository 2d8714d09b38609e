"""What the public Open311 lists may show of a place: the street, never the house.

Rule for ``address_string`` (documented in the README, "Open311"): the address is split
on commas; in its first part, the leading run of house-number words is dropped — every
word holding a digit ("12", "12/3A", "45-47", "#5") and the words that only introduce
one when a number follows them ("số", "nhà", "hẻm", "ngõ", "ngách", "kiệt", "lô", "căn", "phòng",
"tầng", "tổ", "no.", …).
A first part left empty is dropped; the later parts (ward, district, province) are kept
as given. "Số 12 ngõ 34 Láng Hạ, Đống Đa" → "Láng Hạ, Đống Đa"; "Đường 3/2, Quận 10"
is kept whole (the number follows the street word, it names the street).

Coordinates are published rounded to 3 decimals (about 110 m): the street, not the house.
"""
import re
from decimal import ROUND_HALF_EVEN, Decimal

NUMBER_WORDS = {
    "số", "so", "nhà", "nha", "hẻm", "hem", "ngõ", "ngo", "ngách", "ngach", "kiệt", "kiet", "lô", "lo", "căn",
    "can", "phòng", "phong", "tầng", "tang", "no", "no.", "nr", "nr.", "#", "unit", "apt", "apt.", "house",
    "block", "khu", "tổ", "to",
}
_DIGIT = re.compile(r"\d")
PUBLIC_COORDINATE = Decimal("0.001")


def _has_digit(word: str) -> bool:
    return bool(_DIGIT.search(word))


def street_level(address: str) -> str:
    """The address without its house number (see the module's rule)."""
    parts = [part.strip() for part in (address or "").split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    words = parts[0].split()
    while words:
        if _has_digit(words[0]):
            words.pop(0)
        elif words[0].casefold().strip(":") in NUMBER_WORDS and len(words) > 1 and _has_digit(words[1]):
            words.pop(0)
        else:
            break
    first = " ".join(words)
    return ", ".join(([first] if first else []) + parts[1:])


def public_coordinate(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(PUBLIC_COORDINATE, rounding=ROUND_HALF_EVEN)
