"""Concurrent requests get 409s, never 500s (real threads on PostgreSQL)."""
import threading

import pytest
from django.db import connections
from django.test import Client
from viewflow.workflow.status import STATUS

from cases import services
from cases.errors import Conflict
from cases.models import Case, CaseEvent

from .conftest import RECEIVED, classify_data, complaint_kwargs, denunciation_kwargs, open_nodes
from tests.factories import aware

DAY = aware(RECEIVED)


def run_in_threads(target, n):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def worker(i):
        try:
            barrier.wait(10)
            outcome = target(i)
        except Exception as exc:  # collected and asserted on by the caller
            outcome = exc
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_refused_extensions_are_all_conflicts(world):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=DAY)
    for _ in range(3):  # use up every extension the law allows
        try:
            services.case_extend(case=Case.objects.get(pk=case.pk), actor=world.head, grounds="Phức tạp.", now=DAY)
        except Conflict:
            break

    def extend(_i):
        try:
            services.case_extend(case=Case.objects.get(pk=case.pk), actor=world.head, grounds="Thêm.", now=DAY)
        except Conflict:
            return "conflict"
        return "extended"

    results = run_in_threads(extend, 40)
    assert results == ["conflict"] * 40, [r for r in results if r != "conflict"][:3]


def test_refreshing_a_case_lifts_the_status_protection_only_in_its_own_thread(world, monkeypatch):
    """django-fsm-2 flipped ``protected`` on the field object every thread shares."""
    from django.db import models

    field = Case._meta.get_field("status")
    inside, release = threading.Event(), threading.Event()

    def slow_refresh(self, *args, **kwargs):  # stands for the read, with the protection lifted around it
        inside.set()
        release.wait(10)

    monkeypatch.setattr(models.Model, "refresh_from_db", slow_refresh)
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    seen = {}
    refresher = threading.Thread(target=lambda: case.refresh_from_db())
    refresher.start()
    assert inside.wait(10)
    seen["other thread"] = field.protected  # while the refresh above has lifted it
    release.set()
    refresher.join(10)
    assert seen == {"other thread": True} and field.protected is True
    with pytest.raises(AttributeError):
        case.status = "closed"


@pytest.mark.django_db(transaction=True)
def test_the_loser_of_a_double_execute_gets_409(world):
    case = Case.objects.get(pk=services.case_intake(**complaint_kwargs(
        world, received=RECEIVED, start_process=True)).case.pk)
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    owner = Client()
    owner.force_login(world.reception)
    assert owner.post(task.flow_task.reverse("assign", args=[case.process.pk, task.pk])).status_code == 302
    url = task.flow_task.reverse("execute", args=[case.process.pk, task.pk])
    data = classify_data(case)

    def execute(_i):
        client = Client()
        client.force_login(world.reception)
        return client.post(url, data).status_code

    assert sorted(run_in_threads(execute, 2)) == [302, 409]
    assert CaseEvent.objects.filter(case=case, action="classify").count() == 1
    assert open_nodes(case.process) == {"decide_acceptance"}


@pytest.mark.django_db(transaction=True)
def test_a_direct_act_and_a_task_page_on_the_same_case_never_deadlock(world):
    """The act takes the process lock first, as the task page does."""
    case = Case.objects.get(pk=services.case_intake(**complaint_kwargs(
        world, received=RECEIVED, start_process=True)).case.pk)
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    owner = Client()
    owner.force_login(world.reception)
    owner.post(task.flow_task.reverse("assign", args=[case.process.pk, task.pk]))
    url = task.flow_task.reverse("execute", args=[case.process.pk, task.pk])

    def act(i):
        if i == 0:
            client = Client()
            client.force_login(world.reception)
            return client.post(url, classify_data(case)).status_code
        try:
            services.case_archive(case=Case.objects.get(pk=case.pk), actor=world.reception, reason="Trùng.", now=DAY)
        except Conflict:
            return "conflict"
        return "archived"

    results = run_in_threads(act, 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not [r for r in results if r == 500], results
