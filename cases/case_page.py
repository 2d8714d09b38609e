"""The staff case page: everything about one case, and the acts this user may take on it now.

Scope, identity and acts all come from ``access.policy``; a look at a
protected case's people is logged (``cases.identity``), and an out-of-scope
request is a plain 404 (logged as a refused look when the case is protected).
"""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import policy
from deadlines.calendar import is_working_day
from deadlines.models import CaseKind

from . import grounds as legal_grounds
from . import rules
from .identity import content_for, log_refused_look, petitioners_for
from .models import Case, CaseEvent, CaseNotice, Status, status_label
from .selectors import case_links
from .services import act_label, pending_extension_request

FORWARD_LABEL = _("Forwarding to the competent body")
DEADLINES = (
    ("acceptance", _("Acceptance")),
    ("resolution", _("Resolution")),
    ("notice", _("Notices to the parties")),
)
# Dates that follow a complaint decision: (basis entry, case column, label).
DECISION_DATES = (
    ("appeal", "appeal_due", _("Second complaint or lawsuit (last day)")),
    ("final", "final_on", _("Decision becomes final")),
)
FLAGS = (
    ("is_backlogged", _("backlogged")),
    ("is_prolonged", _("prolonged")),
    ("is_over_level", _("over-level")),
    ("outside_competence", _("outside competence: guide or forward")),
    ("is_mass", _("mass petition")),
    ("is_duplicate", _("duplicate / repeat")),
    ("is_refiled", _("refiled after a final decision")),
    ("is_escalated", _("taken to the second level while overdue")),
    ("is_remote", _("remote area")),
    ("identity_protected", _("denouncer identity protected")),
)
# Acts taken on a page of their own (the others are steps of the workflow's tasks).
ACT_PAGES = {
    "assign": "workflow:case_assign",
    "suspend": "workflow:case_suspend",
    "resume": "workflow:case_resume",
    "extend": "workflow:case_extend",
    "request_extension": "workflow:case_request_extension",
    "approve_extension": "workflow:case_approve_extension",
    "refuse_extension": "workflow:case_refuse_extension",
    "reassess_complexity": "workflow:case_reassess_complexity",
    "send_decision_notice": "workflow:case_send_notice",
    "withdraw": "workflow:case_withdraw",
    "withdraw_partially": "workflow:case_withdraw",
    "refuse": "workflow:case_refuse",
    "send_notices": "workflow:case_send_notices",
    "appeal": "workflow:case_appeal",
    "appeal_overdue": "workflow:case_appeal_overdue",
    "remind": "workflow:case_remind",
}


def _status(case: Case, code: str) -> str:
    return status_label(case.kind, code) if code else code


# The task titles a denunciation reads otherwise: it ends in a conclusion on its content (LTC Art 35).
DENUNCIATION_TASK_TITLES = {
    "draft_decision": _("Draft the conclusion"),
    "sign_decision": _("Sign the conclusion"),
}


def task_title(task, case: Case | None) -> str:
    """A workflow task's title as the case's kind calls it."""
    name = task.flow_task.name
    if case is not None and case.kind == CaseKind.DENUNCIATION and name in DENUNCIATION_TASK_TITLES:
        return str(DENUNCIATION_TASK_TITLES[name])
    return str(task.flow_task.task_title or task.flow_task)


def working_days_left(today: dt.date, due: dt.date) -> int:
    """Working days from tomorrow to the due day (negative: working days overdue)."""
    if due >= today:
        return sum(1 for n in range(1, (due - today).days + 1) if is_working_day(today + dt.timedelta(days=n)))
    return -sum(1 for n in range((today - due).days) if is_working_day(due + dt.timedelta(days=n + 1)))


def _deadlines(case: Case, today: dt.date) -> list[dict]:
    basis = {}
    for entry in case.deadline_basis:  # the entry that counted each deadline, not the notes beside it
        if isinstance(entry, dict) and entry.get("rule"):
            basis.setdefault(entry.get("deadline"), entry)
    rows = []
    running = {"acceptance": case.accepted_on is None, "resolution": True, "notice": case.notice_sent_on is None}
    for name, label in DEADLINES:
        due = getattr(case, f"{name}_due")
        if due is None or not running[name]:
            continue
        entry = basis.get(name, {})
        if name == "acceptance" and basis.get("forward", {}).get("rule"):
            # outside competence, the clock of the received stage is the forwarding one (T2)
            label, entry = FORWARD_LABEL, basis["forward"]
        alert_due = case.acceptance_alert_due if name == "acceptance" else None
        rows.append({
            "label": label, "due": due, "state": getattr(case, f"{name}_sla"),
            "rule": entry.get("rule", ""), "source": entry.get("source", ""),
            # a decided case awaiting closure has met its resolution deadline: no days are left to count
            "left": working_days_left(today, due) if case.is_open and not (name == "resolution" and case.decided_on)
            else None,
            # a year whose holiday schedule is not confirmed (reference §7), a rule changed during the window (§9)
            "assumed_years": ", ".join(str(y) for y in entry.get("assumed_years", [])),
            "alert_due": alert_due,
            "alert_left": working_days_left(today, alert_due) if alert_due and case.is_open else None,
        })
    if case.status == Status.RECEIVED:
        window = rules.limitation_window(case)
        if window is not None:
            rows.append({"label": _("Complaint limitation period (ends)"), "due": window.due, "state": "",
                         "rule": window.rule, "source": window.source, "left": None})
    if case.status in (Status.DECIDED, Status.CLOSED, Status.APPEALED):
        for name, column, label in DECISION_DATES:
            due = getattr(case, column)
            if due is None:
                continue
            entry = basis.get(name, {})
            rows.append({"label": label, "due": due, "state": "", "rule": entry.get("rule", ""),
                         "source": entry.get("source", ""), "left": None})
    return rows


