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


def _digests(people) -> tuple[list[str], list[str], list[str]]:
    """The ID-number, phone and name digests to match (a name only for someone who gave no ID number)."""
    def value(person, name):
        return person.get(name, "") if isinstance(person, dict) else getattr(person, name, "")

    ids = sorted({value(p, "id_number_digest") for p in people if value(p, "id_number_digest")})
    phones = sorted({value(p, "phone_digest") for p in people if value(p, "phone_digest")})
    names = sorted({value(p, "name_digest") for p in people
                    if value(p, "name_digest") and not value(p, "id_number_digest")})
    return ids, phones, names


def same_person_same_content_q(*, people, respondent_number: str = "", accused: str = "", topic=None) -> Q:
    """A ``Q`` on cases: the same person (digests of ``people``) on the same content; empty ``Q()`` when nothing can match.

    ``people`` are petitioners with their digests set (``Petitioner.set_digests``),
    or dicts with the three digest keys.
    """
    ids, phones, names = _digests(people)
    same_respondent = same_content_q(respondent_number=respondent_number, accused=accused, with_topic=False)
    same_subject = same_content_q(respondent_number=respondent_number, accused=accused, topic=topic)
    match = Q()
    if same_subject and (ids or phones):
        who = (Q(id_number_digest__in=ids) if ids else Q()) | (Q(phone_digest__in=phones) if phones else Q())
        match |= same_subject & Q(pk__in=Petitioner.objects.filter(who).values("case_id"))
    if same_respondent and names:
        match |= same_respondent & Q(pk__in=Petitioner.objects.filter(name_digest__in=names).values("case_id"))
    return match


def digest_in(column: str, values) -> tuple[str, list]:
    """``sql_in`` on a digest column, saying what its values imply: never empty. Intake runs the search as a
    prepared statement (``config.db``), whose generic plan can then use the partial index on the column
    (``<> ''``): with the parameters unknown the planner cannot prove it otherwise."""
    term, values = sql_in(column, values)
    return f"({term} AND {column} <> '')", values


def sql_in(column: str, values) -> tuple[str, list]:
    """``column IN (%s, …)`` with its parameters: plain SQL that SQLite (the embedded default) runs too,
    where PostgreSQL's ``= ANY(%s)`` is unknown."""
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def same_person_same_content_sql(*, people, respondent_number: str = "", accused: str = "",
                                 topic=None) -> tuple[str, list]:
    """``same_person_same_content_q`` as a SQL condition on ``cases_case`` aliased ``c``, with its parameters.

    The same predicate written out: intake runs it on every petition, where building and compiling the
    ``Q`` with its subqueries cost more than PostgreSQL takes to answer. ``("", [])`` when nothing can match.
    A test holds the two to the same cases.
    """
    ids, phones, names = _digests(people)
    respondent_number = (respondent_number or "").strip()
    accused = (accused or "").strip()

    def content(with_topic):
        terms, params = [], []
        if respondent_number:
            terms.append("c.respondent_number = %s")
            params.append(respondent_number)
        if accused:
            terms.append("c.accused = %s")
            params.append(accused)
        if with_topic and topic is not None:
            terms.append("c.topic_id = %s")
            params.append(getattr(topic, "pk", topic))
        return " OR ".join(terms), params

    arms, params = [], []
    subject, subject_params = content(True)
    if subject and (ids or phones):
        who = ([digest_in("p.id_number_digest", ids)] if ids else []) + ([digest_in("p.phone_digest", phones)]
                                                                          if phones else [])
        arms.append(f"(({subject}) AND c.id IN (SELECT p.case_id FROM cases_petitioner p "
                    f"WHERE {' OR '.join(term for term, _ in who)}))")
        params += subject_params + [value for _, values in who for value in values]
    respondent, respondent_params = content(False)
    if respondent and names:
        term, values = digest_in("p.name_digest", names)
        arms.append(f"(({respondent}) AND c.id IN (SELECT p.case_id FROM cases_petitioner p WHERE {term}))")
        params += respondent_params + values
    return " OR ".join(arms), params
