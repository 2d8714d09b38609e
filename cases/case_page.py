"""The staff case page: everything about one case, and the acts this user may take on it now.

Scope, identity and acts all come from ``access.policy``; a look at a
protected case's people is logged (``cases.identity``), and an out-of-scope
request is a plain 404 (logged as a refused look when the case is protected).
"""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access import policy
from deadlines.calendar import is_working_day

from .identity import content_for, log_refused_look, petitioners_for
from .models import Case, Status
from .selectors import case_links
from .services import act_label

DEADLINES = (
    ("acceptance", _("Acceptance")),
    ("resolution", _("Resolution")),
    ("notice", _("Notices to the parties")),
)
FLAGS = (
    ("is_backlogged", _("backlogged")),
    ("is_prolonged", _("prolonged")),
    ("is_over_level", _("over-level")),
    ("is_mass", _("mass petition")),
    ("is_duplicate", _("duplicate / repeat")),
    ("is_refiled", _("refiled after a final decision")),
    ("is_remote", _("remote area")),
    ("identity_protected", _("denouncer identity protected")),
)
# Acts taken on a page of their own (the others are steps of the workflow's tasks).
ACT_PAGES = {
    "assign": "workflow:case_assign",
    "suspend": "workflow:case_suspend",
    "resume": "workflow:case_resume",
    "extend": "workflow:case_extend",
    "withdraw": "workflow:case_withdraw",
    "withdraw_partially": "workflow:case_withdraw",
}


def _status(code: str) -> str:
    return Status(code).label if code in Status.values else code


def working_days_left(today: dt.date, due: dt.date) -> int:
    """Working days from tomorrow to the due day (negative: working days overdue)."""
    if due >= today:
        return sum(1 for n in range(1, (due - today).days + 1) if is_working_day(today + dt.timedelta(days=n)))
    return -sum(1 for n in range((today - due).days) if is_working_day(due + dt.timedelta(days=n + 1)))


def _deadlines(case: Case, today: dt.date) -> list[dict]:
    basis = {entry.get("deadline"): entry for entry in case.deadline_basis if isinstance(entry, dict)}
    rows = []
    running = {"acceptance": case.accepted_on is None, "resolution": True, "notice": case.notice_sent_on is None}
    for name, label in DEADLINES:
        due = getattr(case, f"{name}_due")
        if due is None or not running[name]:
            continue
        entry = basis.get(name, {})
        alert_due = case.acceptance_alert_due if name == "acceptance" else None
        rows.append({
            "label": label, "due": due, "state": getattr(case, f"{name}_sla"),
            "rule": entry.get("rule", ""), "source": entry.get("source", ""),
            "left": working_days_left(today, due) if case.is_open else None,
            # a year whose holiday schedule is not confirmed (reference §7), a rule changed during the window (§9)
            "assumed_years": ", ".join(str(y) for y in entry.get("assumed_years", [])),
            "alert_due": alert_due,
            "alert_left": working_days_left(today, alert_due) if alert_due and case.is_open else None,
        })
    return rows


def _open_task(case: Case, user):
    process = getattr(case, "process", None)
    if process is None:
        return None
    from viewflow.workflow.status import STATUS

    task = process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN").first()
    if task is None:
        return None
    url = task.flow_task.reverse("index", args=[process.pk, task.pk]) if policy.may_work_on(user, task) else None
    return {"title": task.flow_task.task_title or str(task.flow_task), "owner": task.owner, "url": url}


# The recorded facts a task form shows (verification findings, dialogue minutes, drafts).
RECORDS = {
    "record_verification": (_("Verification findings"), ("findings",)),
    "record_dialogue": (_("Dialogue minutes"), ("minutes",)),
    "record_draft": (_("Draft decision"), ("decision_number", "summary")),
}


def case_records(*, user, case: Case) -> list[dict]:
    """What was recorded on the case so far, oldest first, for the task forms.

    A protected case's records may quote the denouncer, so their texts are
    shown only to the officers who may see the identity (reference §5).
    """
    allowed = not policy.is_identity_protected(case) or policy.may_see_identity(user, case)
    rows = []
    for event in case.events.filter(action__in=RECORDS).select_related("actor").order_by("at", "pk"):
        label, keys = RECORDS[event.action]
        texts = [str(event.payload.get(key) or "") for key in keys] if allowed else []
        rows.append({"label": label, "at": event.at, "actor": event.actor,
                     "text": " — ".join(t for t in texts if t), "hidden": not allowed})
    return rows


def case_flags(case: Case) -> list:
    return [label for name, label in FLAGS if getattr(case, name)]


@login_required
def case_detail(request, pk: int):
    case = Case.objects.select_related("receiving_unit", "competent_unit", "topic", "handler",
                                       "previous_round").filter(pk=pk).first()
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
            buttons.append({"label": act_label(act), "url": reverse(url_name, args=[case.pk])})
    events = case.events.select_related("actor").order_by("at", "pk")
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
                   "status": link.related.get_status_display(),
                   "url": reverse("case_detail", args=[link.related_id])
                   if policy.may_view_case(request.user, link.related) else None}
                  for link in case_links(user=request.user, case=case).select_related(
                      "related__competent_unit", "related__receiving_unit")],
        "events": [{"at": e.at, "label": act_label(e.action), "actor": e.actor, "from": _status(e.from_status),
                    "to": _status(e.to_status), "basis": e.legal_basis} for e in events],
        "today": today,
    }
    response = render(request, "cases/case_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response
