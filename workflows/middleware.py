"""Guards around viewflow's task URLs.

viewflow locks the process named in the URL before it loads the task, so a
task URL carrying another process's id would lock the wrong row: such a URL is
a 404 here before viewflow sees it. A task that is no longer open (done by a
colleague a moment ago, or cancelled when the case moved on) answers a
friendly 409 page instead of viewflow's ``Start :: no transition from "DONE"``
403. An open task held by (or waiting for) someone else answers a 403 page
saying who holds it, with a link to the case page, to those who may see the
case; to anyone else it stays a bare refusal. A refused look at a task of an identity-protected case is logged like any
other look (reference §5).
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from access import policy
from cases.identity import log_refused_look


def _task_kwargs(request):
    match = getattr(request, "resolver_match", None)
    if match is None or "workflow" not in match.namespaces:
        return None
    process_pk, task_pk = match.kwargs.get("process_pk"), match.kwargs.get("task_pk")
    if process_pk is None or task_pk is None:
        return None
    return process_pk, task_pk


class TaskUrlGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or "workflow" not in match.namespaces:
            return None
        if not request.user.is_authenticated:  # the login page, not viewflow's bare 403
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        found = _task_kwargs(request)
        if found is None:
            return None
        process_pk, task_pk = found
        if not Task.objects.filter(pk=task_pk, process_id=process_pk).exists():
            raise Http404
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, (PermissionDenied, Http404)):
            return None
        found = _task_kwargs(request)
        if found is None:
            return None
        process_pk, task_pk = found
        task = Task.objects.filter(pk=task_pk, process_id=process_pk).select_related("process").first()
        if task is None:
            return None
        case = _case_of(process_pk)
        if case is not None:
            log_refused_look(user=request.user, case=case, purpose=f"refused:{task.flow_task.name}")
        visible = case is not None and policy.may_view_case(request.user, case)
        if visible and task.status not in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED):
            return render(request, "workflows/task_closed.html", _page(task, case), status=409)
        if visible and not policy.may_work_on(request.user, task):
            return render(request, "workflows/task_foreign.html", _holder(task) | _page(task, case), status=403)
        return None


def _page(task, case) -> dict:
    """The task's translated title (its node's name is an identifier, in English)."""
    from cases.case_page import task_title

    return {"task": task, "case": case, "title": task_title(task, case)}


def _holder(task) -> dict:
    """Who holds the task: its owner, else the role and unit whose queue it waits in."""
    if task.owner_id is not None:
        owner = task.owner
        return {"holder": owner.get_full_name() or owner.get_username()}
    from organisation.models import Role, Unit

    role, _at, unit_id = (task.owner_permission or "").partition("@")
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    return {"holder": None, "role": Role(role).label if role in Role.values else role, "unit": unit or "—"}


def _case_of(process_pk):
    from cases.models import Case

    return Case.objects.filter(process=process_pk).first()
