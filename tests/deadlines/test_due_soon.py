"""Due soon in working days (issue 6): Tết cannot swallow the warning."""
import datetime as dt
import itertools

import pytest

from cases.models import Case, CaseEvent, SlaState, Status
from cases.sla import legal_cutoffs, quiet_intake_state, sweep_sla
from tests.factories import UnitFactory, aware

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)
DUE = dt.date(2026, 2, 24)  # Tue, the second working day after Tết Bính Ngọ (days off Mon 16 – Fri 20/2/2026)


@pytest.fixture(autouse=True)
def three_working_days(settings):
    settings.SLA_DUE_SOON_WORKING_DAYS = 3


def make_case(*, due=DUE, received=dt.date(2026, 2, 9)):
    return Case.objects.create(
        kind="complaint", channel="in_person", received_at=aware(received), receiving_unit=UnitFactory(),
        content="Nội dung", tracking_code=f"TET{next(_codes):08d}", pin_hash="x", status=Status.ACCEPTED,
        resolution_due=due,
    )


def state(case) -> str:
    return Case.objects.values_list("resolution_sla", flat=True).get(pk=case.pk)


@pytest.mark.parametrize("today, soon", [
    (dt.date(2026, 2, 11), dt.date(2026, 2, 23)),  # Wed: Thu 12, Fri 13, (Tết), Mon 23
    (dt.date(2026, 2, 12), dt.date(2026, 2, 24)),  # Thu: Fri 13, Mon 23, Tue 24
    (dt.date(2026, 2, 13), dt.date(2026, 2, 25)),  # Fri before Tết
    (dt.date(2026, 2, 17), dt.date(2026, 2, 25)),  # mùng 1 Tết
    (dt.date(2026, 2, 23), dt.date(2026, 2, 26)),
])
def test_due_soon_reaches_three_working_days_ahead(today, soon):
    assert legal_cutoffs(aware(today))["soon"] == soon


def test_a_deadline_just_after_tet_is_due_soon_before_the_break(settings):
    case = make_case()
    sweep_sla(now=aware(dt.date(2026, 2, 11)))
    assert state(case) == SlaState.ON_TRACK  # four working days left
    sweep_sla(now=aware(dt.date(2026, 2, 12)))
    assert state(case) == SlaState.DUE_SOON  # three working days left, though twelve calendar days
    event = CaseEvent.objects.get(case=case, action="sla_due_soon")
    assert event.payload["due"] == DUE.isoformat()
    # Counted in calendar days (the old rule), the warning came only on Sat 21/2, after the break.
    assert (DUE - dt.date(2026, 2, 12)).days == 12


def test_the_threshold_is_a_setting(settings):
    settings.SLA_DUE_SOON_WORKING_DAYS = 1
    case = make_case()
    sweep_sla(now=aware(dt.date(2026, 2, 13)))
    assert state(case) == SlaState.ON_TRACK
    sweep_sla(now=aware(dt.date(2026, 2, 20)))  # the last day of Tết: the next working day is Mon 23
    assert state(case) == SlaState.ON_TRACK
    sweep_sla(now=aware(dt.date(2026, 2, 23)))
    assert state(case) == SlaState.DUE_SOON


def test_intake_leaves_the_state_to_the_sweep_when_due_soon_in_working_days():
    case = Case(kind="complaint", status=Status.RECEIVED, received_at=aware(dt.date(2026, 2, 2)),
                acceptance_due=DUE, is_refiled=False)
    assert quiet_intake_state(case, aware(dt.date(2026, 2, 11))) == SlaState.ON_TRACK
    assert quiet_intake_state(case, aware(dt.date(2026, 2, 12))) is None  # the sweep records the alert
