"""Who may see a denouncer's identity, and the log of every look (reference §5).

For denunciations the name, address, ID number, phone and handwriting of the
denouncer are secret: only the receiving officers of the receiving unit and
the resolver's side (head and assigned handler of the competent unit) may see
them, and every look, granted or refused, is logged. Everyone else — system
administrators and superusers included — gets a redacted view. Other kinds
are shown to staff in scope without a log.
"""
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
    """The verification copy (LTC Art 56(2)): the petition text with every identifying value removed."""
    text = case.content
    values = case.petitioners.values_list(*IDENTITY_FIELDS)
    for row in values:
        for value in sorted((v for v in row if v and len(v) >= 3), key=len, reverse=True):
            text = text.replace(value, "[…]")
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
