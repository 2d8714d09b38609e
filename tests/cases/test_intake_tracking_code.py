"""A tracking code already taken (1 in 32**12): retried outside a transaction, a conflict inside one.

Intake runs its writes without a savepoint when its caller holds a transaction (the API, the intake
form, Open311: each aborts as a whole on an error), so there is nothing to retry from there.
"""
import secrets

import pytest

from cases import services
from cases.errors import Conflict
from cases.models import Case

from .conftest import complaint_kwargs

OTHER = [{"full_name": "Lê Thị C", "id_number": "001090000003", "phone": ""}]


def first_codes_taken(monkeypatch, times: int):
    """``secrets.choice`` gives the alphabet's first letter for the first ``times`` codes, then chance again."""
    real, left = secrets.choice, [12 * times]

    def choice(alphabet):
        if left[0] > 0:
            left[0] -= 1
            return alphabet[0]
        return real(alphabet)

    monkeypatch.setattr(secrets, "choice", choice)


@pytest.mark.django_db
def test_inside_the_callers_transaction_a_taken_code_is_a_conflict(world, monkeypatch):
    first_codes_taken(monkeypatch, 2)
    services.case_intake(**complaint_kwargs(world))
    with pytest.raises(Conflict):
        services.case_intake(**complaint_kwargs(world, petitioners=OTHER, respondent_number="7/QĐ"))


@pytest.mark.django_db(transaction=True)
def test_on_its_own_intake_retries_a_taken_code(world, monkeypatch):
    first_codes_taken(monkeypatch, 2)
    first = services.case_intake(**complaint_kwargs(world)).case
    second = services.case_intake(**complaint_kwargs(world, petitioners=OTHER, respondent_number="7/QĐ")).case
    assert first.tracking_code == "A" * 12 and second.tracking_code != first.tracking_code
    assert Case.objects.count() == 2 and second.petitioners.count() == 1
