"""Intake's process start in one statement (``workflows.flows._start_in_one_statement``) writes what viewflow's
own start (``CaseFlow.start.run``) writes, field by field, and the process it makes works as any other."""
import pytest
from django.db import connection, transaction
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from cases import services
from cases.models import Case
from workflows.flows import CaseFlow, start_case_process
from workflows.models import CaseProcess

from .conftest import classify_data, complaint_kwargs, open_nodes, open_task

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement start is PostgreSQL's"),
]

TIMES = {"created", "started", "finished", "assigned", "scheduled"}


def _rows(process_pk):
    """The process, its case link and its tasks (in id order) as stored, ids and times replaced by their shape."""
    process = Process.objects.filter(pk=process_pk).values().get()
    tasks = list(Task.objects.filter(process_id=process_pk).order_by("pk").values())
    links = list(Task.previous.through.objects.filter(from_task__process_id=process_pk)
                 .values_list("from_task_id", "to_task_id"))
    order = {task["id"]: n for n, task in enumerate(tasks)}

    def shape(row):
        return {key: (value is not None if key in TIMES else value) for key, value in row.items()
                if key not in ("id", "process_id")}

    times = [[task[name] for name in ("created", "started", "finished")] for task in tasks]
    return {
        "process": shape(process),
        "case_process": CaseProcess.objects.filter(pk=process_pk).values_list("case_id", flat=True).get(),
        "tasks": [shape(task) for task in tasks],
        "links": [(order[a], order[b]) for a, b in links],
        "times": [[t is not None and t >= process["created"] for t in row] for row in times],
    }


def test_the_same_rows_as_viewflows_start(world):
    ours = services.case_intake(**complaint_kwargs(world, start_process=False)).case
    theirs = services.case_intake(**complaint_kwargs(world, start_process=False, respondent_number="2/QĐ")).case
    with transaction.atomic():
        mine = start_case_process(Case.objects.get(pk=ours.pk))
    with transaction.atomic():
        viewflows = CaseFlow.start.run(case=Case.objects.get(pk=theirs.pk))
    got, expected = _rows(mine.pk), _rows(viewflows.pk)
    assert got["case_process"] == ours.pk and expected["case_process"] == theirs.pk
    got.pop("case_process"), expected.pop("case_process")
    assert got == expected
    assert [task["flow_task"] for task in expected["tasks"]] == [CaseFlow.start, CaseFlow.classify]
    assert expected["tasks"][1]["owner_permission"]  # the reception of the receiving unit
    assert expected["links"] == [(1, 0)]  # classification follows the start

    # the returned objects as viewflow's are: saved, linked to the case, their ids those stored
    assert isinstance(mine, CaseProcess) and not mine._state.adding
    assert mine.case_id == ours.pk and mine.status == PROCESS.NEW
    assert CaseProcess.objects.get(case_id=ours.pk).pk == mine.pk


def test_a_process_started_in_one_statement_runs_its_tasks(world, driver):
    case = services.case_intake(**complaint_kwargs(world, start_process=True)).case
    case = Case.objects.get(pk=case.pk)
    process = case.process
    assert open_nodes(process) == {"classify"}
    task = open_task(process, CaseFlow.classify)
    assert task.status == STATUS.NEW and task.previous.get().flow_task == CaseFlow.start
    driver.complete(process, CaseFlow.classify, world.reception, classify_data(case))
    assert open_nodes(process) == {"decide_acceptance"}
