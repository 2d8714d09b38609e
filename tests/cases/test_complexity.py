"""Complexity reassessed during the resolution, with the statutory criteria; the deadline follows."""
import datetime as dt

import pytest

from cases import services
from cases.errors import Conflict, Forbidden, InvalidInput
from cases.models import Case, CaseEvent
from deadlines.engine import DeadlineInput, compute_deadlines
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED, ACCEPTED, REASSESSED = D(2026, 7, 6), D(2026, 7, 8), D(2026, 7, 15)


def accepted(world, kind="complaint", received=RECEIVED, on=ACCEPTED, **kw):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    case = services.case_intake(**make(world, received=received, **kw)).case
    return services.case_accept(case=case, actor=world.head, now=aware(on))


def reassess(world, case, complexity, *, criteria=("several_contents",), on=REASSESSED, actor=None, **kw):
    return services.case_reassess_complexity(case=case, actor=actor or world.head, complexity=complexity,
                                             grounds="Có hai nội dung phải xác minh.", criteria=criteria,
                                             now=aware(on), **kw)


def resolution_due(kind, complexity, received=RECEIVED, accepted_on=ACCEPTED):
    return compute_deadlines(DeadlineInput(kind=kind, received=received, accepted=accepted_on,
                                           complexity=complexity)).resolution_due


def test_a_complaint_found_complex_gets_45_days_instead_of_30(world):
    case = accepted(world)
    assert case.resolution_due == resolution_due("complaint", "simple") == D(2026, 8, 7)
    reassess(world, case, "complex", criteria=["several_contents", "bodies_disagree"])
    case.refresh_from_db()
    assert case.complexity == "complex" and case.complexity_criteria == ["several_contents", "bodies_disagree"]
    # 45 days end on Sat 22/8/2026, a make-up working day (reference §7)
    assert case.resolution_due == resolution_due("complaint", "complex") == D(2026, 8, 22)
    event = CaseEvent.objects.get(case=case, action="reassess_complexity")
    assert (event.payload["old"], event.payload["new"]) == ("simple", "complex")
    assert event.payload["changes"]["resolution_due"] == ["2026-08-07", "2026-08-22"]
    assert event.payload["criteria"] == ["several_contents", "bodies_disagree"]


def test_from_1_july_2026_a_complex_complaint_names_a_criterion_before_it_none_was_required(world):
    case = accepted(world)
    with pytest.raises(InvalidInput, match="at least 1 of the statutory criteria") as refused:
        reassess(world, case, "complex", criteria=[])
    assert refused.value.field == "criteria"
    old = accepted(world, received=D(2026, 5, 4), on=D(2026, 5, 6), respondent_number="8/QĐ")
    reassess(world, old, "complex", criteria=[], on=D(2026, 5, 20))
    assert Case.objects.get(pk=old.pk).complexity == "complex"


def test_a_denunciation_found_complex_becomes_extendable_and_especially_complex_needs_two_criteria(world):
    case = accepted(world, "denunciation")
    with pytest.raises(Conflict, match="no further extension"):
        services.case_extend(case=case, actor=world.head, grounds="x", now=aware(D(2026, 7, 14)))
    with pytest.raises(InvalidInput, match="at least 2"):
        reassess(world, case, "especially_complex", criteria=["abroad"])
    reassess(world, case, "complex", criteria=["abroad"])
    services.case_extend(case=case, actor=world.head, grounds="Phải xác minh ở nước ngoài.", days=20,
                         now=aware(D(2026, 7, 16)))
    case.refresh_from_db()
    assert case.extension_days == [20]
    # found less complex once an extension was granted beyond what the new finding allows: refused
    with pytest.raises(Conflict, match="1 extension"):
        reassess(world, case, "simple", criteria=[], on=D(2026, 7, 17))
    assert Case.objects.get(pk=case.pk).complexity == "complex"


@pytest.mark.parametrize("change, field", [
    ({"complexity": "huge"}, "complexity"),
    ({"complexity": "simple"}, "complexity"),  # unchanged
    ({"criteria": ["no_such_criterion"]}, "criteria"),
    ({"grounds": " "}, "grounds"),
])
def test_bad_reassessments_are_refused(world, change, field):
    case = accepted(world)
    values = {"case": case, "actor": world.head, "complexity": "complex", "grounds": "Hai nội dung.",
              "criteria": ["several_contents"], "now": aware(D(2026, 7, 15))}
    values.update(change)
    with pytest.raises(InvalidInput) as refused:
        services.case_reassess_complexity(**values)
    assert refused.value.field == field


def test_the_head_reassesses_during_the_resolution_only(world):
    case = accepted(world)
    with pytest.raises(Forbidden):
        reassess(world, case, "complex", actor=world.handler)
    received = services.case_intake(**complaint_kwargs(world, respondent_number="3/QĐ")).case
    with pytest.raises(Conflict):
        reassess(world, received, "complex")
    assert not CaseEvent.objects.filter(action="reassess_complexity").exists()
