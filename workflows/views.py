"""Task views of the case flow and the acts outside the main path.

Each task view calls one service of ``cases.services`` (the verify and
dialogue tasks call the opening act and the recording act of the same step);
none writes the case status. Service errors become HTTP answers here:
InvalidInput → the form with the error (400), Forbidden → 403, NotFound → 404,
Conflict → the form with the message (409).
"""
from types import SimpleNamespace

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import generic
from viewflow import viewprop
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow.views import (
    BulkAssignTasksActionView,
    BulkUnassignTasksActionView,
    DashboardProcessListView,
    DashboardTaskListView,
    DashboardView,
    FlowChartView,
    FlowInboxListView,
    FlowQueueListView,
    UserIndexTaskView,
)
from viewflow.workflow.flow.views.mixins import StoreRequestPathMixin
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from access import policy
from cases import services
from cases.case_page import (
    case_flags,
    case_records,
    dialogues_for,
    extension_request,
    returned_draft,
    task_title,
    working_days_left,
)
from cases.errors import Conflict, Forbidden, InvalidInput, NotFound
from cases.identity import content_for, log_refused_look, mask_name, petitioners_for
from cases.models import OPEN_STATUSES, Case, Petitioner, Status, next_due, next_due_of, status_label
from cases.paging import CappedPaginator
from deadlines.models import CaseKind

from . import forms, sync


def _error_response(view, form, error):
    """Map a service error to an answer; the caller rolled its savepoint back already."""
    if isinstance(error, Forbidden):
        raise PermissionDenied(error.message)
    if isinstance(error, NotFound):
        raise Http404(error.message)
    field = error.field if isinstance(error, InvalidInput) and error.field in form.fields else None
    form.add_error(field, error.message)
    status = 409 if isinstance(error, Conflict) else 400
    return view.render_to_response(view.get_context_data(form=form), status=status)


class CaseTaskView(LoginRequiredMixin, generic.FormView):
    """Complete one task: run ``perform`` (the service call), then let viewflow move on."""

    template_name = "workflows/task.html"
    form_class = forms.ConfirmForm

    @property
    def activation(self):
        return self.request.activation

    @property
    def case(self):
        return self.activation.process.case

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.setdefault("initial", {}).update(self.get_initial_for_case())
        return kwargs

    def get_initial_for_case(self):
        return {}

    def get_context_data(self, **kwargs):
        task = self.activation.task
        user, case = self.request.user, self.case
        purpose = f"task:{task.flow_task.name}"
        return super().get_context_data(
            case=case, task=task, process=self.activation.process, task_title=task_title(task, case),
            case_content=content_for(user=user, case=case, purpose=purpose),
            petitioners=petitioners_for(user=user, case=case, purpose=purpose),
            flags=case_flags(case), records=case_records(user=user, case=case),
            **kwargs,
        )

    def perform(self, form, case, actor):
        """Take the task's act; return a message to keep the task open (a step of it is done), else None."""
        raise NotImplementedError

    def form_valid(self, form):
        case = self.case
        with sync.task_in_progress(case.pk):
            try:
                with transaction.atomic():
                    kept_open = self.perform(form, case=case, actor=self.request.user)
            except (InvalidInput, Forbidden, NotFound, Conflict) as error:
                return _error_response(self, form, error)
            if not kept_open:
                self.activation.execute()
        # The flow moved on by its own rules; make sure the result is what the case's status calls for.
        sync.sync_process(case)
        title = task_title(self.activation.task, case)
        messages.success(self.request, kept_open or _("Completed: %(task)s") % {"task": title})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        """The user's next task on this case if there is one, else the case page."""
        user, process = self.request.user, self.activation.process
        following = next_task_for(user, process)
        if following is not None:
            return following.flow_task.reverse("index", args=[process.pk, following.pk])
        case = Case.objects.filter(pk=self.case.pk).first()
        if case is not None and policy.may_view_case(user, case):
            return reverse("case_detail", args=[case.pk])
        return reverse("workflow:inbox")


