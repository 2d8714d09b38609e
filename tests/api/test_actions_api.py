"""Acts through the API: the same forms and services as the pages; 403/409 with a message; the workflow follows."""
import pytest
from viewflow.workflow.status import STATUS

from cases.models import Case, CaseEvent, Status
from tests.api.conftest import api_as

pytestmark = pytest.mark.django_db


def open_tasks(case):
    return sorted(task.flow_task.name for task in case.process.task_set.filter(
        status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN"))


def post(user, case, name, body=None):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/actions/{name}/", body or {}, format="json")


def test_the_actions_list_is_the_policys(world, complaint):
    head = api_as(world.head).get(f"/api/v1/cases/{complaint.pk}/actions/").json()
    names = {row["name"] for row in head}
    assert "accept" in names and "refuse" in names
    handler = {row["name"] for row in api_as(world.handler).get(f"/api/v1/cases/{complaint.pk}/actions/").json()}
    assert "accept" not in handler


def test_accept_back_dated_then_the_workflow_is_in_step(world, complaint):
    response = post(world.head, complaint, "accept", {"accepted_on": "2026-07-07", "version": complaint.version})
    assert response.status_code == 200, response.content
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED and str(complaint.accepted_on) == "2026-07-07"
    assert any(d["name"] == "resolution" for d in response.json()["deadlines"])
    # the process moved on: the acceptance task is gone, the head's next task (assign a handler) is open
    assert open_tasks(complaint) == ["assign_handler"]
    inbox = api_as(world.head).get("/api/v1/tasks/").json()
    assert any(t["case"] == complaint.pk and t["name"] == "assign_handler" for t in inbox)
    # and again: the state no longer allows it
    again = post(world.head, complaint, "accept")
    assert again.status_code == 409 and again.json()["detail"]


@pytest.mark.parametrize("day", ["2026-07-05", "2026-07-09"])  # before receipt; in the future
def test_accept_on_an_impossible_day_is_a_400(world, complaint, day):
    response = post(world.head, complaint, "accept", {"accepted_on": day})
    assert response.status_code == 400 and response.json()["field"] == "accepted_on"
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_no_permission_is_a_403_and_a_stale_version_a_409(world, complaint):
    refused = post(world.handler, complaint, "accept")
    assert refused.status_code == 403 and refused.json()["detail"]
    stale = post(world.head, complaint, "accept", {"version": complaint.version + 5})
    assert stale.status_code == 409
    assert post(world.head, complaint, "no_such_act").status_code == 404
    assert not CaseEvent.objects.filter(case=complaint, action="accept").exists()


def test_the_form_validates_the_body(world, complaint):
    response = post(world.head, complaint, "refuse", {"ground": "not-a-ground"})
    assert response.status_code == 400 and "ground" in response.json()["errors"]


def test_suspend_resume_and_extend_go_through_the_services(world, denunciation):
    assert post(world.head, denunciation, "accept").status_code == 200
    suspended = post(world.head, denunciation, "suspend", {"ground": "await_expert", "decision_number": "1/QĐ"})
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    denunciation.refresh_from_db()
    assert open_tasks(denunciation) == []  # a suspended case keeps its process with no task
    resumed = post(world.head, denunciation, "resume", {"ground": "result_received"})
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["status"] == "accepted"
    # a simple denunciation allows no extension: the state allows it, the law does not (409 with the reason)
    extended = post(world.head, denunciation, "extend", {"days": 10, "grounds": "Cần xác minh thêm."})
    assert extended.status_code in (400, 409) and extended.json()["detail"]


def test_withdraw_ends_the_case_and_its_process(world, complaint):
    response = post(world.reception, complaint, "withdraw", {"reason": "Người khiếu nại rút đơn."})
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=complaint.pk)
    assert case.status == Status.WITHDRAWN
    assert open_tasks(case) == []
