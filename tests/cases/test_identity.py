"""A denouncer's identity is shown only to those the law allows, and every look is logged."""
import datetime as dt

import pytest

from cases import identity, services
from cases.models import IdentityAccess
from organisation.models import Role
from tests.factories import aware, member

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def denunciation(world):
    kwargs = denunciation_kwargs(world, content="Tôi là Nguyễn Văn A, CCCD 001090000001, tố cáo cán bộ X.")
    return services.case_intake(**kwargs).case


def test_resolver_side_sees_the_denouncer_and_the_look_is_logged(world, denunciation):
    rows = identity.petitioners_for(user=world.head, case=denunciation, purpose="verification")
    assert rows[0]["full_name"] == "Nguyễn Văn A"
    log = IdentityAccess.objects.get()
    assert (log.user, log.case, log.granted, log.purpose) == (world.head, denunciation, True, "verification")


def test_others_get_a_redacted_view_and_the_refusal_is_logged(world, denunciation):
    other_handler = member(world.commune, Role.HANDLER)
    for user in (other_handler, world.outsider, world.province_head):
        rows = identity.petitioners_for(user=user, case=denunciation, purpose="list")
        assert all("Nguyễn" not in str(value) for row in rows for value in row.values())
        assert rows[0]["id_number"] != "001090000001"
    assert IdentityAccess.objects.filter(granted=False).count() == 3


def test_assigned_handler_may_see_the_denouncer(world, denunciation):
    services.case_accept(case=denunciation, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    services.case_assign(case=denunciation, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 8)))
    assert identity.petitioners_for(user=world.handler, case=denunciation, purpose="x")[0]["full_name"] == "Nguyễn Văn A"


def test_complaints_are_not_logged_but_stay_in_unit_scope(world):
    case = services.case_intake(**complaint_kwargs(world)).case
    assert identity.petitioners_for(user=world.handler, case=case, purpose="x")[0]["full_name"] == "Nguyễn Văn A"
    assert identity.petitioners_for(user=world.outsider, case=case, purpose="x")[0]["full_name"] != "Nguyễn Văn A"
    assert not IdentityAccess.objects.exists()


def test_verification_copy_removes_identifying_values(world, denunciation):
    text = identity.redacted_content(denunciation)
    assert "Nguyễn Văn A" not in text and "001090000001" not in text
    assert "tố cáo cán bộ X" in text