def next_task_for(user, process):
    """An open human task of ``process`` that ``user`` holds or may take from the queue, or None."""
    tasks = process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN").order_by("pk")
    for task in tasks:
        if policy.may_work_on(user, task):
            return task
    return None


class CaseIndexTaskView(UserIndexTaskView):
    """viewflow sends a user who may not open the task to ``/`` with no word; refuse instead,
    so that the task URL guard answers with the page saying who holds the task."""

    def get_redirect_url(self, *args, **kwargs):
        activation = self.request.activation
        task, flow_task, user = activation.task, activation.flow_task, self.request.user
        if activation.start.can_proceed() and flow_task.can_execute(user, task):
            return flow_task.reverse("execute", args=[task.process_id, task.pk])
        if activation.assign.can_proceed() and flow_task.can_assign(user, task):
            return flow_task.reverse("assign", args=[task.process_id, task.pk])
        if flow_task.can_view(user, task):
            return flow_task.reverse("detail", args=[task.process_id, task.pk])
        raise PermissionDenied


class ClassifyView(CaseTaskView):
    form_class = forms.ClassifyForm

    def get_initial_for_case(self):
        return forms.ClassifyForm.initial_for(self.case)

    def perform(self, form, case, actor):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if case.competent_unit_id is None:  # the form's suggestion (the receiving unit) is the clerk's choice too
            changes["competent_unit"] = form.cleaned_data["competent_unit"]
        services.case_classify(case=case, actor=actor, **changes)


class DecideAcceptanceView(CaseTaskView):
    """Accept or not; outside competence or over-level the form offers the route §4.3 calls for."""

    form_class = forms.AcceptanceForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form, case, actor):
        data = form.cleaned_data
        act = {
            form.ACCEPT: lambda: services.case_accept(case=case, actor=actor),
            form.REFUSE: lambda: services.case_refuse(case=case, actor=actor, ground=data["ground"],
                                                      reason=data["reason"]),
            form.FORWARD: lambda: services.case_forward(case=case, actor=actor, to_body=data["to_body"],
                                                        reason=data["reason"],
                                                        petitioner_notified=data["petitioner_notified"]),
            form.GUIDE: lambda: services.case_guide(case=case, actor=actor, instructions=data["instructions"]),
            form.ARCHIVE: lambda: services.case_archive(case=case, actor=actor, reason=data["reason"]),
        }[data["decision"]]
        act()


class AssignHandlerView(CaseTaskView):
    form_class = forms.AssignHandlerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form, case, actor):
        services.case_assign(case=case, actor=actor, handler=form.cleaned_data["handler"])


class VerifyView(CaseTaskView):
    """Opens the verification (if not yet open) and records its findings for the dialogue gate."""

    form_class = forms.VerifyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form, case, actor):
        if case.status == Status.ACCEPTED:
            case = services.case_start_verification(case=case, actor=actor)
        services.case_record_verification(case=case, actor=actor, findings=form.cleaned_data["findings"],
                                          findings_differ=form.cleaned_data.get("findings_differ", False))


class DialogueView(CaseTaskView):
    """Two steps of one task: invite the parties (the task stays open until the day comes), then record
    what happened. A dialogue postponed for a valid reason is scheduled again from the same task."""

    def pending(self):
        if not hasattr(self, "_pending"):
            self._pending = services.pending_dialogue(self.case)
        return self._pending

    def get_form_class(self):
        return forms.DialogueRecordForm if self.pending() is not None else forms.DialogueScheduleForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(dialogues=dialogues_for(self.request.user, self.case), **kwargs)

    def perform(self, form, case, actor):
        data = form.cleaned_data
        if isinstance(form, forms.DialogueScheduleForm):
            services.case_schedule_dialogue(case=case, actor=actor, scheduled_at=data["scheduled_at"],
                                            place=data["place"], participants=data["participants"],
                                            invited_on=data["invited_on"])
            return _("The dialogue is scheduled. Record its outcome on this task once it has taken place.")
        if data["result"] == form.HELD:
            services.case_record_dialogue(case=case, actor=actor, minutes=data["minutes"],
                                          attendance=data["attendance"], absent=data["absent"],
                                          outcome=data["outcome"])
            return None
        postponed = data["result"] == form.POSTPONED
        services.case_record_dialogue_absence(case=case, actor=actor, absent=data["absent"], valid_reason=postponed,
                                              reason=data["reason"], attendance=data["attendance"],
                                              minutes=data["minutes"])
        return _("The dialogue is postponed. Schedule it again on this task.") if postponed else None


