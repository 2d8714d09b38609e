"""Acts taken outside a task page (API, admin, commands, the case page) leave the process in step."""
import ast
import datetime as dt
import pathlib

import pytest
from django.urls import reverse
from viewflow.workflow.status import PROCESS, STATUS

from cases import services
from cases.models import Case, CaseEvent, Status
from tests.factories import aware

from .conftest import RECEIVED, complaint_kwargs, denunciation_kwargs, open_nodes

pytestmark = pytest.mark.django_db

DAY = aware(RECEIVED)


def intake(kwargs):
    return Case.objects.get(pk=services.case_intake(**{**kwargs, "start_process": True}).case.pk)


def test_direct_service_calls_open_the_task_the_new_status_calls_for(world):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    assert open_nodes(case.process) == {"classify"}
    services.case_accept(case=case, actor=world.head, now=DAY)
    assert open_nodes(case.process) == {"assign_handler"}
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=DAY)
    assert open_nodes(case.process) == {"verify"}
    verify = case.process.task_set.get(flow_task_type="HUMAN", status=STATUS.ASSIGNED)
    assert verify.owner == world.handler  # the handler's task lands in the handler's inbox
    services.case_start_verification(case=case, actor=world.handler, now=DAY)
    assert open_nodes(case.process) == {"verify"}  # still the same step
    services.case_record_verification(case=case, actor=world.handler, findings="Đúng một phần.",
                                      findings_differ=True, now=DAY)
    services.case_schedule_dialogue(case=case, actor=world.handler, scheduled_at=DAY + dt.timedelta(days=5),
                                    place="UBND xã A", participants="Nguyễn Văn A", now=DAY)
    assert open_nodes(case.process) == {"dialogue"}  # the verification task gave way to the dialogue
    services.case_suspend(case=case, actor=world.head, ground="objective_obstacle", now=DAY)
    assert not open_nodes(case.process)
    case.process.refresh_from_db()
    assert case.process.finished is None  # parked, not ended
    services.case_resume(case=case, actor=world.head, ground="obstacle_ended", now=DAY)
    assert open_nodes(case.process) == {"dialogue"}  # picked up where it stopped
    services.case_record_dialogue(case=case, actor=world.handler, minutes="Đã đối thoại.", attendance="Nguyễn Văn A",
                                  now=DAY + dt.timedelta(days=5))
    services.case_decide(case=case, actor=world.head, decision_number="1/QĐ", summary="Giữ nguyên.", now=DAY)
    assert open_nodes(case.process) == {"close"}
    services.case_close(case=case, actor=world.head, now=DAY)
    case.process.refresh_from_db()
    assert case.process.status == PROCESS.DONE and case.process.finished and not open_nodes(case.process)


@pytest.mark.parametrize("act", ["refuse", "forward", "guide", "archive", "withdraw"])
def test_a_final_act_outside_the_flow_ends_the_process(world, act):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    {
        "refuse": lambda: services.case_refuse(case=case, actor=world.head, ground="in_court", now=DAY),
        "forward": lambda: services.case_forward(case=case, actor=world.reception, to_body="Sở Xây dựng", now=DAY),
        "guide": lambda: services.case_guide(case=case, actor=world.reception, instructions="Gửi Tòa án.", now=DAY),
        "archive": lambda: services.case_archive(case=case, actor=world.reception, reason="Trùng.", now=DAY),
        "withdraw": lambda: services.case_withdraw(case=case, actor=world.reception, reason="Đã hòa giải.", now=DAY),
    }[act]()
    process = case.process
    process.refresh_from_db()
    assert not open_nodes(process) and process.finished is not None
    assert process.status == (PROCESS.CANCELED if act == "withdraw" else PROCESS.DONE)


def test_an_appeal_ends_the_first_process_and_starts_the_second(world):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    services.case_accept(case=case, actor=world.head, now=DAY)
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=DAY)
    services.case_start_verification(case=case, actor=world.handler, now=DAY)
    services.case_decide(case=case, actor=world.head, decision_number="2/QĐ", summary="Bác.", now=DAY)
    second = services.case_appeal(case=case, actor=world.province_reception, received_at=DAY,
                                  competent_unit=world.province, now=DAY)
    case.process.refresh_from_db()
    assert case.process.finished is not None and not open_nodes(case.process)
    assert open_nodes(Case.objects.get(pk=second.pk).process) == {"classify"}


