"""The case flow: the human tasks that carry a case from intake to closure.

Routing reads the case as the services left it; no node writes the status.
Tasks for a unit role wait in the queue of that role's holders in the case's
unit (competent, else receiving); the handler's tasks go straight to the
handler's inbox.
"""
import contextlib
import functools

from django.db import connection, transaction
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.lock import SelectForUpdateLock, lock_scope, no_lock
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from access import policy
from cases import rules
from cases.models import Case, Status
from config.db import InsertColumns, insert_columns, mark_saved, prepared_cursor
from organisation.models import Role

from . import views
from .models import CaseProcess


class VendorLock:
    """Row lock on the process with SELECT … FOR UPDATE on PostgreSQL.

    SQLite has no row locks (it serialises writers on its own), so there the
    task simply runs in a transaction. Chosen per call, so tests and the
    embedded default can share one flow class.
    """

    def __init__(self):
        self.select_for_update = SelectForUpdateLock(nowait=False, attempts=3)

    def __call__(self, flow_class, process_pk):
        if connection.vendor == "postgresql":
            return self.select_for_update(flow_class, process_pk)
        return no_lock(flow_class, process_pk)


@contextlib.contextmanager
def _own_new_process(flow_class, process_pk):
    """The lock on a process this transaction has just inserted: nobody else can see the row until the act
    commits, so there is nothing to wait for (``SELECT … FOR UPDATE`` on it would only cost a round trip)."""
    yield


class CaseStartActivation(StartHandleActivation):
    """viewflow's start (``StartActivation.execute``) as the case services run it: inside the act's
    transaction, whose error aborts the act as a whole — so no savepoint of its own — and on a process
    born in that transaction, which no other one can lock (``_own_new_process``)."""

    @Activation.status.transition(source=STATUS.NEW)
    def execute(self):
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            self.process.save()
            with lock_scope(_own_new_process, self.flow_class, self.process.pk):
                self.complete()
                flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
                self.activate_next()


class CaseStart(flow.StartHandle):
    activation_class = CaseStartActivation


def _fresh_case(activation) -> Case:
    """The case as the last service left it (the process's cached copy may be stale).

    Read once per activation: a gateway asks several questions of the same state.
    """
    if getattr(activation, "_fresh_case", None) is None:
        activation._fresh_case = Case.objects.get(pk=activation.process.case_id)
    return activation._fresh_case


RESUMABLE = (Status.RECEIVED, Status.ACCEPTED, Status.IN_VERIFICATION, Status.IN_DIALOGUE, Status.DECIDED)


def _resume_status(activation) -> str:
    """The status whose task comes next; a suspended case resumes where it stopped."""
    case = _fresh_case(activation)
    return case_resume_status(case)


def _findings_recorded(activation) -> bool:
    return _fresh_case(activation).events.filter(action="record_verification").exists()


def case_resume_status(case) -> str:
    return case.suspended_from if case.status == Status.SUSPENDED else case.status


def unit_role(role):
    """``.Permission`` callable: the task waits for ``role`` in the case's current unit."""

    def permission(activation):
        return policy.task_token(role, policy.case_unit_id(_fresh_case(activation)))

    return permission


def routing_role(role):
    """``.Permission`` callable for the acceptance step: a petition outside competence (or over-level) is
    routed by the unit that received it — guided or forwarded (§4.3) — not by the competent unit."""

    def permission(activation):
        case = _fresh_case(activation)
        unit_id = case.receiving_unit_id if rules.outside_competence(case) else policy.case_unit_id(case)
        return policy.task_token(role, unit_id)

    return permission


def case_handler(activation):
    return _fresh_case(activation).handler


class CaseTask(flow.View):
    """A human task that only holders of the asked unit role (or its owner) may see or take."""

    index_view_class = views.CaseIndexTaskView

    def can_assign(self, user, task):
        return task.owner_id is None and policy.may_take(user, task.owner_permission)

    def can_execute(self, user, task):
        return is_owner(task.owner, user)

    def can_view(self, user, task):
        return (task.owner_id is not None and is_owner(task.owner, user)) or policy.may_take(user, task.owner_permission)

    def can_unassign(self, user, task):
        """Only the holder hands a queued task back; reassigning is a case act (``case_assign``)."""
        return task.owner_id is not None and task.owner_permission is not None and is_owner(task.owner, user)


