"""The acts the API takes: each through the form its page uses (the same validation) and the same service.

``ACTS[name]`` says which form validates the body and which service call it makes. The
workflow follows by itself: the services publish their events and ``workflows.sync``
keeps the case's process in step, whoever took the act.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from access import policy
from cases import services
from cases.errors import Conflict, Forbidden
from cases.models import Case
from workflows import forms as task_forms


class AcceptForm(forms.Form):
    """Accepting, with the day of acceptance for a paper case entered later (default: today)."""

    accepted_on = forms.DateField(label=_("accepted on"), required=False)


class ReturnDraftForm(forms.Form):
    comment = forms.CharField(label=_("comment for the handler"), widget=forms.Textarea)


def _routing(decision: str):
    """The acceptance task's form, with its decision fixed (refuse, forward, guide, archive)."""

    def build(data, *, case, user):
        return task_forms.AcceptanceForm({**data, "decision": decision}, case=case)

    return build


def _with_case(form_class):
    return lambda data, *, case, user: form_class(data, case=case)


def _plain(form_class):
    return lambda data, *, case, user: form_class(data)


def _outcome(data, *, case, user):
    return task_forms.outcome_form(case)(data)


def _withdraw(data, *, case, user):
    return task_forms.WithdrawForm(data, case=case, user=user)


def _approve_extension(case, actor, data):
    if services.pending_extension_request(case) is None:
        raise Conflict(_("no extension request is waiting for an answer"))
    return services.case_extend(case=case, actor=actor, **data)


def _withdraw_call(case, actor, data):
    return services.case_withdraw(
        case=case, actor=actor, reason=data["reason"], petitioner_ids=data["petitioner_ids"] or None,
        decision_number=data["decision_number"], continue_resolution=data.get("continue_resolution", False),
        continue_ground=data.get("continue_ground", ""),
    )


def _classify(case, actor, data):
    return services.case_classify(case=case, actor=actor, **data)


@dataclass(frozen=True)
class Act:
    form: Callable
    call: Callable[[Case, object, dict], object]
    gate: str | None = None  # the transition or recorded fact that says whether state and role allow it
    changed_only: bool = False  # pass only the fields the client sent (classification changes some of them)


