"""A head reminds the handler of a case: once a day at most, never by the handler, never without one."""
import datetime as dt

import pytest
from django.urls import reverse

from access import policy
from cases import services
from cases.errors import Conflict, Forbidden
from cases.models import CaseEvent
from tests.factories import aware

from .conftest import complaint_kwargs

pytestmark = pytest.mark.django_db
D = dt.date


def accepted(world):
    case = services.case_intake(**complaint_kwargs(world)).case
    return services.case_accept(case=case, actor=world.head, now=aware(D(2026, 7, 8)))


def test_the_head_reminds_the_handler_once_a_day(world):
    case = accepted(world)
    assert "remind" not in policy.available_acts(world.head, case)
    with pytest.raises(Conflict, match="no handler"):
        services.case_remind(case=case, actor=world.head, now=aware(D(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    assert "remind" in policy.available_acts(world.head, case)
    assert "remind" not in policy.available_acts(world.handler, case)
    with pytest.raises(Forbidden):
        services.case_remind(case=case, actor=world.handler, now=aware(D(2026, 7, 9)))
    with pytest.raises(Forbidden):  # a head of another commune has no say here
        services.case_remind(case=case, actor=world.outsider, now=aware(D(2026, 7, 9)))

    services.case_remind(case=case, actor=world.province_head, message="Khẩn trương xác minh.",
                         now=aware(D(2026, 7, 9), 8))
    with pytest.raises(Conflict, match="already reminded"):
        services.case_remind(case=case, actor=world.head, now=aware(D(2026, 7, 9), 16))
    services.case_remind(case=case, actor=world.head, now=aware(D(2026, 7, 10), 8))

    events = list(CaseEvent.objects.filter(case=case, action="remind").order_by("at").values_list(
        "actor", "payload", "from_status", "to_status"))
    assert events == [
        (world.province_head.pk, {"handler": world.handler.pk, "message": "Khẩn trương xác minh."}, "accepted",
         "accepted"),
        (world.head.pk, {"handler": world.handler.pk, "message": ""}, "accepted", "accepted"),
    ]
    case.refresh_from_db()
    assert case.status == "accepted"


def test_the_reminder_page(world, client):
    case = accepted(world)
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 8)))
    url = reverse("workflow:case_remind", args=[case.pk])

    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.head)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert url in page
    response = client.post(url, {"message": "Báo cáo tiến độ trước thứ Sáu."})
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    again = client.post(url, {"message": ""})
    assert again.status_code == 409 and "hôm nay đã nhắc cán bộ xử lý" in again.content.decode()
    client.force_login(world.handler)
    assert client.post(url, {"message": "x"}).status_code == 403
    assert CaseEvent.objects.filter(case=case, action="remind").count() == 1
