"""Reception sessions through the services, and the stamps the reports read (ended_on, the due date at
the decision, the result)."""
import datetime as dt

import pytest
from openpyxl import load_workbook

from cases import services
from cases.errors import InvalidInput
from cases.models import ReceptionSession, ReceptionType, Status
from reports.figures import build_report
from tests.cases.conftest import complaint_kwargs
from tests.factories import aware

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 6)


def intake(world, **kw):
    return services.case_intake(**complaint_kwargs(world, **kw)).case


def people(n):
    return [{"full_name": f"Người {i}", "id_number": f"0010900005{i:02d}"} for i in range(n)]


def test_desk_intakes_of_one_officer_and_day_share_a_session(world):
    first = intake(world)
    mass = intake(world, petitioners=people(6), respondent_number="2/QĐ")
    by_head = intake(world, actor=world.head, reception_type=ReceptionType.PERIODIC_HEAD, respondent_number="3/QĐ")
    by_mail = intake(world, channel="mail", respondent_number="4/QĐ")
    next_day = intake(world, received=DAY + dt.timedelta(days=1), respondent_number="5/QĐ")

    assert first.reception_session_id == mass.reception_session_id
    session = first.reception_session
    session.refresh_from_db()
    assert (session.unit, session.officer, session.date, session.type) == (
        world.commune, world.reception, DAY, ReceptionType.REGULAR)
    assert (session.persons, session.cases, session.mass_groups, session.mass_persons) == (7, 2, 1, 6)
    assert by_head.reception_session.type == ReceptionType.PERIODIC_HEAD
    assert by_head.reception_session_id != session.pk
    assert by_mail.reception_session_id is None
    assert next_day.reception_session_id not in (None, session.pk)
    assert ReceptionSession.objects.count() == 3
    report = build_report(unit=world.commune, rollup=False, date_from=DAY, date_to=DAY)
    assert report["reception"] | {"by_type": None} == {
        "sessions": 2, "persons": 8, "cases": 3, "mass_groups": 1, "mass_persons": 6, "by_type": None}


def test_an_unknown_reception_type_is_refused(world):
    with pytest.raises(InvalidInput):
        intake(world, reception_type="party")
    assert not ReceptionSession.objects.exists()


def test_a_decision_stamps_the_end_the_due_date_in_force_and_the_result(world):
    case = intake(world)
    services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 9)))
    services.case_start_verification(case=case, actor=world.handler, now=aware(dt.date(2026, 7, 9)))
    case.refresh_from_db()
    due = case.resolution_due
    assert case.ended_on is None and due is not None
    with pytest.raises(InvalidInput):
        services.case_decide(case=case, actor=world.head, decision_number="1/QĐ", summary="x", result="maybe",
                             now=aware(dt.date(2026, 7, 30)))
    services.case_decide(case=case, actor=world.head, decision_number="1/QĐ", summary="Công nhận một phần",
                         result="partly_right", now=aware(dt.date(2026, 7, 30)))
    services.case_close(case=case, actor=world.head, now=aware(dt.date(2026, 8, 3)))
    case.refresh_from_db()
    assert (case.ended_on, case.resolution_due_at_decision, case.result) == (dt.date(2026, 7, 30), due, "partly_right")
    report = build_report(unit=world.commune, rollup=False, date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 7, 31))
    assert report["complaints"]["resolved"] == report["complaints"]["on_time"] == 1
    assert report["complaints"]["result"]["partly_right"] == 1


def test_a_refusal_ends_processing_on_its_day(world):
    case = intake(world)
    services.case_refuse(case=case, actor=world.head, ground="other", reason="Đơn không rõ nội dung",
                         now=aware(dt.date(2026, 7, 8)))
    case.refresh_from_db()
    assert case.status == Status.NOT_ACCEPTED and case.ended_on == dt.date(2026, 7, 8)
    assert case.resolution_due_at_decision is None


def test_the_sessions_register_lists_and_exports_counts_only(world, client, django_assert_max_num_queries):
    intake(world, petitioners=people(5))
    intake(world, actor=world.head, respondent_number="3/QĐ", reception_type=ReceptionType.PERIODIC_HEAD)
    client.force_login(world.head)
    with django_assert_max_num_queries(10):
        page = client.get("/cases/reception-sessions/")
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") == 3  # header and two sessions
    xlsx = client.get("/cases/reception-sessions/", {"format": "xlsx", "type": "regular"})
    sheet = load_workbook(__import__("io").BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][5:] == (5, 1, 1, 5)
    assert "Người" not in repr(rows)
    client.force_login(world.outsider)  # another commune's head sees none of them
    assert "<td>" not in client.get("/cases/reception-sessions/").content.decode()
    bad = client.get("/cases/reception-sessions/", {"date_after": "not a date"})
    assert bad.status_code == 400
