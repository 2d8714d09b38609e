"""The staff case page: in scope only, identities as the law allows (logged), acts from the policy."""
import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.case_page import working_days_left
from cases.models import IdentityAccess

from .conftest import complaint_kwargs, denunciation_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2026, 7, 6)


def page(client, user, case):
    client.force_login(user)
    return client.get(reverse("case_detail", args=[case.pk]))


def test_a_head_sees_the_whole_case_and_the_acts_open_to_him(world, client):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    response = page(client, world.head, case)
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert case.tracking_code in body and "Nguyễn Văn A" in body and "Khiếu nại quyết định thu hồi đất." in body
    assert reverse("workflow:case_suspend", args=[case.pk]) in body  # an act the head may take now
    assert reverse("workflow:case_withdraw", args=[case.pk]) in body
    assert "Luật Khiếu nại" in body and "LKN Art" not in body  # the legal basis, spelled out in Vietnamese
    handler_body = page(client, world.handler, case).content.decode()
    assert reverse("workflow:case_suspend", args=[case.pk]) not in handler_body


def test_a_running_deadline_names_the_rule_that_counted_it_not_the_note_beside_it(world, client):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case  # not accepted yet
    assert any(e.get("note") and e.get("deadline") == "acceptance" for e in case.deadline_basis)
    body = page(client, world.head, case).content.decode()
    row = body[body.index("15/07/2026") - 400: body.index("15/07/2026") + 400]
    assert "K2" in row and "Điều 10" in row  # 7 working days from 6/7/2026, NĐ 155/2026 Art 10


def test_another_unit_gets_404_without_the_code(world, client):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    response = page(client, world.outsider, case)
    assert response.status_code == 404 and case.tracking_code not in response.content.decode()
    assert IdentityAccess.objects.filter(case=case, user=world.outsider, granted=False).exists()


def test_a_denouncer_is_shown_only_to_the_named_officers_and_every_look_is_logged(world, client):
    case = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    assert "Nguyễn Văn A" in page(client, world.reception, case).content.decode()
    above = page(client, world.province_head, case).content.decode()  # in scope, not named by the law
    assert case.tracking_code in above and "Nguyễn Văn A" not in above and "0900000001" not in above
    looks = IdentityAccess.objects.filter(case=case, purpose="case_page")
    assert set(looks.values_list("user__username", "granted")) == {("tiepdan", True), ("lanhdao-tinh", False)}


def test_the_page_costs_the_same_for_a_short_and_a_long_history(world, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(case):
        client.force_login(world.head)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
        return len(captured)

    short = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=short, actor=world.head, now=aware(RECEIVED))
    people = [{"full_name": f"Người {n}", "id_number": f"00109000010{n}", "is_representative": n == 0}
              for n in range(6)]
    long = services.case_intake(**complaint_kwargs(world, received=RECEIVED, petitioners=people,
                                                   respondent_number="5/QĐ")).case
    services.case_accept(case=long, actor=world.head, now=aware(RECEIVED))
    for n in range(4):
        services.case_suspend(case=long, actor=world.head, ground="other", grounds="Chờ.",
                              now=aware(RECEIVED + dt.timedelta(days=n)))
        services.case_resume(case=long, actor=world.head, ground="other", grounds="Hết.",
                             now=aware(RECEIVED + dt.timedelta(days=n)))
    assert queries(long) == queries(short) <= 25


def test_an_act_page_opens_from_the_case_page_and_returns_to_it(world, client):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    client.force_login(world.head)
    url = reverse("workflow:case_suspend", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"ground": "await_other_body", "grounds": "Chờ kết quả giám định."})
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])


def test_working_days_left_skip_weekends_and_holidays():
    from deadlines.calendar import is_working_day

    friday = dt.date(2026, 10, 9)
    assert working_days_left(friday, dt.date(2026, 10, 12)) == 1  # Sat and Sun do not count
    assert working_days_left(friday, dt.date(2026, 10, 14)) == 3
    assert working_days_left(dt.date(2026, 10, 14), friday) == -3
    tet = dt.date(2027, 1, 29)  # across Tết 2027, against the calendar itself
    expected = sum(1 for n in range(1, 31) if is_working_day(tet + dt.timedelta(days=n)))
    assert working_days_left(tet, tet + dt.timedelta(days=30)) == expected < 22


def test_a_decided_case_counts_no_days_left_on_its_met_resolution_deadline(world):
    from cases.case_page import _deadlines
    from cases.models import Case

    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    services.case_accept(case=case, actor=world.head, now=aware(RECEIVED))
    Case.objects.filter(pk=case.pk).update(resolution_due=dt.date(2026, 8, 20))
    case.refresh_from_db()
    running = {row["label"]: row["left"] for row in _deadlines(case, dt.date(2026, 9, 1))}
    assert min(v for v in running.values() if v is not None) < 0  # still running: overdue days counted
    case.decided_on = dt.date(2026, 8, 18)  # as the decision stamps it (status decided stays open until closed)
    rows = [row for row in _deadlines(case, dt.date(2026, 9, 1)) if row["due"] == dt.date(2026, 8, 20)]
    assert rows and all(row["left"] is None for row in rows)