def _open_task(case: Case, user):
    """The case's open human task, read in one query (not the process, then its tasks, then the owner)."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    task = (Task.objects.filter(process__caseprocess__case=case, status__in=[STATUS.NEW, STATUS.ASSIGNED],
                                flow_task_type="HUMAN").select_related("owner").order_by("-created").first())
    if task is None:
        return None
    url = task.flow_task.reverse("index", args=[task.process_id, task.pk]) if policy.may_work_on(user, task) else None
    return {"title": task_title(task, case), "owner": task.owner, "url": url}


# The recorded facts a task form shows (verification findings, dialogue minutes, drafts).
RECORDS = {
    "record_verification": (_("Verification findings"), ("findings",)),
    "record_dialogue": (_("Dialogue minutes"), ("minutes",)),
    "record_dialogue_absence": (_("Absence from the dialogue"), ("reason", "minutes")),
    "record_draft": (_("Draft decision"), ("decision_number", "summary")),
    "return_draft": (_("Draft sent back by the head"), ("comment",)),
    "remind": (_("Reminder from the head"), ("message",)),
}
DENUNCIATION_RECORDS = {
    **RECORDS,
    "record_draft": (_("Draft conclusion"), ("conclusion_number", "summary", "measures")),
    "return_draft": (_("Draft conclusion sent back by the head"), ("comment",)),
}


def returned_draft(user, case: Case) -> dict | None:
    """The head's comment on the draft sent back, while the handler has not drafted again."""
    event = (case.events.filter(action__in=("record_draft", "return_draft")).select_related("actor")
             .order_by("-at", "-pk").first())
    if event is None or event.action != "return_draft":
        return None
    allowed = may_read_records(user, case)
    return {"at": event.at, "actor": event.actor, "comment": (event.payload or {}).get("comment", "") if allowed else "",
            "hidden": not allowed}


def extension_request(user, case: Case) -> dict | None:
    """The handler's extension request waiting for the head's answer."""
    if not case.extension_requested:
        return None
    event = pending_extension_request(case)
    if event is None:
        return None
    payload = event.payload or {}
    allowed = may_read_records(user, case)
    return {"at": event.at, "actor": event.actor, "days": payload.get("days"),
            "grounds": payload.get("grounds", "") if allowed else "", "hidden": not allowed}


def case_records(*, user, case: Case) -> list[dict]:
    """What was recorded on the case so far, oldest first, for the task forms.

    A protected case's records may quote the denouncer, so their texts are
    shown only to the officers who may see the identity (reference §5).
    """
    allowed = not policy.is_identity_protected(case) or policy.may_see_identity(user, case)
    rows = []
    records = DENUNCIATION_RECORDS if case.kind == CaseKind.DENUNCIATION else RECORDS
    for event in case.events.filter(action__in=records).select_related("actor").order_by("at", "pk"):
        label, keys = records[event.action]
        texts = [str(event.payload.get(key) or "") for key in keys] if allowed else []
        rows.append({"label": label, "at": event.at, "actor": event.actor,
                     "text": " — ".join(t for t in texts if t), "hidden": not allowed})
    return rows


def event_detail(event) -> str:
    """The one line of an act's payload the history shows: where a petition went, the number of a
    decision or conclusion, why intake took it for a repeat. Never a person or a text that may quote one."""
    payload = event.payload or {}
    if event.action == "forward":
        return str(_("to %(body)s") % {"body": payload.get("to_body", "")})
    if event.action == "decide":
        return payload.get("conclusion_number") or payload.get("decision_number") or ""
    if event.action == "intake" and (payload.get("repeat") or {}).get("reason") == "refiled_after_withdrawal":
        return str(_("filed again after a withdrawal"))
    if event.action.startswith("sla_"):
        deadline = str(payload.get("deadline", ""))
        if deadline.startswith("notice:"):  # a decision to be sent to the parties (K11, T5)
            purpose = deadline.split(":", 1)[1]
            label = dict(CaseNotice.Purpose.choices).get(purpose, purpose)
        else:
            label = dict(DEADLINES).get(deadline, deadline)
        try:
            return f"{label} · {dt.date.fromisoformat(str(payload.get('due'))[:10]):%d/%m/%Y}"
        except ValueError:
            return str(label)
    return ""