class DraftDecisionView(CaseTaskView):
    """The handler's draft (a decision, or a denunciation's conclusion) is recorded on the case for the head to sign."""

    def get_form_class(self):
        return forms.outcome_form(self.case)

    def get_context_data(self, **kwargs):
        return super().get_context_data(returned=returned_draft(self.request.user, self.case), **kwargs)

    def perform(self, form, case, actor):
        services.case_record_draft(case=case, actor=actor, **form.cleaned_data)


class SignDecisionView(CaseTaskView):
    """The head signs the decision — for a denunciation, the conclusion with its handling measures — or
    sends the draft back to the handler with a comment (the flow then hands the drafting task back)."""

    def get_form_class(self):
        return forms.sign_form(self.case)

    def get_initial_for_case(self):
        draft = services.latest_draft(self.case)
        return {name: draft.get(name, "") for name in forms.outcome_form(self.case).base_fields}

    def perform(self, form, case, actor):
        data = dict(form.cleaned_data)
        choice, comment = data.pop("choice", ""), data.pop("comment", "")
        if choice == form.RETURN:
            services.case_return_draft(case=case, actor=actor, comment=comment)
        else:
            services.case_decide(case=case, actor=actor, **data)


class CloseView(CaseTaskView):
    def perform(self, form, case, actor):
        services.case_close(case=case, actor=actor)


# --- acts outside the main path -----------------------------------------------------


class CaseActView(LoginRequiredMixin, generic.FormView):
    """An act on a case from the case page; the service checks the permission and the state."""

    http_method_names = ["get", "post"]
    template_name = "workflows/case_act.html"
    form_class = forms.GroundsForm
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = Case.objects.select_related("process").filter(pk=kwargs["case_pk"]).first()
        if self.case is None or not policy.may_view_case(request.user, self.case):
            if self.case is not None:
                log_refused_look(user=request.user, case=self.case, purpose=f"refused:{request.resolver_match.url_name}")
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.case, title=self.title, **kwargs)

    def perform(self, form, case, actor):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.perform(form, case=self.case, actor=self.request.user)
        except (InvalidInput, Forbidden, NotFound, Conflict) as error:
            return _error_response(self, form, error)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_success_url(self):
        return reverse("case_detail", args=[self.case.pk])


class CaseFormActView(CaseActView):
    """An act page whose form depends on the case (its kind's grounds, its limits)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}


class SuspendView(CaseFormActView):
    title = _("Suspend the resolution")
    form_class = forms.SuspendForm

    def perform(self, form, case, actor):
        services.case_suspend(case=case, actor=actor, **form.cleaned_data)


class ResumeView(CaseFormActView):
    title = _("Resume the resolution")
    form_class = forms.ResumeForm

    def perform(self, form, case, actor):
        services.case_resume(case=case, actor=actor, **form.cleaned_data)


class ExtendView(CaseFormActView):
    title = _("Extend the resolution period")
    form_class = forms.ExtendForm

    def perform(self, form, case, actor):
        services.case_extend(case=case, actor=actor, **form.cleaned_data)


class RequestExtensionView(CaseFormActView):
    """The handler asks the head for an extension of the resolution period (T4, LTC Art 30)."""

    title = _("Request an extension")
    form_class = forms.RequestExtensionForm

    def perform(self, form, case, actor):
        services.case_request_extension(case=case, actor=actor, **form.cleaned_data)


class ExtensionRequestMixin:
    """An answer to the handler's pending extension request, which the page shows."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(extension_request=extension_request(self.request.user, self.case), **kwargs)


