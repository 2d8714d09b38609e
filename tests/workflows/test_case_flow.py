"""Cases travel from intake to closure through the viewflow tasks, driven over HTTP by the right users."""
import pytest
from django.db import transaction
from django.urls import reverse
from viewflow.workflow.status import PROCESS, STATUS

from cases import services
from cases.errors import Conflict
from cases.models import Case, CaseEvent, Status
from organisation.models import Role
from tests.factories import aware, member
from workflows.flows import CaseFlow

from .conftest import (
    RECEIVED,
    classify_data,
    complaint_kwargs,
    denunciation_kwargs,
    hold_dialogue,
    open_nodes,
    open_task,
    trail,
)

pytestmark = pytest.mark.django_db

DECISION = {"decision_number": "15/QĐ-UBND", "summary": "Giữ nguyên quyết định thu hồi đất.", "outcome": "rejected"}
# A denunciation is concluded: the conclusion's number, its summary and the handling measures (LTC Art 35).
CONCLUSION = {"conclusion_number": "15/KL-UBND", "summary": "Tố cáo đúng một phần.",
              "measures": "Kiểm điểm cán bộ địa chính; thu hồi số tiền đã nhận."}


UP_TO_VERIFICATION = [
    ("intake", "received"),
    ("classify", "received"),
    ("accept", "accepted"),
    ("assign", "accepted"),
    ("start_verification", "in_verification"),
]


def through_verification(driver, case, *, reception, head, handler, findings):
    """Classify, accept, assign and verify, each task done by its own user."""
    driver.complete(case.process, CaseFlow.classify, reception, classify_data(case))
    driver.complete(case.process, CaseFlow.decide_acceptance, head, {"decision": "accept"})
    driver.complete(case.process, CaseFlow.assign_handler, head, {"handler": handler.pk})
    # the handler's task is in the handler's inbox straight away
    assert open_task(case.process, CaseFlow.verify).owner == handler
    driver.complete(case.process, CaseFlow.verify, handler, findings)


def intake(kwargs):
    case = services.case_intake(**{**kwargs, "start_process": True}).case
    return Case.objects.get(pk=case.pk)


def finish_process(process):
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert process.finished is not None
    assert not open_nodes(process)


def test_first_round_complaint_with_differing_findings_goes_through_dialogue_to_closure(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    process = case.process
    assert open_nodes(process) == {"classify"}

    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Quyết định đúng một phần.", "findings_differ": "on"},
    )
    assert open_nodes(process) == {"dialogue"}
    hold_dialogue(driver, process, world.handler)
    driver.complete(process, CaseFlow.draft_decision, world.handler, DECISION)
    # the head signs the handler's draft (the form is prefilled from it)
    sign = open_task(process, CaseFlow.sign_decision)
    driver.client.force_login(world.head)
    driver.client.post(sign.flow_task.reverse("assign", args=[process.pk, sign.pk]))
    page = driver.client.get(sign.flow_task.reverse("execute", args=[process.pk, sign.pk])).content.decode()
    assert DECISION["decision_number"] in page
    driver.complete(process, CaseFlow.sign_decision, world.head, DECISION)
    driver.complete(process, CaseFlow.close, world.head)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.handler == world.handler and case.dialogue_held
    assert case.dialogues.get().state == "held"
    assert trail(case) == [
        *UP_TO_VERIFICATION,
        ("record_verification", "in_verification"),
        ("schedule_dialogue", "in_dialogue"),
        ("record_dialogue", "in_dialogue"),
        ("record_draft", "in_dialogue"),
        ("decide", "decided"),
        ("close", "closed"),
    ]
    actors = dict(CaseEvent.objects.filter(case=case).values_list("action", "actor__username"))
    assert actors["classify"] == "tiepdan" and actors["accept"] == "lanhdao"
    assert actors["start_verification"] == actors["record_dialogue"] == "canbo"
    assert actors["decide"] == actors["close"] == "lanhdao"
    assert CaseEvent.objects.get(case=case, action="decide").payload["decision_number"] == DECISION["decision_number"]
    finish_process(process)