def may_read_records(user, case: Case) -> bool:
    """A protected case's free texts may quote the denouncer: shown only to those who may see the identity."""
    return not policy.is_identity_protected(case) or policy.may_see_identity(user, case)


def dialogues_for(user, case: Case) -> list[dict]:
    """The case's dialogue appointments, latest first; names and minutes only for those who may read them."""
    allowed = may_read_records(user, case)
    rows = []
    for d in case.dialogues.order_by("-scheduled_at", "-pk"):
        rows.append({
            "at": d.scheduled_at, "place": d.place, "invited_on": d.invited_on, "state": d.state,
            "state_label": d.get_state_display(), "earliest": d.basis.get("earliest"), "rule": d.basis.get("rule", ""),
            "participants": d.participants if allowed else [], "attendance": d.attendance if allowed else [],
            "absent": d.absent if allowed else [], "minutes": d.minutes if allowed else "",
            "outcome": d.outcome if allowed else "", "reason": d.absence_reason if allowed else "",
            "hidden": not allowed,
        })
    return rows


def _left_text(today: dt.date, due: dt.date) -> str:
    left = working_days_left(today, due)
    return ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left} if left >= 0 else ""


GROUND_CHOICES = {
    CaseNotice.Purpose.SUSPENSION: legal_grounds.SuspensionGround,
    CaseNotice.Purpose.RESUMPTION: legal_grounds.ResumptionGround,
}


def notices_for(user, case: Case, today: dt.date) -> list[dict]:
    """The case's decisions to be sent to the parties, with their clocks (K11, T5)."""
    allowed = may_read_records(user, case)
    rows = []
    for n in case.notices.order_by("decided_on", "pk"):
        choices = GROUND_CHOICES.get(n.purpose)
        code = (n.grounds or {}).get("code", "")
        ground = legal_grounds.label(choices, code) if choices and code else ""
        rows.append({
            "purpose": n.get_purpose_display(), "decided_on": n.decided_on, "number": n.decision_number,
            "due": n.due, "sent_on": n.sent_on, "state": n.sla, "rule": n.rule, "source": n.legal_source,
            "ground": ground, "detail": (n.grounds or {}).get("text", "") if allowed else "",
            "left_text": _left_text(today, n.due) if n.due and not n.sent_on else "",
            "lapse": (n.basis or {}).get("lapse"),
        })
    return rows


def case_flags(case: Case) -> list:
    return [label for name, label in FLAGS if getattr(case, name)]


# What a link row shows of the other case (and what may_view_case asks), not its 70-odd columns.
LINK_FIELDS = ("id", "case_id", "related_id", "related__id", "related__kind", "related__status", "related__version",
               "related__received_at", "related__receiving_unit", "related__competent_unit")


@login_required
def case_detail(request, pk: int):
    # the events are read once: the page lists them and the policy looks for the last draft among them
    case = (Case.objects.select_related("receiving_unit", "competent_unit", "topic", "handler")
            .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "pk")))
            .filter(pk=pk).first())
    if case is None or not policy.may_view_case(request.user, case):
        if case is not None:
            log_refused_look(user=request.user, case=case, purpose="refused:case_page")
        raise Http404
    today = policy.legal_today()
    acts = policy.available_acts(request.user, case)
    buttons, seen = [], set()
    for act in acts:
        url_name = ACT_PAGES.get(act)
        if url_name and url_name not in seen:
            seen.add(url_name)
            buttons.append({"label": act_label(act, case.kind), "url": reverse(url_name, args=[case.pk])})
    events = case.events.all()  # prefetched in order
    context = {
        "case": case,
        "content": content_for(user=request.user, case=case, purpose="case_page"),
        "petitioners": petitioners_for(user=request.user, case=case, purpose="case_page"),
        "deadlines": _deadlines(case, today),
        "flags": case_flags(case),
        "buttons": buttons,
        "task": _open_task(case, request.user),
        "attachments": case.attachments.order_by("uploaded_at"),
        "links": [{"unit": link.related.competent_unit or link.related.receiving_unit,
                   "received_at": link.related.received_at, "kind": link.related.get_kind_display(),
                   "status": link.related.status_label,
                   "url": reverse("case_detail", args=[link.related_id])
                   if policy.may_view_case(request.user, link.related) else None}
                  for link in case_links(user=request.user, case=case).select_related(None).select_related(
                      "related__competent_unit", "related__receiving_unit").only(*LINK_FIELDS)],
        "dialogues": dialogues_for(request.user, case),
        "notices": notices_for(request.user, case, today),
        "extension_request": extension_request(request.user, case),
        "events": [{"at": e.at, "label": act_label(e.action, case.kind), "actor": e.actor,
                    "from": _status(case, e.from_status), "to": _status(case, e.to_status), "basis": e.legal_basis,
                    "detail": event_detail(e)} for e in events],
        "today": today,
    }
    response = render(request, "cases/case_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response
