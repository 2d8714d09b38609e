"""The intake page offers the reception type; a petition logged at the desk joins that session."""
import pytest

from cases.models import Case, ReceptionType
from tests.cases.test_intake_view import logged_in, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("chosen", "expected"), [
    ({"reception_type": "periodic_head"}, ReceptionType.PERIODIC_HEAD),
    ({}, ReceptionType.REGULAR),  # a form without the field (an older page) counts as the regular desk
])
def test_the_intake_page_logs_the_reception_type(world, chosen, expected):
    client = logged_in(world.head)
    assert 'name="reception_type"' in client.get("/cases/new/").content.decode()
    response = submit(client, world, **chosen)
    assert response.status_code == 303
    session = Case.objects.get().reception_session
    assert (session.type, session.officer, session.persons, session.cases) == (expected, world.head, 1, 1)
