"""Who may see a denouncer's identity, and the log of every look (reference §5).

For an identity-protected case (received as, or ever classified as, a
denunciation: ``Case.identity_protected``, whatever its kind now) the name,
address, ID number, phone and handwriting of the denouncer are secret: only
the receiving officers of the receiving unit and the resolver's side (head and assigned handler of the competent unit) may see
them, and every look, granted or refused, is logged. Everyone else — system
administrators and superusers included — gets a redacted view. Other kinds
are shown to staff in scope without a log. At rest, identities (and a
protected case's text) are encrypted (``cases.crypto``); these functions read
them decrypted.
"""
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy

from .models import Case, IdentityAccess

IDENTITY_FIELDS = ("full_name", "id_number", "phone", "address")


def is_protected(case: Case) -> bool:
    return policy.is_identity_protected(case)


def may_see_identity(*, user, case: Case) -> bool:
    return policy.may_see_identity(user, case)


def petitioners_for(*, user, case: Case, purpose: str, now=None) -> list[dict]:
    """The petitioners as the user may see them; a denunciation's look is logged either way."""
    allowed = may_see_identity(user=user, case=case)
    if is_protected(case) and user is not None and user.is_authenticated:
        IdentityAccess.objects.create(case=case, user=user, at=now or timezone.now(), purpose=purpose, granted=allowed)
    rows = list(case.petitioners.values("pk", "is_representative", "withdrawn_on", *IDENTITY_FIELDS))
    if allowed:
        return rows
    hidden = _("[protected]")
    return [{**row, **{name: hidden for name in IDENTITY_FIELDS}} for row in rows]


def redacted_content(case: Case) -> str:
    """The verification copy (LTC Art 56(2)): the petition text with every identifying value removed.

    Text and identities are read decrypted (``cases.crypto``); values are
    removed longest first and whatever their letter case.
    """
    text = case.content
    rows = case.petitioners.values_list(*IDENTITY_FIELDS)
    values = {v.strip() for row in rows for v in row if v and len(v.strip()) >= 3}
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), "[…]", text, flags=re.IGNORECASE)
    return text


def content_for(*, user, case: Case, purpose: str, now=None) -> str:
    """The petition text as the user may read it; for a denunciation the look is logged."""
    if not is_protected(case):
        return case.content
    allowed = may_see_identity(user=user, case=case)
    if user is not None and user.is_authenticated:
        IdentityAccess.objects.create(case=case, user=user, at=now or timezone.now(), purpose=purpose, granted=allowed)
    return case.content if allowed else redacted_content(case)


def record_look(*, user, case: Case, purpose: str, granted: bool, now=None) -> None:
    """Log one look at a protected case's identifying material (a document, a scan), granted or refused."""
    if is_protected(case) and user is not None and user.is_authenticated:
        IdentityAccess.objects.create(case=case, user=user, at=now or timezone.now(), purpose=purpose, granted=granted)


def log_refused_look(*, user, case: Case, purpose: str, now=None) -> None:
    """A look refused at the permission layer (a 403/404 page) is logged like any other (reference §5)."""
    record_look(user=user, case=case, purpose=purpose, granted=False, now=now)


def mask_name(name: str) -> str:
    """Initials only ("Nguyễn Văn A" → "N. V. A."): enough to tell rows apart, not to name anyone."""
    return " ".join(f"{word[0].upper()}." for word in (name or "").split())