class ApproveExtensionView(ExtensionRequestMixin, ExtendView):
    """The head approves the request: the extension decision, with the requested days and grounds (editable)."""

    title = _("Approve the extension request")

    def get_initial(self):
        request = services.pending_extension_request(self.case)
        payload = (request.payload or {}) if request else {}
        return {"days": payload.get("days"), "grounds": payload.get("grounds", "")}

    def perform(self, form, case, actor):
        if services.pending_extension_request(case) is None:
            raise Conflict(_("no extension request is waiting for an answer"))
        super().perform(form, case, actor)


class RefuseExtensionView(ExtensionRequestMixin, CaseActView):
    title = _("Refuse the extension request")
    form_class = forms.RefuseExtensionForm

    def perform(self, form, case, actor):
        services.case_refuse_extension(case=case, actor=actor, **form.cleaned_data)


class RemindView(CaseActView):
    title = _("Remind the handler")
    form_class = forms.RemindForm

    def perform(self, form, case, actor):
        services.case_remind(case=case, actor=actor, **form.cleaned_data)


class ReassessComplexityView(CaseActView):
    title = _("Reassess the complexity")
    form_class = forms.ReassessComplexityForm

    def get_initial(self):
        return {"complexity": self.case.complexity, "criteria": self.case.complexity_criteria}

    def perform(self, form, case, actor):
        services.case_reassess_complexity(case=case, actor=actor, **form.cleaned_data)


class SendNoticeView(CaseFormActView):
    """Record that a decision (suspension, resumption, termination, extension) was sent to the parties."""

    title = _("Record a decision as sent")
    form_class = forms.SendNoticeForm

    def perform(self, form, case, actor):
        services.case_send_decision_notice(case=case, actor=actor, notice=form.cleaned_data["notice"])


class WithdrawView(CaseActView):
    """A full withdrawal ends the case; the workflow subscriber closes its process."""

    title = _("Record a withdrawal")
    form_class = forms.WithdrawForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case, "user": self.request.user}

    def perform(self, form, case, actor):
        data = form.cleaned_data
        services.case_withdraw(
            case=case,
            actor=actor,
            reason=data["reason"],
            petitioner_ids=data["petitioner_ids"] or None,
            decision_number=data["decision_number"],
            continue_resolution=data.get("continue_resolution", False),
            continue_ground=data.get("continue_ground", ""),
        )


class RefuseView(CaseActView):
    """Not accepting, from the case page, on a ground of the law (the workflow's process ends with it)."""

    title = _("Do not accept the petition")
    form_class = forms.RefuseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form, case, actor):
        services.case_refuse(case=case, actor=actor, **form.cleaned_data)


class SendNoticesView(CaseActView):
    """The written notices of acceptance or of refusal went out (K2, T3)."""

    title = _("Record the notices sent to the parties")
    form_class = forms.ConfirmForm

    def perform(self, form, case, actor):
        services.case_send_notices(case=case, actor=actor)


