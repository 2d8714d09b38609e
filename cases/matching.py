"""The same person on the same content: one definition for intake's duplicate check and the guidance rule.

Identities are encrypted, so people are matched on their blind indexes
(``cases.crypto``): the same ID number or phone, or — for someone who gave no
ID number — the same normalised name, but only against the same contested
decision or accused (a name alone is common). The name's normal form drops
case, spacing, Unicode composition *and* diacritics ("Lê Thị Hoà", "Le thi
Hòa" and the decomposed form all match): clerks and web forms often type
names without accents, and the two tone-mark placements (hoà/hòa) are both
in use; against the same respondent the risk of two different people is small,
and a match only flags the case for a person to look at.
"""
from __future__ import annotations

from django.db.models import Q

from .models import Petitioner


def same_content_q(*, respondent_number: str = "", accused: str = "", topic=None, with_topic: bool = True) -> Q:
    """Cases on the same contested decision or accused (or, with ``with_topic``, the same field); empty: nothing known."""
    same = Q()
    if (respondent_number or "").strip():
        same |= Q(respondent_number=respondent_number.strip())
    if (accused or "").strip():
        same |= Q(accused=accused.strip())
    if with_topic and topic is not None:
        same |= Q(topic=topic)
    return same


def same_person_same_content_q(*, people, respondent_number: str = "", accused: str = "", topic=None) -> Q:
    """A ``Q`` on cases: the same person (digests of ``people``) on the same content; empty ``Q()`` when nothing can match.

    ``people`` are petitioners with their digests set (``Petitioner.set_digests``),
    or dicts with the three digest keys.
    """
    def value(person, name):
        return person.get(name, "") if isinstance(person, dict) else getattr(person, name, "")

    ids = sorted({value(p, "id_number_digest") for p in people if value(p, "id_number_digest")})
    phones = sorted({value(p, "phone_digest") for p in people if value(p, "phone_digest")})
    names = sorted({value(p, "name_digest") for p in people
                    if value(p, "name_digest") and not value(p, "id_number_digest")})
    same_respondent = same_content_q(respondent_number=respondent_number, accused=accused, with_topic=False)
    same_subject = same_content_q(respondent_number=respondent_number, accused=accused, topic=topic)
    match = Q()
    if same_subject and (ids or phones):
        who = (Q(id_number_digest__in=ids) if ids else Q()) | (Q(phone_digest__in=phones) if phones else Q())
        match |= same_subject & Q(pk__in=Petitioner.objects.filter(who).values("case_id"))
    if same_respondent and names:
        match |= same_respondent & Q(pk__in=Petitioner.objects.filter(name_digest__in=names).values("case_id"))
    return match