def test_denunciation_goes_to_closure_without_a_dialogue(world, driver):
    case = intake(denunciation_kwargs(world, received=RECEIVED))
    process = case.process

    # a denunciation has no dialogue, whatever the handler ticks
    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Có căn cứ.", "findings_differ": "on"},
    )
    assert open_nodes(process) == {"draft_decision"}
    driver.complete(process, CaseFlow.draft_decision, world.handler, CONCLUSION)
    driver.complete(process, CaseFlow.sign_decision, world.head, CONCLUSION)
    conclusion = CaseEvent.objects.get(case=case, action="decide").payload
    assert (conclusion["conclusion_number"], conclusion["measures"]) == (CONCLUSION["conclusion_number"],
                                                                         CONCLUSION["measures"])
    driver.complete(process, CaseFlow.close, world.head)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert trail(case) == [
        *UP_TO_VERIFICATION,
        ("record_verification", "in_verification"),
        ("record_draft", "in_verification"),
        ("decide", "decided"),
        ("close", "closed"),
    ]
    finish_process(process)


def test_refusal_at_acceptance_ends_the_flow(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "refuse", "ground": "in_court",
                                                                               "reason": "Đang được Tòa án thụ lý."})
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCEPTED and case.status_reason == "Đang được Tòa án thụ lý."
    assert case.refusal_ground == "in_court"
    assert trail(case)[-1] == ("refuse", "not_accepted")
    finish_process(case.process)


def test_service_refusal_is_a_form_error_and_the_task_stays_open(world, driver):
    """An anonymous complaint cannot be accepted: the head sees why (409), nothing moves."""
    case = intake(complaint_kwargs(world, received=RECEIVED, is_anonymous=True, petitioners=[]))
    driver.complete(case.process, CaseFlow.classify, world.reception, classify_data(case))
    response = driver.complete(case.process, CaseFlow.decide_acceptance, world.head, {"decision": "accept"}, expect=409)
    assert "anonymous" in response.content.decode()
    assert open_task(case.process, CaseFlow.decide_acceptance).status == STATUS.ASSIGNED
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert [action for action, _ in trail(case)] == ["intake", "classify"]


def test_second_round_complaint_cannot_be_decided_without_a_dialogue(world, driver):
    first = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    now = aware(RECEIVED.replace(day=8))
    services.case_accept(case=first, actor=world.head, now=now)
    services.case_assign(case=first, actor=world.head, handler=world.handler, now=now)
    services.case_start_verification(case=first, actor=world.handler, now=now)
    services.case_decide(case=first, actor=world.head, now=now, **DECISION)
    second = services.case_appeal(
        case=first, actor=world.province_reception, received_at=aware(RECEIVED.replace(day=20)),
        competent_unit=world.province, now=aware(RECEIVED.replace(day=20), 10),
    )
    second = Case.objects.get(pk=second.pk)
    assert second.round == 2
    process = second.process
    province_handler = member(world.province, Role.HANDLER, "canbo-tinh")

    # the findings agree with the demands, yet the law requires the dialogue (LKN Art 39)
    through_verification(
        driver, second, reception=world.province_reception, head=world.province_head, handler=province_handler,
        findings={"findings": "Như kết luận lần đầu."},
    )
    assert open_nodes(process) == {"dialogue"}

    second.refresh_from_db()
    events_before = CaseEvent.objects.filter(case=second).count()
    with pytest.raises(Conflict, match="dialogue"):
        with transaction.atomic():
            services.case_decide(case=second, actor=world.province_head, **DECISION)
    second.refresh_from_db()
    assert second.status == Status.IN_VERIFICATION
    assert CaseEvent.objects.filter(case=second).count() == events_before

    hold_dialogue(driver, process, province_handler, minutes="Đối thoại lần hai.")
    driver.complete(process, CaseFlow.draft_decision, province_handler, DECISION)
    driver.complete(process, CaseFlow.sign_decision, world.province_head, DECISION)
    second.refresh_from_db()
    assert second.status == Status.DECIDED and second.dialogue_held


