"""The handler asks for an extension (T4, LTC Art 30); the head approves or refuses it; supervisors find the requests."""
import datetime as dt

import pytest
from django.urls import reverse

from access import policy
from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput
from cases.models import Case, CaseEvent
from cases.selectors import queue
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
ACCEPTED, TODAY = D(2026, 7, 8), D(2026, 7, 20)


def assigned(world, complexity="complex"):
    case = services.case_intake(**denunciation_kwargs(world, complexity=complexity,
                                                      complexity_grounds="Nhiều nơi")).case
    services.case_accept(case=case, actor=world.head, now=aware(ACCEPTED))
    return services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(ACCEPTED))


def request(world, case, days=10, actor=None):
    return services.case_request_extension(case=case, actor=actor or world.handler, days=days,
                                           grounds="Cần xác minh ở nơi khác.", now=aware(TODAY))


def test_the_head_approves_the_handlers_request_with_its_days(world):
    case = assigned(world)
    due = case.resolution_due
    request(world, case, days=10)
    case.refresh_from_db()
    assert case.extension_requested and case.resolution_due == due and case.extensions == 0
    pending = services.pending_extension_request(case)
    assert pending.action == "request_extension" and pending.payload["days"] == 10
    assert "approve_extension" in policy.available_acts(world.head, case)
    assert "request_extension" not in policy.available_acts(world.handler, case)
    assert [c.pk for c in queue(user=world.head, name="extension_requests")] == [case.pk]

    services.case_extend(case=case, actor=world.head, days=pending.payload["days"],
                         grounds=pending.payload["grounds"], now=aware(TODAY))
    case.refresh_from_db()
    assert not case.extension_requested and case.extension_days == [10]
    assert case.resolution_due == due + dt.timedelta(days=10)
    assert services.pending_extension_request(case) is None
    assert CaseEvent.objects.get(case=case, action="extend").payload["request_approved"] is True
    assert not queue(user=world.head, name="extension_requests").exists()


def test_the_head_refuses_and_the_period_stays(world):
    case = assigned(world)
    due = case.resolution_due
    request(world, case)
    with pytest.raises(Forbidden):
        services.case_refuse_extension(case=case, actor=world.handler, reason="x", now=aware(TODAY))
    with pytest.raises(InvalidInput):
        services.case_refuse_extension(case=case, actor=world.head, reason=" ", now=aware(TODAY))
    services.case_refuse_extension(case=case, actor=world.head, reason="Chưa đủ căn cứ.", now=aware(TODAY))
    case.refresh_from_db()
    assert not case.extension_requested and case.resolution_due == due and case.extensions == 0
    assert services.pending_extension_request(case) is None
    event = CaseEvent.objects.get(case=case, action="refuse_extension")
    assert (event.payload["reason"], event.payload["days"], event.from_status, event.to_status) == (
        "Chưa đủ căn cứ.", 10, "accepted", "accepted")
    with pytest.raises(Conflict, match="no extension request"):
        services.case_refuse_extension(case=case, actor=world.head, reason="Lại.", now=aware(TODAY))
    # the request closed, the handler may ask again
    request(world, case, days=5)
    assert Case.objects.get(pk=case.pk).extension_requested


def test_bad_requests_are_refused(world):
    case = assigned(world)
    with pytest.raises(InvalidInput, match="at most 30 days") as refused:
        request(world, case, days=31)
    assert refused.value.field == "days"
    for bad in (0, -1, True, "5"):
        with pytest.raises(InvalidInput):
            request(world, case, days=bad)
    for outsider in (world.reception, world.head, world.outsider):  # only the case's handler asks
        with pytest.raises(Forbidden):
            request(world, case, actor=outsider)
    request(world, case)
    with pytest.raises(Conflict, match="already waiting"):
        request(world, case, days=3)
    assert CaseEvent.objects.filter(case=case, action="request_extension").count() == 1
    simple = assigned(world, complexity="simple")
    with pytest.raises(Conflict, match="no further extension"):
        request(world, simple)


def test_the_pages_for_each_role(world, client):
    case = assigned(world)
    page = reverse("case_detail", args=[case.pk])
    ask = reverse("workflow:case_request_extension", args=[case.pk])
    approve = reverse("workflow:case_approve_extension", args=[case.pk])
    refuse = reverse("workflow:case_refuse_extension", args=[case.pk])

    client.force_login(world.handler)
    assert ask in client.get(page).content.decode()
    assert client.post(ask, {"days": 31, "grounds": "x"}).status_code == 400
    assert client.post(ask, {"days": 12, "grounds": "Cần giám định."}).status_code == 302
    html = client.get(page).content.decode()
    assert ask not in html and approve not in html and "Cần giám định." in html

    client.force_login(world.head)
    html = client.get(page).content.decode()
    assert approve in html and refuse in html and 'data-field="extension-request"' in html
    form = client.get(approve).content.decode()
    assert 'value="12"' in form and "Cần giám định." in form
    assert client.post(refuse, {"reason": ""}).status_code == 400
    assert client.post(approve, {"days": 12, "grounds": "Cần giám định.", "decision_number": "7/QĐ-GH"}).status_code == 302
    case.refresh_from_db()
    assert case.extension_days == [12] and not case.extension_requested
    html = client.get(page).content.decode()
    assert approve not in html and refuse not in html
    # no request pending: approving answers a conflict, not an extension
    assert client.post(approve, {"days": 5, "grounds": "x"}).status_code == 409
    assert Case.objects.get(pk=case.pk).extensions == 1

    client.force_login(world.outsider)
    assert client.get(approve).status_code == 404
