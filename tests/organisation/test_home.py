"""The home page shows a head the latest membership changes in their units, and nobody else's."""
import pytest
from django.contrib.auth import get_user_model

from organisation.models import Role
from organisation.selectors import membership_changes
from organisation.services import membership_grant

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(org):
    newcomer = get_user_model().objects.create_user("tiepdan.moi", first_name="Người", last_name="Mới")
    membership_grant(actor=org.sysadmin, user=newcomer, unit=org.ward, role=Role.RECEPTION)
    return newcomer


def test_selector_asks_the_policy_for_the_units(org, change):
    assert [c.user for c in membership_changes(user=org.ward_head)] == [change]
    assert [c.user for c in membership_changes(user=org.province_head)] == [change]
    for outsider in (org.commune_head, org.ward_handler, org.ward_admin, change):
        assert not membership_changes(user=outsider).exists()


@pytest.mark.parametrize("who, sees", [("ward_head", True), ("province_head", True), ("commune_head", False),
                                       ("ward_handler", False)])
def test_home_page_lists_membership_changes_for_heads_of_the_unit_and_above(org, change, who, sees):
    page = client_for(getattr(org, who)).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ('id="membership-changes"' in html) is sees
    assert ("tiepdan.moi" in html or "Mới" in html) is sees