def test_suspended_case_refuses_to_complete_its_task_until_resumed(world, driver, client):
    case = intake(denunciation_kwargs(world, received=RECEIVED))
    process = case.process
    through_verification(
        driver, case, reception=world.reception, head=world.head, handler=world.handler,
        findings={"findings": "Cần giám định."},
    )

    # the handler may not suspend; the head may
    client.force_login(world.handler)
    suspend = reverse("workflow:case_suspend", args=[case.pk])
    assert client.post(suspend, {"ground": "await_expert", "grounds": "Chờ giám định."}).status_code == 403
    client.force_login(world.head)
    assert client.post(suspend, {"grounds": "Chờ giám định."}).status_code == 400  # no legal ground chosen
    assert client.post(suspend, {"ground": "force_majeure"}).status_code == 400  # not a ground for a denunciation
    assert client.post(suspend, {"ground": "await_expert", "grounds": "Chờ giám định."}).status_code == 302
    assert client.post(suspend, {"ground": "await_expert", "grounds": "Lần nữa."}).status_code == 409
    case.refresh_from_db()
    assert case.status == Status.SUSPENDED

    # The suspension parks the work: the handler's open task is closed, and its page says so.
    parked = process.task_set.get(flow_task=CaseFlow.draft_decision)
    assert parked.status == STATUS.CANCELED and not open_nodes(process)
    client.force_login(world.handler)
    response = client.post(driver.url(parked, "execute"), CONCLUSION)
    assert response.status_code == 409 and "no longer open" in response.content.decode()

    client.force_login(world.head)
    assert client.post(reverse("workflow:case_resume", args=[case.pk]), {"ground": "result_received"}).status_code == 302
    assert open_nodes(process) == {"draft_decision"}  # picked up where it stopped
    driver.complete(process, CaseFlow.draft_decision, world.handler, CONCLUSION)
    assert open_nodes(process) == {"sign_decision"}
    assert [a for a, _ in trail(case)][-3:] == ["suspend", "resume", "record_draft"]


def test_full_withdrawal_cancels_the_open_tasks(world, client):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    client.force_login(world.reception)
    response = client.post(reverse("workflow:case_withdraw", args=[case.pk]), {"reason": "Đã tự hòa giải."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    case.process.refresh_from_db()
    assert case.process.status == PROCESS.CANCELED
    assert not open_nodes(case.process)


def test_a_case_brought_in_mid_way_picks_up_at_the_task_its_status_calls_for(world, driver):
    """Migrated or demo cases: the process starts where the case stands, not at classification."""
    from workflows.flows import start_case_process

    day = aware(RECEIVED)

    def fresh(**kw):
        return services.case_intake(**complaint_kwargs(world, start_process=False, **kw)).case

    accepted = services.case_accept(case=fresh(), actor=world.head, now=day)
    verifying = fresh(respondent_number="2/QĐ")
    services.case_accept(case=verifying, actor=world.head, now=day)
    services.case_assign(case=verifying, actor=world.head, handler=world.handler, now=day)
    services.case_start_verification(case=verifying, actor=world.handler, now=day)
    closed = fresh(respondent_number="3/QĐ")
    services.case_refuse(case=closed, actor=world.head, ground="in_court", now=day)

    assert open_nodes(start_case_process(Case.objects.get(pk=accepted.pk))) == {"assign_handler"}
    process = start_case_process(Case.objects.get(pk=verifying.pk))
    assert open_nodes(process) == {"verify"} and open_task(process, CaseFlow.verify).owner == world.handler
    finish_process(start_case_process(Case.objects.get(pk=closed.pk)))

    driver.complete(process, CaseFlow.verify, world.handler, {"findings": "Đúng một phần."})
    assert open_nodes(process) == {"draft_decision"}


def test_a_denunciation_task_page_logs_the_look_and_hides_the_denouncer_from_others(world, driver, client):
    from cases.models import IdentityAccess

    def task_page(user, case):
        task = open_task(case.process, CaseFlow.classify)
        client.force_login(user)
        assert client.post(driver.url(task, "assign")).status_code == 302
        return client.get(driver.url(task, "execute")).content.decode()

    text = "Tôi là Nguyễn Văn A, tố cáo cán bộ X."
    first = intake(denunciation_kwargs(world, received=RECEIVED, content=text))
    assert "Nguyễn Văn A" in task_page(world.reception, first)
    # the text and the people are each one logged look, as on the case page
    looks = IdentityAccess.objects.filter(case=first)
    assert {(look.user, look.granted, look.purpose) for look in looks} == {(world.reception, True, "task:classify")}
    assert looks.count() == 2

    # The province's reception desk may take the ward's classification (a role counts in the units
    # below), but is no officer the law names for this denunciation.
    above = world.province_reception
    second = intake(denunciation_kwargs(world, received=RECEIVED, content=text, accused="Cán bộ Y"))
    page = task_page(above, second)
    assert "Nguyễn Văn A" not in page and "tố cáo cán bộ X" in page
    assert IdentityAccess.objects.filter(case=second, user=above, granted=False).exists()


def test_a_refused_act_answers_403_with_the_reason(world, client, settings):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    client.force_login(world.handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("workflow:case_suspend", args=[case.pk]), {"ground": "records_held"})
    assert response.status_code == 403
    assert "you are not allowed to suspend in this case" in response.content.decode()
