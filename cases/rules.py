"""Conditions of the Case transitions (reference §3–4); who may take them is
``access.policy``'s answer.

Kept apart from the model so that services, flows and views ask the same
questions. A condition receives the case only; the date of the act under
way is read from ``case.act_on`` (set by the service), falling back to today.
"""
from django.utils.translation import gettext as _

from deadlines import clock
from deadlines.models import CaseKind


def act_date(case):
    return getattr(case, "act_on", None) or clock.legal_today()


MASS_PETITION_SIZE = 5  # "nhiều người": 5 or more signatories (reference §4.2, LTCD Art 29)


# --- conditions -----------------------------------------------------------------

def acceptance_problems(case) -> list[str]:
    """Why the case cannot be accepted (empty when it can). LKN Arts 8, 11; LTC Arts 23, 25."""
    problems = []
    if case.is_anonymous:
        problems.append(
            _("anonymous complaints are not accepted (LKN Art 8(2), 11(5))")
            if case.kind == CaseKind.COMPLAINT
            else _("an anonymous denunciation is handled as information, not accepted (LTC Art 25)")
        )
    if not case.is_signed:
        problems.append(_("the petition is not signed or fingerprinted"))
    if case.competent_unit_id is None:
        problems.append(_("no competent unit is set"))
    if case.kind == CaseKind.COMPLAINT and not (case.respondent_number or case.respondent_act):
        problems.append(_("a complaint must name the contested decision or act"))
    if case.kind == CaseKind.DENUNCIATION and not case.accused:
        problems.append(_("a denunciation must name the accused"))
    if case.pk and case.kind == CaseKind.COMPLAINT:
        problems += group_complaint_problems(case)
    return problems


def group_complaint_problems(case) -> list[str]:
    """A complaint by several people: all sign; from 5 people, representatives are appointed
    in writing — 1 or 2 for 5 to 10 people, at most 5 for more (LTCD Art 29; NĐ 124 Art 6(2))."""
    people = list(case.petitioners.filter(withdrawn_on__isnull=True).values_list("has_signed", "is_representative"))
    problems = []
    if any(not signed for signed, _rep in people):
        problems.append(_("every complainant must sign a multi-person complaint"))
    if len(people) >= MASS_PETITION_SIZE:
        representatives = sum(1 for _signed, rep in people if rep)
        most = 2 if len(people) <= 10 else 5
        if not representatives:
            problems.append(_("a complaint by 5 or more people needs representatives appointed in writing (LTCD Art 29)"))
        elif representatives > most:
            problems.append(
                _("%(people)d complainants may appoint at most %(most)d representatives (LTCD Art 29)")
                % {"people": len(people), "most": most}
            )
    return problems


def is_acceptable(case) -> bool:
    return not acceptance_problems(case)


def not_guided_before(case) -> bool:
    """Instructions are given once; a repeat of guided content is not eligible (TT 07/2014 Art 6)."""
    from .models import Status

    return not (case.duplicate_of_id and case.duplicate_of.status == Status.GUIDED)


def has_handler(case) -> bool:
    return case.handler_id is not None


def dialogue_requirement_met(case) -> bool:
    """No decision before a dialogue the law requires has been held."""
    return case.dialogue_held or not dialogue_required(case)


def dialogue_required(case) -> bool:
    """Second-time complaints always (LKN Art 39); first-time ones when findings differ from the demand (Art 30)."""
    if case.kind != CaseKind.COMPLAINT:
        return False
    return case.round == 2 or case.findings_differ


def is_first_round_complaint(case) -> bool:
    return case.kind == CaseKind.COMPLAINT and case.round == 1


def suspension_allowed(case) -> bool:
    """Denunciations may always be suspended (LTC Art 34); complaints only under a rule in force (K11)."""
    from deadlines.rules import suspension_rule

    return suspension_rule(kind=case.kind, on=act_date(case)) is not None


def extension_allowed(case) -> bool:
    from deadlines.rules import extensions_allowed

    allowed = extensions_allowed(
        kind=case.kind,
        round=case.round,
        complexity=case.complexity,
        remote=case.is_remote,
        on=case.accepted_on or act_date(case),
    )
    return case.extensions < allowed