def test_each_event_records_old_and_new_status_due_dates_and_flags(world):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    intake_event = CaseEvent.objects.get(case=case, action="intake")
    assert intake_event.payload["changes"]["status"] == [None, "received"]
    assert intake_event.payload["changes"]["acceptance_due"][1] == case.acceptance_due.isoformat()
    services.case_accept(case=case, actor=world.head, now=DAY)
    case.refresh_from_db()
    changes = CaseEvent.objects.get(case=case, action="accept").payload["changes"]
    assert changes["status"] == ["received", "accepted"]
    assert changes["resolution_due"] == [None, case.resolution_due.isoformat()]
    assert changes["accepted_on"] == [None, RECEIVED.isoformat()]
    services.case_classify(case=intake(denunciation_kwargs(world, received=RECEIVED)), actor=world.reception,
                           kind="feedback", now=DAY)
    reclassified = CaseEvent.objects.filter(action="classify").latest("pk").payload["changes"]
    assert reclassified["kind"] == ["denunciation", "feedback"]
    assert "identity_protected" not in reclassified  # it stays on: nothing changed


def test_a_case_without_a_process_is_left_alone(world):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case  # start_process=False
    services.case_accept(case=case, actor=world.head, now=DAY)
    assert not hasattr(Case.objects.get(pk=case.pk), "process") or Case.objects.get(pk=case.pk).process is None


def test_cases_knows_nothing_of_workflows_or_notifications():
    """The event spine runs one way: cases publishes, the others subscribe."""
    root = pathlib.Path(__file__).resolve().parents[2] / "cases"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "management" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("workflows", "notifications")]
    assert offenders == []


def test_viewflow_generic_cancel_undo_and_revive_are_not_offered(world, client):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    task = case.process.task_set.get(flow_task_type="HUMAN", status=STATUS.NEW)
    for user in (world.head, world.province_head, world.reception):
        client.force_login(user)
        assert client.post(reverse("workflow:process_cancel", args=[case.process.pk]),
                           {"_cancel_process": "1"}).status_code == 403
        for action in ("cancel", "undo", "revive"):
            url = task.flow_task.reverse(action, args=[case.process.pk, task.pk])
            assert client.post(url).status_code in (403, 404), (user, action)
    case.process.refresh_from_db()
    assert case.process.finished is None and open_nodes(case.process) == {"classify"}
    assert Case.objects.get(pk=case.pk).status == Status.RECEIVED


def test_reassigning_moves_the_handlers_open_step_to_the_new_handler(world, client):
    from organisation.models import Role
    from tests.factories import member

    other = member(world.commune, Role.HANDLER, "canbo-2")
    case = intake(complaint_kwargs(world, received=RECEIVED))
    services.case_accept(case=case, actor=world.head, now=DAY)
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=DAY)
    client.force_login(world.head)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("workflow:case_assign", args=[case.pk]) in page  # the head's button on the case page
    response = client.post(reverse("workflow:case_assign", args=[case.pk]), {"handler": other.pk})
    assert response.status_code == 302
    verify = case.process.task_set.get(flow_task_type="HUMAN", status=STATUS.ASSIGNED)
    assert verify.flow_task.name == "verify" and verify.owner == other
    client.force_login(world.handler)  # the former handler no longer has it
    assert client.post(reverse("workflow:case_assign", args=[case.pk]), {"handler": world.handler.pk}).status_code == 403
    assert list(CaseEvent.objects.filter(case=case, action="assign").values_list("payload__handler", flat=True)) == [
        world.handler.pk, other.pk]


def test_a_classification_records_every_column_it_changed(world):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_classify(case=case, actor=world.reception, respondent_number="124/QĐ-UBND",
                           complexity="complex", complexity_grounds="Nhiều nơi, nhiều người.", now=DAY)
    changes = CaseEvent.objects.get(case=case, action="classify").payload["changes"]
    assert changes["respondent_number"] == ["123/QĐ-UBND", "124/QĐ-UBND"]
    assert changes["complexity"] == ["simple", "complex"]
    assert changes["complexity_grounds"] == ["", "Nhiều nơi, nhiều người."]