class CaseFlow(flow.Flow):
    """Petition resolution

    Classification, acceptance, assignment, verification, dialogue where the
    law requires it, decision and closure of one case.
    """

    process_class = CaseProcess
    process_title = _("Petition resolution")
    process_description = _(
        "Classification, acceptance, assignment, verification, dialogue where the law requires it, "
        "decision and closure of one case."
    )
    lock_impl = VendorLock()

    start = CaseStart(this.start_process).Next(this.classify)

    # A case brought in mid-way — migrated from a paper ledger, or a demo case
    # moved on by the services — starts at the task its status calls for.
    start_mid_way = CaseStart(this.start_process).Next(this.pick_up)
    # The same switch opens the next task when a case was moved outside a task page (workflows.sync).
    pick_up = (
        flow.Switch()
        .Case(this.end, lambda activation: _resume_status(activation) not in RESUMABLE)
        .Case(this.assign_handler, lambda activation: _resume_status(activation) == Status.ACCEPTED
              and _fresh_case(activation).handler_id is None)
        .Case(this.verify, lambda activation: _resume_status(activation) == Status.ACCEPTED
              or (_resume_status(activation) == Status.IN_VERIFICATION and not _findings_recorded(activation)))
        .Case(this.dialogue, lambda activation: _resume_status(activation) in (Status.IN_VERIFICATION, Status.IN_DIALOGUE)
              and not rules.dialogue_requirement_met(_fresh_case(activation)))
        .Case(this.draft_decision, lambda activation: _resume_status(activation) in (Status.IN_VERIFICATION,
                                                                                      Status.IN_DIALOGUE))
        .Case(this.close, lambda activation: _resume_status(activation) == Status.DECIDED)
        .Default(this.classify)
    )

    classify = (
        CaseTask(views.ClassifyView.as_view())
        .Annotation(title=_("Classify the petition"))
        .Permission(lambda activation: policy.task_token(Role.RECEPTION, activation.process.case.receiving_unit_id))
        .Next(this.decide_acceptance)
    )

    decide_acceptance = (
        CaseTask(views.DecideAcceptanceView.as_view())
        .Annotation(title=_("Decide on acceptance"))
        .Permission(routing_role(Role.HEAD))
        .Next(this.is_accepted)
    )

    is_accepted = flow.If(this.case_accepted).Then(this.assign_handler).Else(this.not_accepted)

    assign_handler = (
        CaseTask(views.AssignHandlerView.as_view())
        .Annotation(title=_("Assign a handler"))
        .Permission(unit_role(Role.HEAD))
        .Next(this.verify)
    )

    verify = (
        CaseTask(views.VerifyView.as_view())
        .Annotation(title=_("Verify the content"))
        .Assign(case_handler)
        .Next(this.needs_dialogue)
    )

    needs_dialogue = flow.If(this.dialogue_needed).Then(this.dialogue).Else(this.draft_decision)

    dialogue = (
        CaseTask(views.DialogueView.as_view())
        .Annotation(title=_("Hold the dialogue"))
        .Assign(case_handler)
        .Next(this.draft_decision)
    )

    draft_decision = (
        CaseTask(views.DraftDecisionView.as_view())
        .Annotation(title=_("Draft the decision"))
        .Assign(case_handler)
        .Next(this.sign_decision)
    )

    sign_decision = (
        CaseTask(views.SignDecisionView.as_view())
        .Annotation(title=_("Sign the decision"))
        .Permission(unit_role(Role.HEAD))
        .Next(this.is_signed)
    )

    # The head signs, or sends the draft back to the handler with a comment (the status stays).
    is_signed = flow.If(this.case_decided).Then(this.close).Else(this.draft_decision)

    close = (
        CaseTask(views.CloseView.as_view())
        .Annotation(title=_("Close the case"))
        .Permission(unit_role(Role.HEAD))
        .Next(this.end)
    )

    not_accepted = flow.End()
    end = flow.End()

    def start_process(self, activation, case):
        activation.process.case = case
        return activation.process

    def case_accepted(self, activation):
        return _fresh_case(activation).status == Status.ACCEPTED

    def case_decided(self, activation):
        return _fresh_case(activation).status == Status.DECIDED

    def dialogue_needed(self, activation):
        """Always for a second-round complaint (LKN Art 39); for a first-round one when the findings differ (LKN Art 30)."""
        return not rules.dialogue_requirement_met(_fresh_case(activation))

    def has_view_permission(self, user, obj=None):
        """Any unit member sees the lists (filtered to their scope); a process only the units of its case."""
        if obj is None:
            return policy.is_staff_member(user)
        return Case.objects.filter(policy.case_q(user), process=obj.pk).exists()

    def has_manage_permission(self, user, obj=None):
        """Nobody: cancel, undo and revive would move a process with no legal record. The case
        services keep the process in step with the case instead (workflows.sync)."""
        return False


