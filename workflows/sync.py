"""Keep each case's viewflow process in step with the case, whoever moved the case.

The case services publish one event per act (``cases.events``). This module
subscribes: after every act — from a task page, the case page, the admin, the
API or a management command — the process is left with exactly the task the
case's new status calls for, in the same transaction:

* tasks the new status no longer calls for are cancelled;
* if no open task fits, the flow's ``pick_up`` switch opens the right one
  (or ends the process when the case is finished);
* a suspended case keeps its process open with no task until it resumes.

Inside a task page the task under way moves the flow on by itself, so the act
is left alone there (``task_in_progress``) and the page syncs once the task is
done.
"""
from __future__ import annotations

import contextlib
import contextvars

from django.db import connection
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from cases.models import FINAL_STATUSES, Case, Status

from .models import CaseProcess

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
# The handler's own steps: they follow the case's handler when a head reassigns the case.
HANDLER_TASKS = frozenset({"verify", "dialogue", "draft_decision"})

_in_progress: contextvars.ContextVar[int | None] = contextvars.ContextVar("case_task_in_progress", default=None)


@contextlib.contextmanager
def task_in_progress(case_pk: int):
    """While a task page runs its act, the task itself (not the subscriber) moves the flow."""
    token = _in_progress.set(case_pk)
    try:
        yield
    finally:
        _in_progress.reset(token)


def expected_tasks(case: Case) -> frozenset[str]:
    """The task nodes the case's status calls for (one of them is open); empty: none."""
    status = case.status
    if status == Status.RECEIVED:
        return frozenset({"classify", "decide_acceptance"})
    if status == Status.ACCEPTED:
        return frozenset({"verify"} if case.handler_id else {"assign_handler"})
    if status == Status.IN_VERIFICATION:
        return frozenset({"verify", "dialogue", "draft_decision", "sign_decision"})
    if status == Status.IN_DIALOGUE:
        return frozenset({"dialogue", "draft_decision", "sign_decision"})
    if status == Status.DECIDED:
        return frozenset({"close"})
    return frozenset()


def lock_process(case: Case) -> None:
    """Take the process row lock before the act writes the case: the same order as a task page."""
    if connection.vendor == "postgresql":
        list(CaseProcess.objects.select_for_update().filter(case_id=case.pk).values_list("pk", flat=True))


def sync_process(case: Case, *, done_with: frozenset[str] = frozenset()) -> None:
    """Cancel the tasks the case no longer calls for (and those in ``done_with``) and open the one it does."""
    process = CaseProcess.objects.filter(case_id=case.pk).first()
    if process is None:
        return
    case = Case.objects.get(pk=case.pk)  # as the act left it, not a caller's stale copy
    wanted = expected_tasks(case) - done_with
    now = timezone.now()
    kept = []
    for task in process.task_set.filter(status__in=OPEN_TASK_STATUSES).order_by("pk"):
        if task.flow_task_type == "HUMAN" and task.flow_task.name in wanted and not kept:
            kept.append(task)
            continue
        task.status = STATUS.CANCELED
        task.finished = now
        task.save(update_fields=["status", "finished"])
    if kept:
        _follow_the_handler(kept[0], case)
        return
    if case.status == Status.SUSPENDED:
        return  # the clock and the work wait for the resumption
    if case.status in FINAL_STATUSES:
        if process.finished is None:
            # A withdrawal stops the work midway; every other final act completes it.
            process.status = PROCESS.CANCELED if case.status == Status.WITHDRAWN else PROCESS.DONE
            process.finished = now
            process.save(update_fields=["status", "finished"])
        return
    _pick_up(process)


def _follow_the_handler(task, case: Case) -> None:
    """A reassigned case takes its handler's open step along to the new handler's inbox."""
    if task.flow_task.name in HANDLER_TASKS and case.handler_id and task.owner_id != case.handler_id:
        task.owner_id = case.handler_id
        task.status = STATUS.ASSIGNED
        task.save(update_fields=["owner", "status"])


def _pick_up(process: CaseProcess) -> None:
    """Open the task the status calls for through the flow's own ``pick_up`` switch."""
    from .flows import CaseFlow

    if process.finished is not None:
        process.status = PROCESS.NEW
        process.finished = None
        process.save(update_fields=["status", "finished"])
    last = process.task_set.order_by("-pk").first()
    previous = last.flow_task.activation_class(last)
    node = CaseFlow.pick_up
    switch = node.activation_class.create(node, previous, Token("start"))
    previous._activate_next({switch})


def on_act_beginning(sender, case, **kwargs):
    lock_process(case)


def on_act_recorded(sender, case, event, workflow=True, **kwargs):
    if event.action == "intake":
        if workflow:
            from .flows import start_case_process

            start_case_process(case)
        return
    if _in_progress.get() == case.pk:
        return
    # A draft sent back outside the signing task page: the signature waits for a new draft.
    sync_process(case, done_with=frozenset({"sign_decision"}) if event.action == "return_draft" else frozenset())
