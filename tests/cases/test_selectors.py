"""Supervisors' queues: the cases in their scope that are overdue, due soon or backlogged."""
import datetime as dt

import pytest

from cases import selectors, services
from cases.models import IdentityAccess
from cases.sla import sweep_sla
from tests.factories import aware

from .conftest import complaint_kwargs

pytestmark = pytest.mark.django_db


def test_queues_hold_the_cases_in_scope_by_sla_state(world):
    late = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 7, 6))).case
    soon = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 7, 13), respondent_number="2/QĐ",
                                                   now=aware(dt.date(2026, 7, 13), 15))).case
    sweep_sla(now=aware(dt.date(2026, 7, 19)))  # acceptance due 15/7 (passed) and 22/7 (within 3 days)

    assert list(selectors.overdue_queue(user=world.head)) == [late]
    assert list(selectors.due_soon_queue(user=world.head)) == [soon]
    assert list(selectors.overdue_queue(user=world.province_head)) == [late]  # the province sees its communes
    assert not selectors.overdue_queue(user=world.outsider).exists()  # another commune does not
    assert selectors.sla_counts(user=world.head) == {"open": 2, "due_soon": 1, "overdue": 1, "backlogged": 0,
                                                     "prolonged": 0, "over_level": 0, "mass": 0, "duplicate": 0,
                                                     "unassigned": 0, "extension_requests": 0}
    assert not selectors.backlogged_queue(user=world.head).exists()


def test_identity_accesses_cannot_be_rewritten(world):
    case = services.case_intake(**complaint_kwargs(world)).case
    look = IdentityAccess.objects.create(case=case, user=world.head, at=aware(dt.date(2026, 7, 6)), purpose="x",
                                         granted=True)
    look.granted = False
    with pytest.raises(ValueError):
        look.save()