def start_case_process(case) -> CaseProcess:
    """Open the flow for a case: at classification for a fresh one (inside the intake
    transaction, so kept cheap), else at the task its status calls for."""
    if case_resume_status(case) == Status.RECEIVED:
        if connection.vendor == "postgresql":
            return _start_in_one_statement(case)
        return CaseFlow.start.run(case=case)
    return CaseFlow.start_mid_way.run(case=case)


def _start_in_one_statement(case) -> CaseProcess:
    """``CaseFlow.start.run(case=case)`` with its five inserts in one statement.

    The same rows as viewflow's start (a test compares them field by field): the process and its
    case link, the start task done, the next task (classification) new with its owner permission,
    and the link between the two tasks, and the same signals. The rows are built as viewflow builds
    them, through its own nodes (owner, permission); only the writing is one round trip instead of
    five ORM inserts, whose building and compiling cost more than PostgreSQL takes to run them.
    """
    flow_class = CaseFlow
    start_node, next_node = flow_class.start, flow_class.start._next
    process = flow_class.process_class(flow_class=flow_class)
    start = flow_class.task_class(flow_task=start_node, process=process, started=now())
    start.data = {}
    activation = start_node.activation_class(start)
    start_node.flow_class.instance.start_process(activation, case)  # process.case = case
    task_started.send(sender=flow_class, process=process, task=start)
    start.status = STATUS.DONE
    start.finished = now()
    start.flow_task_type = start_node.task_type

    task = flow_class.task_class(process=process, flow_task=next_node, token=start.token)
    task.data = {}
    following = next_node.activation_class(task)
    permission = next_node.calc_owner_permission(following)
    if permission:
        task.owner_permission = permission
        task.owner_permission_obj = next_node.calc_owner_permission_obj(following)
    owner = next_node.calc_owner(following)
    if owner:
        task.owner = owner
        task.status = STATUS.ASSIGNED
    task.flow_task_type = next_node.task_type

    process_columns, task_columns, text = _start_sql()
    params = [*process_columns.values(process), case.pk, *task_columns.values(start), *task_columns.values(task)]
    with prepared_cursor() as cursor:
        cursor.execute(text, params)
        process_pk, start_pk, task_pk = cursor.fetchone()
    for instance, pk in ((process, process_pk), (start, start_pk), (task, task_pk)):
        mark_saved(instance, pk)
    process.id = process_pk
    start.process = task.process = process
    task_finished.send(sender=flow_class, process=process, task=start)
    flow_started.send(sender=flow_class, process=process, task=start)
    if next_node._on_create is not None:
        next_node._on_create(following)
    return process


@functools.cache
def _start_sql() -> tuple[InsertColumns, InsertColumns, str]:
    """The process's and the tasks' columns, and the statement that writes them with the case link and the
    tasks' link (found once)."""
    from viewflow.workflow.models import Process, Task

    process, tasks = insert_columns(Process), insert_columns(Task, without="process")
    task_marks = tasks.marks[:-1] + ", (SELECT id FROM p))"
    link = CaseProcess._meta.get_field("case").column
    previous = Task.previous.through._meta
    text = (
        f"WITH p AS (INSERT INTO {process.table} ({process.names}) VALUES {process.marks} RETURNING id), "
        f"cp AS (INSERT INTO {CaseProcess._meta.db_table} (process_ptr_id, {link}) SELECT id, %s FROM p), "
        # one INSERT of both tasks: the start task takes the lower id, as when viewflow saves it first
        f"t AS (INSERT INTO {tasks.table} ({tasks.names}, process_id) "
        f"VALUES {task_marks}, {task_marks} RETURNING id), "
        f"l AS (INSERT INTO {previous.db_table} (from_task_id, to_task_id) SELECT MAX(id), MIN(id) FROM t) "
        f"SELECT (SELECT id FROM p), (SELECT MIN(id) FROM t), (SELECT MAX(id) FROM t)"
    )
    return process, tasks, text
