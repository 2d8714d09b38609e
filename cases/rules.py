"""Conditions of the Case transitions (reference §3–4); who may take them is
``access.policy``'s answer.

Kept apart from the model so that services, flows and views ask the same
questions. A condition receives the case only; the date of the act under
way is read from ``case.act_on`` (set by the service), falling back to today.
"""
import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deadlines import clock
from deadlines.models import CaseKind


def act_date(case):
    return getattr(case, "act_on", None) or clock.legal_today()


def _day(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def _cite(source: str) -> str:
    """A rule's legal source as the page's language reads it."""
    from .citizen import cite

    return cite(source)


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
    problems += competence_problems(case)
    if case.kind == CaseKind.COMPLAINT:
        problems += limitation_problems(case)
    if case.pk and case.kind == CaseKind.COMPLAINT:
        problems += group_complaint_problems(case)
    return problems


# --- K1: the complaint limitation period (LKN Art 9) ------------------------------------------

def limitation_window(case):
    """The last day of K1 for a complaint, from the day the complainant received or learned of the contested
    decision (``knew_on``, else the decision's date) plus the proven days of force majeure; None if unknown."""
    from deadlines.engine import limitation_due

    if case.kind != CaseKind.COMPLAINT or case.round != 1:  # a second complaint runs under K5 instead
        return None
    start = case.knew_on or case.respondent_date
    if start is None:
        return None
    return limitation_due(start, not_counted=case.force_majeure_days or 0)


def limitation_problems(case) -> list[str]:
    """The complaint came in after K1 lapsed (LKN Arts 9, 11)."""
    window = limitation_window(case)
    if window is None or case.received_at is None:
        return []
    received = clock.legal_date(case.received_at)
    if received <= window.due:
        return []
    return [
        _("the limitation period (K1, %(source)s) ended on %(due)s and the complaint was received on %(received)s")
        % {"source": _cite(window.source), "due": _day(window.due), "received": _day(received)}
    ]


# --- grounds for not accepting ------------------------------------------------------------------

class RefusalGround(models.TextChoices):
    """Why a petition is not accepted (reference §4.2–4.3); each fits some kinds, with its own legal basis."""

    IN_COURT = "in_court", gettext_lazy("Already accepted or resolved by a court")
    FINALLY_RESOLVED = "finally_resolved", gettext_lazy("Already finally resolved, with nothing new")
    SENT_TO_SEVERAL = "sent_to_several", gettext_lazy(
        "Sent to several bodies including the competent one (handled once)")
    RESENT_AFTER_GUIDANCE = "resent_after_guidance", gettext_lazy(
        "Denunciation re-sent to a body without competence after being told where to send it")
    FOLLOWS_RESOLVED_COMPLAINT = "follows_resolved_complaint", gettext_lazy(
        "Denunciation following a complaint correctly resolved, with no evidence that the resolver broke the law")
    LIMITATION_EXPIRED = "limitation_expired", gettext_lazy("Limitation period expired (K1)")
    ANONYMOUS = "anonymous", gettext_lazy("Anonymous, unsigned or not fingerprinted")
    OTHER = "other", gettext_lazy("Other ground (state it)")


_PETITION_RULES = "TT 07/2014 Art 6"
# ground -> {kind: legal basis}; a kind missing from a ground's map may not be refused on it.
REFUSAL_GROUNDS = {
    RefusalGround.IN_COURT: {CaseKind.COMPLAINT: "LKN Art 11; TT 07/2014 Art 7(2)"},
    RefusalGround.FINALLY_RESOLVED: {
        CaseKind.COMPLAINT: "LKN Art 11; TT 07/2014 Arts 6(2)(b), 28",
        CaseKind.DENUNCIATION: "TT 07/2014 Arts 6(2)(b), 28",
        CaseKind.RECOMMENDATION: "TT 07/2014 Arts 6(2)(b), 28; NĐ 154/2026 Art 4(1)(h)",
        CaseKind.FEEDBACK: "TT 07/2014 Arts 6(2)(b), 28; NĐ 154/2026 Art 4(1)(h)",
    },
    RefusalGround.SENT_TO_SEVERAL: {
        CaseKind.COMPLAINT: _PETITION_RULES,
        CaseKind.DENUNCIATION: "LTC Art 24(3)",
        CaseKind.RECOMMENDATION: _PETITION_RULES,
        CaseKind.FEEDBACK: _PETITION_RULES,
    },
    RefusalGround.RESENT_AFTER_GUIDANCE: {CaseKind.DENUNCIATION: "LTC Art 24(3)"},
    RefusalGround.FOLLOWS_RESOLVED_COMPLAINT: {CaseKind.DENUNCIATION: "LTC Art 29(1)"},
    RefusalGround.LIMITATION_EXPIRED: {CaseKind.COMPLAINT: "LKN Arts 9, 11"},
    RefusalGround.ANONYMOUS: {CaseKind.COMPLAINT: "LKN Arts 8(2), 11(5)", CaseKind.DENUNCIATION: "LTC Art 25"},
    RefusalGround.OTHER: {
        CaseKind.COMPLAINT: "LKN Art 11; TT 07/2014 Art 7(2)",
        CaseKind.DENUNCIATION: "LTC Arts 24, 29",
        CaseKind.RECOMMENDATION: _PETITION_RULES,
        CaseKind.FEEDBACK: _PETITION_RULES,
    },
}


def refusal_grounds(kind: str, round: int = 1) -> list[tuple[str, str]]:
    """The grounds a petition of ``kind`` may be refused on, as form choices (K1 binds a first complaint only)."""
    return [(ground.value, ground.label) for ground in RefusalGround if refusal_basis(ground, kind, round)]


def refusal_basis(ground: str, kind: str, round: int = 1) -> str | None:
    """The legal basis of refusing a petition of ``kind`` on ``ground``; None when the ground does not fit."""
    if ground not in RefusalGround.values or (ground == RefusalGround.LIMITATION_EXPIRED and round != 1):
        return None
    return REFUSAL_GROUNDS[RefusalGround(ground)].get(kind)


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


def outside_competence(case) -> bool:
    """Outside the receiving unit's competence: classified so, or over-level (vượt cấp).

    §4.3: an over-level petition is treated as outside competence — a complaint
    is instructed, a denunciation forwarded (T2) — and never accepted here.
    """
    from .models import Competence

    return case.competence == Competence.OUTSIDE or bool(case.is_over_level)


def competence_route(case) -> str:
    """What §4.3 does with a petition outside competence: "guide" a complaint, "forward" anything else."""
    return "guide" if case.kind == CaseKind.COMPLAINT else "forward"


def competence_problems(case) -> list[str]:
    """A petition outside the receiving unit's competence is routed, not accepted (TT 07/2014 Arts 7(3), 8)."""
    if not outside_competence(case):
        return []
    reason = (_("it was sent over the level of the competent unit (vượt cấp)") if case.is_over_level
              else _("it is outside the receiving unit's competence"))
    if competence_route(case) == "guide":
        return [_("%(reason)s: guide the complainant to the competent body once (TT 07/2014 Arts 7(3), 8)")
                % {"reason": reason}]
    return [_("%(reason)s: forward it to the competent body within 5 working days (LTC Art 24(2); TT 07/2014 Art 8)")
            % {"reason": reason}]


# How far intake's ``duplicate_of`` links are followed back (a chain is short; the bound guards a cycle).
GUIDANCE_CHAIN_DEPTH = 20


def _duplicate_chain_sql(case_id: int):
    """The ids of the cases ``duplicate_of`` leads back to from ``case_id``, as one recursive query."""
    from django.db.models.expressions import RawSQL

    from .models import Case

    table = Case._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE chain(id, depth) AS ("
        f"SELECT duplicate_of_id, 1 FROM {table} WHERE id = %s AND duplicate_of_id IS NOT NULL "
        f"UNION SELECT c.duplicate_of_id, chain.depth + 1 FROM {table} c JOIN chain ON c.id = chain.id "
        f"WHERE c.duplicate_of_id IS NOT NULL AND chain.depth < %s) SELECT id FROM chain",
        (case_id, GUIDANCE_CHAIN_DEPTH),
    )


def earlier_guidance(case):
    """The case in which this petition's person was already guided on the same content, or None.

    The whole chain of related cases counts (TT 07/2014 Art 6(2)(b)): every case
    ``duplicate_of`` leads back to, and every case of the same receiving unit by
    the same person (ID number, phone, or name with the same respondent) on the
    same content. A few queries, whatever the size of the chain.
    """
    from .matching import same_person_same_content_q
    from .models import Case, Status

    if case.pk is None:
        return None
    people = list(case.petitioners.values("id_number_digest", "phone_digest", "name_digest"))
    related = Q(pk__in=_duplicate_chain_sql(case.pk)) if case.duplicate_of_id else Q()
    person = same_person_same_content_q(people=people, respondent_number=case.respondent_number,
                                        accused=case.accused, topic=None)
    if person:
        related |= person & Q(receiving_unit_id=case.receiving_unit_id)
    if not related:
        return None
    return (Case.objects.filter(related, status=Status.GUIDED).exclude(pk=case.pk)
            .order_by("-received_at", "-pk").first())


def not_guided_before(case) -> bool:
    """Instructions are given once; a repeat of guided content is not eligible (TT 07/2014 Art 6)."""
    return earlier_guidance(case) is None


def has_handler(case) -> bool:
    return case.handler_id is not None


def dialogue_requirement_met(case) -> bool:
    """No decision before a dialogue the law requires has been held, or missed by an invited
    complainant without a valid reason (NĐ 124 Art 28(5) as amended by NĐ 155 Art 11)."""
    return not dialogue_required(case) or dialogue_done(case)


def dialogue_done(case) -> bool:
    """A dialogue record of the case meets the requirement (held, or the complainant absent without reason)."""
    from .models import Dialogue

    return bool(case.pk) and Dialogue.objects.filter(case_id=case.pk, state__in=Dialogue.DONE).exists()


def dialogue_applies(case) -> bool:
    """Dialogue belongs to the resolution of complaints (LKN Arts 30, 39); a denunciation has none."""
    return case.kind == CaseKind.COMPLAINT


def dialogue_problems(case) -> list[str]:
    """Why the decision must wait for the dialogue (empty when it need not)."""
    if dialogue_requirement_met(case):
        return []
    from .models import Dialogue

    pending = Dialogue.objects.filter(case_id=case.pk, state=Dialogue.State.SCHEDULED).order_by("-scheduled_at").first()
    if pending is not None:
        when = pending.scheduled_at.astimezone(clock.legal_zone())
        return [_("the dialogue the law requires is scheduled for %(day)s and has not been held yet (LKN Arts 30, 39)")
                % {"day": f"{when:%d/%m/%Y %H:%M}"}]
    return [_("the law requires a dialogue before this decision (LKN Arts 30, 39)")]


def dialogue_required(case) -> bool:
    """Second-time complaints always (LKN Art 39); first-time ones when findings differ from the demand (Art 30)."""
    if case.kind != CaseKind.COMPLAINT:
        return False
    return case.round == 2 or case.findings_differ


def is_first_round_complaint(case) -> bool:
    return case.kind == CaseKind.COMPLAINT and case.round == 1


# --- the second level (LKN Arts 7(1), 33(1); reference §3.1 K5, §4.3) -------------------------------

def filed_on(case) -> dt.date:
    """The day the second complaint was received (set by the service), else the act's date."""
    return getattr(case, "appeal_filed_on", None) or act_date(case)


def not_taken_to_second_level(case) -> bool:
    """A first decision goes to the second level once."""
    return not case.is_escalated and not (case.pk and case.appeals.exists())


def appeal_window(case):
    """K5 after a first decision: the stored last day, or — when the complainant received the decision
    later than its date (``decision_received_on``, set by the service) — counted from that day."""
    from deadlines.engine import AppealWindow, appeal_due

    if case.decided_on is None:
        return None
    received = getattr(case, "decision_received_on", None)
    if received is None and case.appeal_due is not None:
        basis = next((e for e in case.deadline_basis or () if isinstance(e, dict) and e.get("deadline") == "appeal"),
                     {})
        return AppealWindow(due=case.appeal_due, length=basis.get("length"), rule=basis.get("rule", "K5"),
                            source=basis.get("source", "LKN Art 33(1)"))
    return appeal_due(received or case.decided_on, remote=case.is_remote)


def within_appeal_window(case) -> bool:
    window = appeal_window(case)
    return window is not None and filed_on(case) <= window.due


def overdue_window(case):
    """K5 after the first level let K3 pass with no decision: counted from the last day of the resolution period."""
    from deadlines.engine import appeal_due

    if case.resolution_due is None:
        return None
    return appeal_due(case.resolution_due, remote=case.is_remote)


def lower_level_overdue(case) -> bool:
    """The resolution period ended with no decision, and the second complaint came within K5 of that end."""
    window = overdue_window(case)
    return (case.decided_on is None and case.resolution_due is not None and window is not None
            and case.resolution_due < filed_on(case) <= window.due)


def appeal_problems(case) -> list[str]:
    """Why a second complaint against the first decision is refused."""
    if not is_first_round_complaint(case):
        return [_("only a first-round complaint decision can be taken to the second level (LKN Art 33)")]
    if not not_taken_to_second_level(case):
        return [_("a second complaint on this case was already recorded")]
    window = appeal_window(case)
    if window is None:
        return [_("no K5 rule is in force for this decision")]
    return [
        _("the second complaint was received on %(filed)s, after the K5 window (%(source)s) ended on %(due)s")
        % {"filed": _day(filed_on(case)), "source": _cite(window.source), "due": _day(window.due)}
    ]


def overdue_problems(case) -> list[str]:
    """Why the second level may not (yet, or any more) be seized of an undecided first-round complaint."""
    if not is_first_round_complaint(case):
        return [_("only a first-round complaint can be taken to the second level (LKN Art 33)")]
    if not not_taken_to_second_level(case):
        return [_("a second complaint on this case was already recorded")]
    if case.resolution_due is None:
        return [_("the first level's resolution period is not running")]
    if filed_on(case) <= case.resolution_due:
        return [_("the first level is not overdue: its resolution period ends on %(due)s (K3)")
                % {"due": _day(case.resolution_due)}]
    window = overdue_window(case)
    if window is None:
        return [_("no K5 rule is in force on %(day)s") % {"day": _day(case.resolution_due)}]
    return [
        _("the second complaint was received on %(filed)s, after the K5 window (%(source)s), counted from the end "
          "of the first level's resolution period on %(expired)s, ended on %(due)s")
        % {"filed": _day(filed_on(case)), "source": _cite(window.source), "expired": _day(case.resolution_due),
           "due": _day(window.due)}
    ]


def notices_pending(case) -> bool:
    return case.notice_sent_on is None


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