class AppealView(CaseActView):
    """A second complaint against the first decision, within K5: the second-round case opens at the superior."""

    title = _("Record a second complaint")
    form_class = forms.AppealForm
    act = staticmethod(services.case_appeal)

    def get_initial(self):
        return {"received_at": timezone.localtime().replace(second=0, microsecond=0)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.case.competent_unit
        if unit is not None:
            superior, skipped = unit.superior_on(policy.legal_today())
            context["second_level"] = superior
            context["skipped_units"] = skipped
        return context

    def perform(self, form, case, actor):
        self.second = self.act(case=case, actor=actor, **form.cleaned_data)

    def get_success_url(self):
        second = getattr(self, "second", None)
        if second is not None and policy.may_view_case(self.request.user, second):
            return reverse("case_detail", args=[second.pk])
        return super().get_success_url()


class AppealOverdueView(AppealView):
    """The first level let its resolution period pass: the complainant goes to the second level (K5 from its end)."""

    title = _("Record a second complaint: the first level is overdue")
    form_class = forms.SecondComplaintForm
    act = staticmethod(services.case_appeal_overdue)


# --- inbox and queue -----------------------------------------------------------------


# stand-ins for the ids in a task URL reversed once (no URL of the flow holds these digits otherwise)
_PROCESS_MARK, _TASK_MARK, _CASE_MARK = 918273645, 546372819, 728391046


class TaskListPaginator(CappedPaginator):
    """A head's inbox can hold a sixth of a province's cases: its pager counts ten pages of 25 at most
    ("1–25 of more than 250"); the home counters give the sizes of the queues."""

    COUNT_CAP = 250

    def _get_page(self, object_list, number, paginator):
        # the page holds light rows (``_light_rows``): the template's first look at the page would
        # otherwise fetch its tasks, processes and cases as model instances
        return super()._get_page(_light_rows(object_list), number, paginator)


class CaseTaskFilter(django_filters.FilterSet):
    """The inbox's and the queue's filter. viewflow's own listed every process of the user's tasks (a
    select of 166,000 options for a head at a million cases) and read the task kinds with a DISTINCT
    over all his tasks: here the kinds come from the flow itself."""

    flow_task = django_filters.ChoiceFilter(label=_("Task"))
    created = django_filters.DateRangeFilter(label=_("Created"))

    class Meta:
        model = Task
        fields = ("flow_task", "created")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .flows import CaseFlow

        self.filters["flow_task"].field.choices = [
            (get_task_ref(node), str(node.task_title or node)) for node in CaseFlow.instance.nodes()
            if node.task_type == "HUMAN"
        ]


class CaseTaskColumnsMixin:
    """Case columns read through one join, so the page costs the same for 1 or 100 tasks.

    The first petitioner's name is encrypted at rest, so its initials cannot be
    computed in SQL: the rows carry the petitioner's pk (a subquery) and the
    names of the page's unprotected cases are read in one more query. A
    protected case (reference §5) shows nothing derived from the name, to
    anyone: the list is no place for a logged look at a denouncer.
    """

    columns = ("task_link", "case_code", "case_kind", "case_petitioner", "case_due", "case_sla", "case_flags",
               "created")
    filterset_class = CaseTaskFilter
    paginator_class = TaskListPaginator
    template_name = "workflows/case_task_list.html"

    def dispatch(self, request, *args, **kwargs):
        """viewflow stores the list's path in the session on every view: one UPDATE of the session row per
        page. Store it only when it changed (skipping viewflow's StoreRequestPathMixin, which is next)."""
        if request.session.get("vf-pin-location") == request.get_full_path():
            return super(StoreRequestPathMixin, self).dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def _cell(self, key, make):
        """A cell's HTML made once per page for each distinct input: the 25 rows of a page share a
        handful of titles, kinds, due dates and flag sets."""
        cells = self.__dict__.setdefault("_cells", {})
        if key not in cells:
            cells[key] = make()
        return cells[key]

    def task_link(self, task):
        kind = self.case_of(task).kind
        title = self._cell(("title", task.flow_task, kind), lambda: task_title(task, self.case_of(task)))
        return format_html('<a href="{}">{}</a>', self.task_url(task), title)

    def task_url(self, task) -> str:
        """The task's page, reversed once per step and page: viewflow's namespaced reverse took longer
        than the rest of a row."""
        urls = self.__dict__.setdefault("_task_urls", {})
        pattern = urls.get(task.flow_task)
        if pattern is None:
            pattern = urls[task.flow_task] = task.flow_task.reverse("index", args=[_PROCESS_MARK, _TASK_MARK])
        return pattern.replace(str(_PROCESS_MARK), str(task.process_id)).replace(str(_TASK_MARK), str(task.pk))

    task_link.short_description = _("Task")

    def case_of(self, task):
        return task.process.caseprocess.case

    def case_code(self, task):
        case = self.case_of(task)
        pattern = self._cell("case_url", lambda: reverse("case_detail", args=[_CASE_MARK]))
        return format_html('<a href="{}">{}</a>', pattern.replace(str(_CASE_MARK), str(case.pk)), case.tracking_code)

    case_code.short_description = capfirst(_("tracking code"))

    def case_kind(self, task):
        case = self.case_of(task)
        return self._cell(("kind", case.kind), case.get_kind_display)

    case_kind.short_description = capfirst(_("kind"))

    def case_status(self, task):
        return self.case_of(task).status_label

    case_status.short_description = capfirst(_("status"))

    def case_due(self, task):
        due = self.due_date(task)
        return due.strftime("%d/%m/%Y") if due else ""

    case_due.short_description = capfirst(_("due"))

    def due_date(self, task):
        return next_due_of(self.case_of(task))

    def case_petitioner(self, task):
        case = self.case_of(task)
        if policy.is_identity_protected(case):
            return _("[protected]")
        return mask_name(self._petitioner_names.get(task.first_petitioner_id, ""))

    case_petitioner.short_description = capfirst(_("petitioner"))

    def case_sla(self, task):
        """The SLA badge first (the cell is narrow), then the working days left."""
        case = self.case_of(task)
        due = self.due_date(task)
        return self._cell(("sla", case.sla_state, due, case.status), lambda: self._sla_cell(case, due))

    def _sla_cell(self, case, due):
        if case.status == Status.SUSPENDED:  # the clock is stopped: say so rather than show no deadline
            return case.status_label
        parts = []
        if case.sla_state == "overdue":
            parts.append(format_html('<span class="badge badge--overdue" style="{}">{}</span>', BADGE_STYLE, _("Overdue")))
        elif case.sla_state == "due_soon":
            parts.append(format_html('<span class="badge badge--due-soon" style="{}">{}</span>', BADGE_STYLE,
                                     _("Due soon")))
        if due is not None and case.is_open:
            left = working_days_left(self._today, due)
            if left >= 0:
                parts.append(format_html("{}", ngettext(
                    "%(n)d working day left", "%(n)d working days left", left) % {"n": left}))
        return format_html_join(" ", "{}", ((part,) for part in parts))

    case_sla.short_description = _("SLA")

    def case_flags(self, task):
        case = self.case_of(task)
        labels = tuple(label for name, label in INBOX_FLAGS if getattr(case, name))
        return self._cell(("flags", labels), lambda: format_html_join(
            " ", '<span class="badge" style="{}">{}</span>', ((BADGE_STYLE, label) for label in labels)))

    case_flags.short_description = capfirst(_("flags"))

    def created(self, task):
        return timezone.localtime(task.created).strftime("%d/%m/%Y %H:%M")

    created.short_description = _("Created")

    def case_tasks(self):
        first_petitioner = Petitioner.objects.filter(case=OuterRef("process__caseprocess__case")).order_by("pk")
        # Only open cases have open tasks (the workflow keeps them in step); saying so lets the planner
        # walk the open cases' due-order index (case_open_next_due_idx) for a page of a large inbox.
        return (
            self.model._default_manager.filter(process__flow_class=self.flow_class,
                                               process__caseprocess__case__status__in=OPEN_STATUSES)
            .select_related("process__caseprocess__case")
            # a row shows neither the petition's text (encrypted, the widest column) nor the deadline basis
            .defer("process__caseprocess__case__content", "process__caseprocess__case__deadline_basis")
            .annotate(first_petitioner_id=Subquery(first_petitioner.values("pk")[:1]))
        )

    def due_ordering(self):
        """Soonest due first (the acceptance's while awaiting acceptance, else the resolution's), cases
        with no running deadline last (suspended, decided); on the same due date a mass petition first
        (a priority, TT 07/2014 Art 27)."""
        due = next_due("process__caseprocess__case__")
        # exactly the columns of case_open_next_due_idx, so that a page reads the index's first entries
        return [due.asc(nulls_last=True), "-process__caseprocess__case__is_mass", "process__caseprocess__case__id"]

    def get_page_data(self, page):
        """The page's rows read as plain values and their cells made by the columns above, without
        viewflow's per-cell formatting: 25 tasks with their processes and cases as model instances
        (and viewflow's generic cell machinery) cost more than the rest of the page."""
        rows = _light_rows(getattr(page, "object_list", page))
        wanted = {task.first_petitioner_id for task in rows
                  if task.first_petitioner_id and not policy.is_identity_protected(self.case_of(task))}
        self._petitioner_names = dict(
            Petitioner.objects.filter(pk__in=wanted).values_list("pk", "full_name")) if wanted else {}
        self._today = policy.legal_today()
        columns = list(self.list_columns.values())
        return [(task, [(column, getattr(self, column.attr_name)(task)) for column in columns]) for task in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_actions"] = self.get_bulk_actions()
        context["rows_html"] = self.rows_html(context.get("page_obj") or context.get("object_list") or [],
                                              checkbox=bool(context["bulk_actions"]))
        return context

    def rows_html(self, page, *, checkbox: bool) -> str:
        """The table's body as viewflow's list template writes it, built here in one pass: its
        template loop looked up each cell's column type (200 cells a page) and cost a third of the page."""
        kinds = {column: conditional_escape(column.column_type()) for column in self.list_columns.values()}
        tick = _ROW_CHECKBOX if checkbox else ""
        parts = []
        for task, cells in self.get_page_data(page):
            parts.append(f'<tr data-row-id="{conditional_escape(task.pk)}">{tick}')
            parts.extend(f'<td class="vf-list__table-cell-{kinds[column]}">{conditional_escape(value)}</td>'
                         for column, value in cells)
            parts.append("</tr>")
        return mark_safe("".join(parts))


# What a task row shows of its case (the columns above read these attributes).
_CASE_ROW_FIELDS = ("pk", "tracking_code", "kind", "status", "resolution_due", "acceptance_due", "sla_state",
                    "identity_protected", "is_over_level", "is_mass", "is_duplicate", "is_backlogged")
_CASE_PREFIX = "process__caseprocess__case__"


class _CaseRow(SimpleNamespace):
    """A case as a task row needs it (the Case model's display methods, without a model instance)."""

    def get_kind_display(self) -> str:
        return str(dict(CaseKind.choices).get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return status_label(self.kind, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _light_rows(object_list) -> list:
    """Task rows shaped like ``task.process.caseprocess.case``, read with ``values()`` (one query)."""
    if not isinstance(object_list, QuerySet):
        return list(object_list)
    rows = []
    for row in object_list.values("pk", "flow_task", "process_id", "created", "first_petitioner_id",
                                  *(_CASE_PREFIX + name for name in _CASE_ROW_FIELDS)):
        case = _CaseRow(**{name: row[_CASE_PREFIX + name] for name in _CASE_ROW_FIELDS})
        rows.append(SimpleNamespace(pk=row["pk"], flow_task=row["flow_task"], process_id=row["process_id"],
                                    created=row["created"], first_petitioner_id=row["first_petitioner_id"],
                                    process=SimpleNamespace(caseprocess=SimpleNamespace(case=case))))
    return rows


# the selection cell of a row, as viewflow's list template writes it
_ROW_CHECKBOX = (
    '\n                              <td class="vf-list__action-cell">\n'
    '                                <div class="mdc-checkbox">\n'
    '                                  <input type="checkbox" class="mdc-checkbox__native-control"/>\n'
    '                                  <div class="mdc-checkbox__background">\n'
    '                                    <svg class="mdc-checkbox__checkmark" viewBox="0 0 24 24">\n'
    '                                      <path class="mdc-checkbox__checkmark-path"\n'
    '                                            fill="none" stroke="white"\n'
    '                                            d="M1.73,12.91 8.1,19.28 22.79,4.59"/>\n'
    '                                    </svg>\n'
    '                                    <div class="mdc-checkbox__mixedmark"></div>\n'
    '                                  </div>\n'
    '                                </div>\n'
    '                              </td>\n'
    '                            '
)

# viewflow's pages have no badge style of their own (inline styles are allowed by the CSP).
BADGE_STYLE = "background:#fde8e8;color:#b91c1c;border-radius:4px;padding:0 .4rem;white-space:nowrap"
INBOX_FLAGS = (
    ("is_over_level", _("over-level")),
    ("is_mass", _("mass petition")),
    ("is_duplicate", _("duplicate / repeat")),
    ("is_backlogged", _("backlogged")),
)


class CaseInboxView(CaseTaskColumnsMixin, FlowInboxListView):
    @viewprop
    def queryset(self):
        return self.case_tasks().filter(owner=self.request.user, status=STATUS.ASSIGNED).order_by(*self.due_ordering())

    def get_paginator(self, queryset, per_page, **kwargs):
        """The inbox is counted on the task table alone: the flow's own steps stand for its processes,
        and the joins to the cases serve only the page's columns and order."""
        steps = [get_task_ref(node) for node in self.flow_class.instance.nodes()]
        mine = Task.objects.filter(owner=self.request.user, status=STATUS.ASSIGNED, flow_task__in=steps)
        if self.filterset is not None:
            # as viewflow's FilterableViewMixin.get_queryset filters the page's rows
            valid = self.filterset.is_valid() or not self.is_strict_filter()
            mine = self.get_filterset(type(self.filterset), queryset=mine).qs if valid else mine.none()
        return super().get_paginator(queryset, per_page, count_queryset=mine, **kwargs)


class CaseQueueView(CaseTaskColumnsMixin, FlowQueueListView):
    @viewprop
    def queryset(self):
        return (
            self.case_tasks()
            .filter(policy.queue_q(self.request.user), flow_task_type="HUMAN", status=STATUS.NEW)
            .order_by(*self.due_ordering())
        )


# --- dashboards: only the processes and tasks of cases in the user's scope -------------


class CaseProcessListView(DashboardProcessListView):
    def get_queryset(self):
        return super().get_queryset().filter(policy.process_q(self.request.user)).order_by("-created")


class CaseTaskListView(DashboardTaskListView):
    @viewprop
    def queryset(self):
        return (
            self.model._default_manager.filter(
                process__flow_class=self.flow_class,
            )
            .filter(policy.task_q(self.request.user))
            .select_related("process")
            .order_by("-created")
        )


class CaseDashboardView(DashboardView):
    """viewflow's kanban, with only the tasks of cases in the user's scope."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = policy.task_q(self.request.user)
        tasks = self.flow_class.task_class._default_manager
        for column in context["columns"]:
            column["tasks"] = tasks.filter(
                Q(finished__isnull=True) | Q(status=STATUS.ERROR), scope,
                process__flow_class=self.flow_class, flow_task=column["node"],
            ).select_related("process__caseprocess__case", "owner").order_by("-created")[: self.MAX_ROWS]
        context["finished"] = tasks.filter(
            scope, process__flow_class=self.flow_class, finished__isnull=False, flow_task__in=context["end_nodes"]
        ).select_related("process__caseprocess__case").order_by("-finished")[: self.MAX_ROWS]
        return context


class CaseChartView(FlowChartView):
    """The flow's chart is public to staff; a process's chart only to those who may see the process."""

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            process = self.flow_class.process_class._default_manager.filter(pk=process_pk).first()
            if process is None or not self.flow_class.instance.has_view_permission(request.user, obj=process):
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class CaseBulkAssignView(BulkAssignTasksActionView):
    """"Assign all" works on the user's own queue, never on the whole task table."""

    flow_class = None

    def get_queryset(self):
        self.queryset = (
            self.model._default_manager.filter(process__flow_class=self.flow_class, flow_task_type="HUMAN",
                                               status=STATUS.NEW)
            .filter(policy.queue_q(self.request.user))
        )
        return super().get_queryset()


class CaseBulkUnassignView(BulkUnassignTasksActionView):
    flow_class = None
    def get_queryset(self):
        self.queryset = self.model._default_manager.filter(
            process__flow_class=self.flow_class, owner=self.request.user, status=STATUS.ASSIGNED
        )
        return super().get_queryset()


class AssignView(CaseActView):
    """A head gives the case to a handler, or to another one: the handler's open step follows."""

    title = _("Assign a handler")
    form_class = forms.AssignHandlerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form, case, actor):
        services.case_assign(case=case, actor=actor, handler=form.cleaned_data["handler"])
