"""The head sends the handler's draft back with a comment once, then signs the new draft."""
import pytest

from cases import services
from cases.models import Status
from workflows.flows import CaseFlow

from .conftest import (
    RECEIVED,
    complaint_kwargs,
    hold_dialogue,
    open_nodes,
    open_task,
    trail,
)
from .test_case_flow import DECISION, intake, through_verification

pytestmark = pytest.mark.django_db


def test_a_draft_sent_back_returns_to_the_handler_with_the_comment(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    process = case.process
    through_verification(driver, case, reception=world.reception, head=world.head, handler=world.handler,
                         findings={"findings": "Quyết định đúng một phần.", "findings_differ": "on"})
    hold_dialogue(driver, process, world.handler)
    driver.complete(process, CaseFlow.draft_decision, world.handler, DECISION)

    # sending back needs a comment: the form says so, nothing is recorded
    response = driver.complete(process, CaseFlow.sign_decision, world.head, {"choice": "return", "comment": " "},
                               expect=200)
    assert "Say what is to be changed" in response.content.decode()
    assert open_nodes(process) == {"sign_decision"}
    assert [a for a, _s in trail(case)][-1] == "record_draft"

    comment = "Nêu rõ căn cứ pháp lý của việc giữ nguyên quyết định."
    driver.complete(process, CaseFlow.sign_decision, world.head, {"choice": "return", "comment": comment})
    case.refresh_from_db()
    assert case.status == Status.IN_DIALOGUE
    assert open_nodes(process) == {"draft_decision"}
    draft = open_task(process, CaseFlow.draft_decision)
    assert draft.owner == world.handler
    driver.client.force_login(world.handler)
    page = driver.client.get(draft.flow_task.reverse("execute", args=[process.pk, draft.pk])).content.decode()
    assert 'data-field="returned-draft"' in page and comment in page

    driver.complete(process, CaseFlow.draft_decision, world.handler, {**DECISION, "summary": "Có căn cứ pháp lý."})
    driver.complete(process, CaseFlow.sign_decision, world.head, {**DECISION, "choice": "sign",
                                                                  "result": "partly_right"})
    case.refresh_from_db()
    assert case.status == Status.DECIDED and open_nodes(process) == {"close"}
    assert case.result == "partly_right"  # what the periodic reports count (right / wrong / partly right)
    assert [a for a, _s in trail(case)][-4:] == ["record_draft", "return_draft", "record_draft", "decide"]


def test_a_draft_sent_back_outside_the_task_page_takes_the_signature_away(world, driver):
    case = intake(complaint_kwargs(world, received=RECEIVED))
    process = case.process
    through_verification(driver, case, reception=world.reception, head=world.head, handler=world.handler,
                         findings={"findings": "Đúng.", "findings_differ": ""})
    driver.complete(process, CaseFlow.draft_decision, world.handler, DECISION)
    assert open_nodes(process) == {"sign_decision"}
    case.refresh_from_db()
    services.case_return_draft(case=case, actor=world.head, comment="Sửa lại.")
    assert open_nodes(process) == {"draft_decision"}
    assert open_task(process, CaseFlow.draft_decision).owner == world.handler
