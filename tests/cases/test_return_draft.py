"""The head sends a draft back to the handler with a comment instead of signing it."""
import datetime as dt

import pytest

from access import policy
from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput
from cases.models import CaseEvent
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db
D = dt.date
DRAFT = {"conclusion_number": "1/KL", "summary": "Tố cáo đúng một phần.", "measures": "Kiểm điểm."}


def verified(world):
    case = services.case_intake(**denunciation_kwargs(world)).case
    services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    services.case_start_verification(case=case, actor=world.handler, now=aware(D(2026, 7, 9)))
    return services.case_record_verification(case=case, actor=world.handler, findings="Có căn cứ.",
                                             findings_differ=False, now=aware(D(2026, 7, 10)))


def test_a_draft_goes_back_with_a_comment_and_the_status_stays(world):
    case = verified(world)
    with pytest.raises(Conflict, match="no draft"):
        services.case_return_draft(case=case, actor=world.head, comment="Sửa.", now=aware(D(2026, 7, 11)))
    services.case_record_draft(case=case, actor=world.handler, **DRAFT, now=aware(D(2026, 7, 11)))
    assert "return_draft" in policy.available_acts(world.head, case)
    with pytest.raises(Forbidden):
        services.case_return_draft(case=case, actor=world.handler, comment="Sửa.", now=aware(D(2026, 7, 12)))
    with pytest.raises(InvalidInput) as refused:
        services.case_return_draft(case=case, actor=world.head, comment="  ", now=aware(D(2026, 7, 12)))
    assert refused.value.field == "comment"
    services.case_return_draft(case=case, actor=world.head, comment="Bổ sung biện pháp xử lý.",
                               now=aware(D(2026, 7, 12)))
    case.refresh_from_db()
    assert case.status == "in_verification"
    event = CaseEvent.objects.get(case=case, action="return_draft")
    assert (event.payload["comment"], event.from_status, event.to_status) == (
        "Bổ sung biện pháp xử lý.", "in_verification", "in_verification")
    assert services.act_label("return_draft", "denunciation") == "send the draft conclusion back"
    assert services.act_label("return_draft", "complaint") == "send the draft decision back"
    # sent back once: nothing to send back until the handler drafts again
    with pytest.raises(Conflict):
        services.case_return_draft(case=case, actor=world.head, comment="Lại.", now=aware(D(2026, 7, 13)))
    assert "return_draft" not in policy.available_acts(world.head, case)
