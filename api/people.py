"""Petitioners and petition text as the API may show them (reference §5), for one case or a page.

The same rules as ``cases.identity``: masked for whoever ``access.policy.may_see_identity`` refuses,
and every look at a protected case logged, granted or refused. For a page of cases the petitioners
come prefetched and the looks are logged with one insert, so a list costs the same few queries
whatever its length.
"""
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from cases.identity import IDENTITY_FIELDS
from cases.models import IdentityAccess

PETITIONER_FIELDS = ("id", "is_representative", "withdrawn_on", *IDENTITY_FIELDS)


def _redacted(text: str, people) -> str:
    values = {getattr(p, name).strip() for p in people for name in IDENTITY_FIELDS
              if getattr(p, name) and len(getattr(p, name).strip()) >= 3}
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), "[…]", text, flags=re.IGNORECASE)
    return text


def identity_views(user, cases, *, purpose: str, now=None) -> dict:
    """``{case.pk: {"petitioners": [...], "content": str}}`` for cases with ``petitioners`` prefetched."""
    moment = now or timezone.now()
    hidden = _("[protected]")
    views, looks = {}, []
    for case in cases:
        people = list(case.petitioners.all())
        allowed = policy.may_see_identity(user, case)
        if policy.is_identity_protected(case) and user is not None and user.is_authenticated:
            looks.append(IdentityAccess(case=case, user=user, at=moment, purpose=purpose, granted=allowed))
        rows = []
        for person in sorted(people, key=lambda p: p.pk):
            row = {"id": person.pk, "is_representative": person.is_representative, "withdrawn_on": person.withdrawn_on}
            for name in IDENTITY_FIELDS:
                row[name] = getattr(person, name) if allowed else hidden
            rows.append(row)
        content = case.content
        if policy.is_identity_protected(case) and not allowed:
            content = _redacted(content, people)
        views[case.pk] = {"petitioners": rows, "content": content, "identity_visible": allowed}
    if looks:
        IdentityAccess.objects.bulk_create(looks)
    return views