ACTS: dict[str, Act] = {
    "classify": Act(_plain(task_forms.ClassifyForm), _classify, "classify", changed_only=True),
    "accept": Act(_plain(AcceptForm),
                  lambda c, a, d: services.case_accept(case=c, actor=a, accepted_on=d.get("accepted_on")), "accept"),
    "refuse": Act(_with_case(task_forms.RefuseForm), lambda c, a, d: services.case_refuse(case=c, actor=a, **d),
                  "refuse"),
    "forward": Act(_routing("forward"), lambda c, a, d: services.case_forward(
        case=c, actor=a, to_body=d["to_body"], reason=d["reason"], petitioner_notified=d["petitioner_notified"]),
        "forward"),
    "guide": Act(_routing("guide"), lambda c, a, d: services.case_guide(case=c, actor=a, instructions=d["instructions"]),
                 "guide"),
    "archive": Act(_routing("archive"), lambda c, a, d: services.case_archive(case=c, actor=a, reason=d["reason"]),
                   "archive"),
    "assign": Act(_with_case(task_forms.AssignHandlerForm),
                  lambda c, a, d: services.case_assign(case=c, actor=a, handler=d["handler"]), "assign"),
    "start_verification": Act(_plain(task_forms.ConfirmForm),
                              lambda c, a, d: services.case_start_verification(case=c, actor=a), "start_verification"),
    "record_verification": Act(_with_case(task_forms.VerifyForm), lambda c, a, d: services.case_record_verification(
        case=c, actor=a, findings=d["findings"], findings_differ=d.get("findings_differ", False)),
        "record_verification"),
    "record_draft": Act(_outcome, lambda c, a, d: services.case_record_draft(case=c, actor=a, **d), "record_draft"),
    "return_draft": Act(_plain(ReturnDraftForm),
                        lambda c, a, d: services.case_return_draft(case=c, actor=a, comment=d["comment"]),
                        "return_draft"),
    "decide": Act(_outcome, lambda c, a, d: services.case_decide(case=c, actor=a, **d), "decide"),
    "close": Act(_plain(task_forms.ConfirmForm), lambda c, a, d: services.case_close(case=c, actor=a), "close"),
    "send_notices": Act(_plain(task_forms.ConfirmForm),
                        lambda c, a, d: services.case_send_notices(case=c, actor=a), "send_notices"),
    "send_decision_notice": Act(_with_case(task_forms.SendNoticeForm), lambda c, a, d: services.case_send_decision_notice(
        case=c, actor=a, notice=d["notice"]), "send_decision_notice"),
    "suspend": Act(_with_case(task_forms.SuspendForm), lambda c, a, d: services.case_suspend(case=c, actor=a, **d),
                   "suspend"),
    "resume": Act(_with_case(task_forms.ResumeForm), lambda c, a, d: services.case_resume(case=c, actor=a, **d),
                  "resume"),
    "extend": Act(_with_case(task_forms.ExtendForm), lambda c, a, d: services.case_extend(case=c, actor=a, **d),
                  "extend"),
    "request_extension": Act(_with_case(task_forms.RequestExtensionForm),
                             lambda c, a, d: services.case_request_extension(case=c, actor=a, **d),
                             "request_extension"),
    "approve_extension": Act(_with_case(task_forms.ExtendForm), _approve_extension, "approve_extension"),
    "refuse_extension": Act(_plain(task_forms.RefuseExtensionForm),
                            lambda c, a, d: services.case_refuse_extension(case=c, actor=a, **d), "refuse_extension"),
    "reassess_complexity": Act(_plain(task_forms.ReassessComplexityForm),
                               lambda c, a, d: services.case_reassess_complexity(case=c, actor=a, **d),
                               "reassess_complexity"),
    "withdraw": Act(_withdraw, _withdraw_call, None),
    "appeal": Act(_plain(task_forms.AppealForm), lambda c, a, d: services.case_appeal(case=c, actor=a, **d), "appeal"),
    "appeal_overdue": Act(_plain(task_forms.SecondComplaintForm),
                          lambda c, a, d: services.case_appeal_overdue(case=c, actor=a, **d), "appeal_overdue"),
}
# Acts listed by the policy under another name than the API's.
POLICY_NAMES = {"withdraw_partially": "withdraw"}


def gate_refusal(user, case: Case, name: str):
    """Before the body is read: the state refuses it (409) or the user may not (403); None: go on.

    Legal conditions (a missing competent unit, a dialogue still owed…) are left to the service,
    which answers 409 with its reasons.
    """
    gate = ACTS[name].gate
    if gate is None:
        return None
    label = services.act_label(name, case.kind)
    if gate in policy.FACT_ACTS:
        statuses, allowed = policy.FACT_ACTS[gate]
        if case.status not in statuses:
            return Conflict(_("cannot %(act)s: the case is %(status)s") % {"act": label, "status": case.status_label})
        if not allowed(case, user):
            return Forbidden(_("you are not allowed to %(act)s in this case") % {"act": label})
        return None
    meta = getattr(getattr(case, gate, None), "_django_fsm", None)
    if meta is None:
        return None
    if not meta.has_transition(case.status):
        return Conflict(_("cannot %(act)s: the case is %(status)s") % {"act": label, "status": case.status_label})
    found = meta.get_transition(case.status)
    if found is not None and not found.has_perm(case, user):
        return Forbidden(_("you are not allowed to %(act)s in this case") % {"act": label})
    return None


def cleaned(act: Act, form, sent: dict) -> dict:
    data = dict(form.cleaned_data)
    if act.changed_only:
        data = {name: value for name, value in data.items() if name in sent}
    return data
