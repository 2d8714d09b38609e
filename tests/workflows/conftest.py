import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from cases.models import CaseEvent
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs  # noqa: F401 (re-exported to the tests)

RECEIVED = dt.date(2026, 7, 6)


@pytest.fixture
def world(db):
    reverse("workflow:inbox")  # build the viewflow URLconf so flow tasks can reverse their URLs
    return World()


def open_task(process, node):
    return process.task_set.get(flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED])


def open_nodes(process):
    return {task.flow_task.name for task in process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])}


def trail(case):
    """The case's acts in order (SLA alerts recorded alongside them are left out)."""
    events = CaseEvent.objects.filter(case=case).exclude(action__startswith="sla_").order_by("at", "pk")
    return list(events.values_list("action", "to_status"))


class TaskDriver:
    """Completes the flow's tasks through the HTTP views, as the users would."""

    def __init__(self, client, outsider):
        self.client = client
        self.outsider = outsider

    def url(self, task, name):
        return task.flow_task.reverse(name, args=[task.process_id, task.pk])

    def assert_out_of_reach(self, task):
        """A user of another unit, in a browser of their own, neither sees the task nor can take or run it."""
        outsider = Client()
        outsider.force_login(self.outsider)
        for name in ("assign", "execute", "detail"):
            assert outsider.get(self.url(task, name)).status_code in (403, 404), name
        assert outsider.post(self.url(task, "assign")).status_code in (403, 404)
        assert outsider.get(reverse("workflow:process_detail", args=[task.process_id])).status_code == 403
        for listing in ("workflow:queue", "workflow:inbox"):
            assert self.url(task, "index") not in outsider.get(reverse(listing)).content.decode()
        task.refresh_from_db()
        assert task.owner_id is None or task.owner != self.outsider

    def complete(self, process, node, user, data=None, expect=302):
        task = open_task(process, node)
        self.assert_out_of_reach(task)
        self.client.force_login(user)
        if task.status == STATUS.NEW:
            assert self.url(task, "index") in self.client.get(reverse("workflow:queue")).content.decode()
            assert self.client.post(self.url(task, "assign")).status_code == 302
        task.refresh_from_db()
        assert task.owner == user
        assert self.url(task, "index") in self.client.get(reverse("workflow:inbox")).content.decode()
        assert self.client.get(self.url(task, "execute")).status_code == 200
        response = self.client.post(self.url(task, "execute"), data or {})
        assert response.status_code == expect, response.content.decode()[:2000]
        task.refresh_from_db()
        return response


@pytest.fixture
def driver(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are asserted in English
    return TaskDriver(client, world.outsider)


def classify_data(case):
    return {"kind": case.kind, "competent_unit": case.competent_unit_id, "complexity": case.complexity}



_travellers = []


@pytest.fixture(autouse=True)
def back_from_the_dialogue_day():
    """``hold_dialogue`` leaves the clock on the dialogue's day for the rest of the test; this brings it back."""
    yield
    while _travellers:
        _travellers.pop().stop()


def hold_dialogue(driver, process, handler, *, minutes="Biên bản đối thoại.", attendance="Nguyễn Văn A"):
    """The dialogue task in its two steps: the invitation (at least 5 days ahead, K10; the task stays open),
    then, on the day, the minutes (the task completes). The clock stays on the dialogue's day (ticking)
    until the test ends."""
    from workflows.flows import CaseFlow

    day = timezone.localdate() + dt.timedelta(days=6)
    driver.complete(process, CaseFlow.dialogue, handler, {
        "scheduled_at": f"{day.isoformat()}T09:00", "place": "Trụ sở UBND xã A",
        "participants": "Nguyễn Văn A (người khiếu nại)\nChủ tịch UBND xã A (người bị khiếu nại)",
    })
    assert open_nodes(process) == {"dialogue"}  # invited: the same task waits for the day
    traveller = time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(15))), tick=True)
    traveller.start()
    _travellers.append(traveller)
    driver.complete(process, CaseFlow.dialogue, handler, {"result": "held", "minutes": minutes,
                                                          "attendance": attendance})


def page_queries(client, url):
    """The queries of a list page seen again: the first visit also stores the list's path in the
    session (viewflow's "back" link), which later visits of the same list do not repeat."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()
