"""What a citizen is shown of a case: on /track/ and on the printed receipt.

Plain words, the label each kind's law uses (a denunciation is *concluded*,
not decided: "kết luận nội dung tố cáo", LTC Art 35), legal citations a
citizen can read, and nothing about the people in the case or who acted.
"""
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deadlines.engine import appeal_due
from deadlines.models import CaseKind

from . import rules
from .models import Case, Status
from .selectors import public_decision, public_trail

# The status in plain words; "decided" depends on the kind (below).
PLAIN_STATUS = {
    Status.RECEIVED: gettext_lazy("Received: the unit is deciding whether to accept it"),
    Status.ACCEPTED: gettext_lazy("Accepted for resolution"),
    Status.NOT_ACCEPTED: gettext_lazy("Not accepted: the unit gives the reasons in writing"),
    Status.FORWARDED: gettext_lazy("Forwarded to the competent body"),
    Status.GUIDED: gettext_lazy("Not for this unit: you were told where to send it"),
    Status.ARCHIVED: gettext_lazy("Filed without further action"),
    Status.IN_VERIFICATION: gettext_lazy("Being verified"),
    Status.IN_DIALOGUE: gettext_lazy("Dialogue with the parties"),
    Status.CLOSED: gettext_lazy("Closed"),
    Status.APPEALED: gettext_lazy("A second complaint was filed against the decision"),
    Status.SUSPENDED: gettext_lazy("Suspended: the time limit is paused"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
}
DECIDED = {
    CaseKind.COMPLAINT: gettext_lazy("Decided: the decision was issued"),
    CaseKind.DENUNCIATION: gettext_lazy("Concluded"),
}
DECIDED_OTHER = gettext_lazy("Answered")

# The acts of the public trail, in the past tense; "decide" depends on the kind.
PUBLIC_ACTS = {
    "intake": gettext_lazy("Petition received"),
    "accept": gettext_lazy("Accepted for resolution"),
    "refuse": gettext_lazy("Not accepted"),
    "forward": gettext_lazy("Forwarded to the competent body"),
    "guide": gettext_lazy("Guidance given"),
    "archive": gettext_lazy("Filed without further action"),
    "start_verification": gettext_lazy("Verification started"),
    "start_dialogue": gettext_lazy("Dialogue started"),
    "schedule_dialogue": gettext_lazy("Invited to a dialogue"),
    "record_dialogue": gettext_lazy("Dialogue held"),
    "reassess_complexity": gettext_lazy("Complexity reassessed: the time limit was recalculated"),
    "close": gettext_lazy("Closed"),
    "appeal": gettext_lazy("Second complaint filed"),
    "appeal_overdue": gettext_lazy("Second complaint filed with the higher level: the time limit had passed"),
    "suspend": gettext_lazy("Suspended"),
    "resume": gettext_lazy("Resumed"),
    "extend": gettext_lazy("Time limit extended"),
    "withdraw": gettext_lazy("Withdrawn"),
    "withdraw_partially": gettext_lazy("Partly withdrawn"),
}
DECIDE_ACT = {
    CaseKind.COMPLAINT: gettext_lazy("Decision issued"),
    CaseKind.DENUNCIATION: gettext_lazy("Conclusion issued"),
}
DECIDE_ACT_OTHER = gettext_lazy("Answer issued")

# What the outcome is called, per kind, with its legal basis.
OUTCOME = {
    CaseKind.COMPLAINT: {
        "title": gettext_lazy("Decision on the complaint"),
        "number": gettext_lazy("Decision number"),
        "summary": gettext_lazy("Summary of the decision"),
    },
    CaseKind.DENUNCIATION: {
        "title": gettext_lazy("Conclusion on the content of the denunciation"),
        "number": gettext_lazy("Conclusion number"),
        "summary": gettext_lazy("Summary of the conclusion"),
        "measures": gettext_lazy("Handling measures"),
    },
}
OUTCOME_OTHER = {
    "title": gettext_lazy("Result of handling"),
    "number": gettext_lazy("Reference number"),
    "summary": gettext_lazy("Summary"),
}

LAWS = {
    "LKN": gettext_lazy("Law on Complaints"),
    "LTCD": gettext_lazy("Law on Citizen Reception"),
    "LTC": gettext_lazy("Law on Denunciations"),
    "BLDS": gettext_lazy("Civil Code"),
}
_ARTICLE = r"\d+[a-z]?(?:\([0-9a-zđ]+\))*"
_LAW_ARTICLE = re.compile(rf"\b(LKN|LTCD|LTC|BLDS) Arts? ({_ARTICLE}(?:(?:, |–|-)(?:{_ARTICLE}|\([0-9a-zđ]+\)))*)")


def cite(source: str) -> str:
    """A rule's legal source ("LKN Art 33(1)") as a citizen reads it, in the page's language.

    The rule table keeps compact English-style citations; a citizen's page
    spells the law out and says "Điều" in Vietnamese. Working notes on how far
    a source was checked ("MEMORY, …") are for staff and are dropped.
    """
    text = re.sub(r"\s*\((?:MEMORY|INFERRED)[^)]*\)", "", source or "").strip()
    text = _LAW_ARTICLE.sub(
        lambda m: _("Art %(article)s, %(law)s") % {"article": m.group(2).strip(), "law": LAWS[m.group(1)]}, text)
    text = re.sub(r"\bArts? (?=\d)", lambda m: _("Art") + " ", text)
    for english, label in ((" as amended by ", _("as amended by")), (" as added by ", _("as added by")),
                           (" as amended", _("as amended")), (" as replaced by ", _("as replaced by"))):
        text = text.replace(english, f" {label} " if english.endswith(" ") else f" {label}")
    return text


def status_words(case: Case, status: str | None = None) -> str:
    status = status or case.status
    if status == Status.DECIDED:
        return str(DECIDED.get(case.kind, DECIDED_OTHER))
    return str(PLAIN_STATUS.get(status, Status(status).label if status in Status.values else status))


def act_words(case: Case, action: str) -> str:
    if action == "decide":
        return str(DECIDE_ACT.get(case.kind, DECIDE_ACT_OTHER))
    return str(PUBLIC_ACTS.get(action, action))


def deadline_basis(case: Case, name: str) -> dict:
    """One due date's rule from the case's stored basis: code, length, unit and citation."""
    for entry in case.deadline_basis or ():
        if isinstance(entry, dict) and entry.get("deadline") == name and entry.get("rule"):
            return {"rule": entry["rule"], "length": entry.get("length"), "working": entry.get("unit") == "working",
                    "source": cite(entry.get("source", ""))}
    return {}


def appeal_right(case: Case) -> dict | None:
    """The right to a second complaint or a lawsuit after a first-round complaint decision (K5)."""
    if case.kind != CaseKind.COMPLAINT or case.round != 1 or case.decided_on is None:
        return None
    if case.status not in (Status.DECIDED, Status.CLOSED) or case.is_escalated:
        return None
    # The last day stored at the decision (K5, with its basis); computed for a case decided before it was stored.
    window = rules.appeal_window(case) if case.appeal_due else appeal_due(case.decided_on, remote=case.is_remote)
    if window is None:
        return None
    return {"due": window.due, "days": window.length, "remote": case.is_remote, "from": case.decided_on,
            "rule": window.rule, "source": cite(window.source)}


def forwarded_to(case: Case) -> str:
    """The body a petition was forwarded to (the petitioner is told it, LTC Art 24(2))."""
    if case.status != Status.FORWARDED:
        return ""
    payload = case.events.filter(action="forward").order_by("-at", "-pk").values_list("payload", flat=True).first()
    return (payload or {}).get("to_body", "")


def public_view(case: Case) -> dict:
    """Everything /track/ shows of a case; no person, no actor, no payload but the outcome's number, summary and
    (a denunciation's) handling measures, and the body a petition was forwarded to."""
    decision = public_decision(case) if case.decided_on else {}
    return {
        "case": case,
        "unit": case.competent_unit or case.receiving_unit,
        "status_words": status_words(case),
        "trail": [{"at": row["at"], "label": act_words(case, row["action"])} for row in public_trail(case)],
        "decision": decision,
        "outcome": OUTCOME.get(case.kind, OUTCOME_OTHER),
        "appeal": appeal_right(case),
        "acceptance_basis": deadline_basis(case, "acceptance"),
        "forward_basis": deadline_basis(case, "forward"),
        "forwarded_to": forwarded_to(case),
        "resolution_basis": deadline_basis(case, "resolution"),
    }
