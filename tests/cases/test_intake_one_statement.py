"""Intake writes its case, petitioners and event in one statement on PostgreSQL (``cases.services._write_intake``):
the same rows as the ORM's ``save()``/``bulk_create()``, and objects left as those calls leave them."""
import pytest
import time_machine
from django.db import connection, transaction

from cases import services
from cases.models import Case, CaseEvent, Petitioner, Status

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"),
]

PEOPLE = [
    {"full_name": "Nguyễn Văn A", "id_number": "001090000001", "phone": "0900000001", "address": "Thôn 1"},
    {"full_name": "Trần Thị B", "id_number": "", "phone": "", "is_representative": True, "has_signed": False},
]


def _stored(case_pk) -> dict:
    """The rows of one intake as stored (decrypted), without what differs between two intakes by nature."""
    case = Case.objects.filter(pk=case_pk).values().get()
    for name in ("id", "tracking_code", "pin_hash"):
        case.pop(name)
    case_session = case["reception_session_id"]
    case["reception_session_id"] = case["reception_session_id"] is not None  # each intake's session was rolled back
    people = [{k: v for k, v in row.items() if k not in ("id", "case_id")}
              for row in Petitioner.objects.filter(case_id=case_pk).order_by("pk").values()]
    events = [{k: v for k, v in row.items() if k not in ("id", "case_id")}
              for row in CaseEvent.objects.filter(case_id=case_pk).order_by("pk").values()]
    for event in events:
        session = event["payload"].get("reception_session")
        event["payload"]["reception_session"] = session is not None and session == case_session
    return {"case": case, "people": people, "events": events}


def _intake_rolled_back(kwargs, *, one_statement: bool, monkeypatch) -> tuple[dict, Case]:
    monkeypatch.setattr(services, "ONE_STATEMENT_INTAKE", one_statement)
    with time_machine.travel(kwargs["now"], tick=False), transaction.atomic():  # the rows' own stamps alike
        result = services.case_intake(**kwargs)
        rows = _stored(result.case.pk)
        transaction.set_rollback(True)  # the other way writes the same petition from scratch
    return rows, result.case


@pytest.mark.parametrize("make", [complaint_kwargs, denunciation_kwargs], ids=["complaint", "denunciation"])
def test_the_same_rows_as_the_orms(world, make, monkeypatch):
    kwargs = make(world, petitioners=PEOPLE)
    ours, case = _intake_rolled_back(kwargs, one_statement=True, monkeypatch=monkeypatch)
    orms, _ = _intake_rolled_back(kwargs, one_statement=False, monkeypatch=monkeypatch)
    assert ours == orms
    assert len(ours["people"]) == 2 and ours["events"][0]["action"] == "intake"
    assert ours["people"][0]["full_name"] == "Nguyễn Văn A" and ours["people"][0]["id_number_digest"]
    assert ours["case"]["identity_protected"] is (make is denunciation_kwargs)


def test_the_objects_are_left_as_save_leaves_them(world, monkeypatch):
    monkeypatch.setattr(services, "ONE_STATEMENT_INTAKE", True)
    signed = [PEOPLE[0], {**PEOPLE[1], "has_signed": True}]  # a multi-person complaint is accepted once all sign
    result = services.case_intake(**complaint_kwargs(world, petitioners=signed))
    case = result.case
    assert not case._state.adding and Case.objects.filter(pk=case.pk, tracking_code=case.tracking_code).exists()
    people = list(case.petitioners.all())  # from memory, as stored
    assert [p.pk for p in people] == list(Petitioner.objects.filter(case=case).order_by("pk").values_list("pk", flat=True))
    assert all(not p._state.adding and p.case_id == case.pk for p in people)
    assert [p.full_name for p in people] == ["Nguyễn Văn A", "Trần Thị B"]
    event = CaseEvent.objects.get(case=case)
    assert event.payload["petitioners"] == 2
    # the optimistic lock knows the saved state: the next act on the same object goes through
    accepted = services.case_accept(case=case, actor=world.head, now=complaint_kwargs(world)["now"])
    assert accepted.status == Status.ACCEPTED
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
