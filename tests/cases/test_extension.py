"""Extensions of a denunciation's resolution (T4): shorter than the maximum, tracked as decisions to send."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, InvalidInput
from cases.models import Case, CaseEvent, CaseNotice
from deadlines.engine import DeadlineInput, compute_deadlines
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED, ACCEPTED = D(2026, 7, 6), D(2026, 7, 8)


def accepted(world, complexity, **kw):
    case = services.case_intake(**denunciation_kwargs(world, complexity=complexity, complexity_grounds="Nhiều nơi",
                                                      **kw)).case
    return services.case_accept(case=case, actor=world.head, now=aware(ACCEPTED))


def due_with(complexity, *days):
    return compute_deadlines(DeadlineInput(kind="denunciation", received=RECEIVED, accepted=ACCEPTED,
                                           complexity=complexity, extensions=len(days),
                                           extension_days=tuple(days))).resolution_due


def test_an_extension_may_be_shorter_than_the_maximum(world):
    case = accepted(world, "complex")
    services.case_extend(case=case, actor=world.head, grounds="Cần xác minh thêm.", days=10, decision_number="5/QĐ-GH",
                         now=aware(D(2026, 7, 20)))
    case.refresh_from_db()
    assert (case.extensions, case.extension_days) == (1, [10])
    assert case.resolution_due == due_with("complex", 10) == D(2026, 8, 17)  # 30 + 10 days from 8/7
    assert due_with("complex", 10) < due_with("complex", 30)
    extension = next(e for e in case.deadline_basis if e.get("deadline") == "resolution")["extensions"]
    assert (extension["count"], extension["days"], extension["days_each"]) == (1, [10], 30)
    event = CaseEvent.objects.get(case=case, action="extend")
    assert (event.payload["days"], event.payload["limit"], event.payload["decision_number"]) == (10, 30, "5/QĐ-GH")
    assert event.payload["changes"]["extension_days"] == [[], [10]]


def test_the_full_length_when_no_days_are_given_and_never_more_than_the_limit(world):
    case = accepted(world, "especially_complex")
    with pytest.raises(InvalidInput, match="at most 30 days") as refused:
        services.case_extend(case=case, actor=world.head, grounds="x", days=31, now=aware(D(2026, 7, 20)))
    assert refused.value.field == "days"
    case.refresh_from_db()
    assert (case.extensions, case.extension_days) == (0, [])
    for bad in (0, -3, True, "10"):
        with pytest.raises(InvalidInput):
            services.case_extend(case=case, actor=world.head, grounds="x", days=bad, now=aware(D(2026, 7, 20)))
    services.case_extend(case=case, actor=world.head, grounds="Lần 1.", now=aware(D(2026, 7, 20)))
    services.case_extend(case=case, actor=world.head, grounds="Lần 2.", days=7, now=aware(D(2026, 8, 20)))
    case.refresh_from_db()
    assert case.extension_days == [30, 7] and case.resolution_due == due_with("especially_complex", 30, 7)
    with pytest.raises(Conflict, match="no further extension"):
        services.case_extend(case=case, actor=world.head, grounds="Lần 3.", days=1, now=aware(D(2026, 8, 21)))


def test_an_extension_granted_before_its_days_were_recorded_counts_in_full(world):
    case = accepted(world, "especially_complex")
    Case.objects.filter(pk=case.pk).update(extensions=1)  # an extension recorded by the old code: no days
    case = Case.objects.get(pk=case.pk)
    services.case_extend(case=case, actor=world.head, grounds="Lần 2.", days=5, now=aware(D(2026, 7, 20)))
    case.refresh_from_db()
    assert (case.extensions, case.extension_days) == (2, [30, 5])
    assert case.resolution_due == due_with("especially_complex", 30, 5)


def test_each_extension_is_a_decision_to_send_to_both_parties_without_a_statutory_clock(world):
    case = accepted(world, "complex")
    services.case_extend(case=case, actor=world.head, grounds="Phức tạp.", days=15, now=aware(D(2026, 7, 20)))
    notice = CaseNotice.objects.get(case=case)
    assert (notice.purpose, notice.due, notice.sla, notice.rule) == ("extension", None, "", "")
    assert notice.grounds == {"text": "Phức tạp.", "days": 15} and "no time limit" in notice.basis["note"]
    services.case_send_decision_notice(case=case, actor=world.head, notice=notice, now=aware(D(2026, 7, 21)))
    notice.refresh_from_db()
    assert notice.sent_on == D(2026, 7, 21)
    assert CaseEvent.objects.get(case=case, action="send_decision_notice").payload["late"] is False
