"""The legal grounds an act may rest on, as choices (reference §3.1 K11, §3.2 T4–T5, withdrawal).

A suspension, a resumption, a denunciation continued after its withdrawal and a
complexity finding each name the ground the law gives for them; the officer
picks it, and writes free text only where the law leaves the list open
("other", which then needs the text). The code is stored in the event payload
and on the decision notice, so reports can count by ground.
"""
import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from deadlines.models import CaseKind, Complexity

OTHER = "other"


class SuspensionGround(models.TextChoices):
    # Denunciations: LTC Art 34(1) — a closed list (READ, reference §3.2 T5).
    AWAIT_OTHER_BODY = "await_other_body", _(
        "waiting for the result of another body, organisation or person, or of a related matter")
    AWAIT_EXPERT = "await_expert", _("waiting for a supplementary or repeat expert assessment")
    # Complaints from 1/7/2026: LKN Art 11a(1) (Law 136/2025), detailed by NĐ 124 Art 28a as added by
    # NĐ 155/2026 Art 12 (READ: force majeure and objective obstacles, cl. 3(a)–(c)); the list there is
    # "not limited to", hence "other". Waiting for another body's result and the missing successor of a
    # deceased or dissolved complainant are the usual further grounds of Art 11a (INFERRED: not read).
    FORCE_MAJEURE = "force_majeure", _("force majeure: natural disaster, epidemic, war or enemy action")
    OBJECTIVE_OBSTACLE = "objective_obstacle", _(
        "objective obstacle: accident, illness, business trip or study far away")
    RECORDS_HELD = "records_held", _("the records of the case are held or sealed by a competent body")
    NO_SUCCESSOR = "no_successor", _(
        "the complainant died or the organisation ceased to exist, and no successor is known yet")
    OTHER = OTHER, _("other ground (state it)")


SUSPENSION_GROUNDS = {
    CaseKind.DENUNCIATION: (SuspensionGround.AWAIT_OTHER_BODY, SuspensionGround.AWAIT_EXPERT),
    CaseKind.COMPLAINT: (SuspensionGround.FORCE_MAJEURE, SuspensionGround.OBJECTIVE_OBSTACLE,
                         SuspensionGround.RECORDS_HELD, SuspensionGround.AWAIT_OTHER_BODY,
                         SuspensionGround.NO_SUCCESSOR, SuspensionGround.OTHER),
}


class ResumptionGround(models.TextChoices):
    """The ground of suspension no longer exists (LTC Art 34(2); NĐ 124 Art 28b(2) as added by NĐ 155 Art 12)."""

    RESULT_RECEIVED = "result_received", _("the awaited result or expert assessment has been received")
    OBSTACLE_ENDED = "obstacle_ended", _("the force majeure or objective obstacle has ended")
    RECORDS_RELEASED = "records_released", _("the records of the case were released")
    SUCCESSOR_KNOWN = "successor_known", _("the successor of the complainant is known")
    OTHER = OTHER, _("other ground (state it)")


RESUMPTION_GROUNDS = {
    CaseKind.DENUNCIATION: (ResumptionGround.RESULT_RECEIVED, ResumptionGround.OTHER),
    CaseKind.COMPLAINT: tuple(ResumptionGround),
}


class ContinueGround(models.TextChoices):
    """Why a fully withdrawn denunciation is still resolved (LTC Art 33; NĐ 31 Art 4 as replaced by NĐ 156 Art 1)."""

    SIGNS_OF_VIOLATION = "signs_of_violation", _("the denounced conduct shows signs of a violation of the law")
    COERCED = "coerced", _("the withdrawal was made under threat or coercion, or was bought")
    SLANDER = "slander", _("the denunciation was used to slander or harm others")


class ComplexityCriterion(models.TextChoices):
    """The seven criteria of a complex case: denunciations NĐ 31/2019 Art 3; complaints from 1/7/2026
    NĐ 124 Art 3a as added by NĐ 155/2026 Art 2 (the same list, READ)."""

    SEVERAL_PLACES = "several_places", _("one content that must be verified at two or more places")
    SEVERAL_CONTENTS = "several_contents", _("two or more contents to verify")
    MANY_PEOPLE = "many_people", _("many people on the same content, or the rights of many people at stake")
    ABROAD = "abroad", _("a party abroad or a foreigner, an act abroad, or verification abroad")
    SEVERAL_BODIES = "several_bodies", _("the management responsibility of several bodies is involved")
    BODIES_DISAGREE = "bodies_disagree", _("the bodies concerned still hold different views")
    CONFLICTING_EVIDENCE = "conflicting_evidence", _(
        "conflicting documents or evidence that need time to check or expert opinion")


# Complaints had no statutory criteria before NĐ 155/2026 added Art 3a to NĐ 124 (reference §3.1).
COMPLAINT_CRITERIA_FROM = dt.date(2026, 7, 1)
# T4: "especially complex" means at least two of the criteria (LTC Art 30; NĐ 31 Art 3).
MIN_CRITERIA = {Complexity.COMPLEX: 1, Complexity.ESPECIALLY_COMPLEX: 2}


def criteria_apply(kind: str, on: dt.date) -> bool:
    """Whether a complexity finding on ``on`` must name the statutory criteria."""
    if kind == CaseKind.DENUNCIATION:
        return True
    return kind == CaseKind.COMPLAINT and on >= COMPLAINT_CRITERIA_FROM


def label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code
