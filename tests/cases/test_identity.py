"""A denouncer's identity is shown only to those the law allows, and every look is logged."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cases import identity, services
from cases.models import Case, IdentityAccess
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


def test_a_denunciation_reclassified_as_feedback_keeps_its_denouncer_hidden_and_every_look_logged(world, denunciation):
    """Finding 3: reclassifying must not expose a denouncer, and the looks stay logged."""
    other_handler = member(world.commune, Role.HANDLER)
    services.case_classify(case=denunciation, actor=world.head, kind="feedback", now=aware(dt.date(2026, 7, 7)))
    denunciation.refresh_from_db()
    assert denunciation.kind == "feedback"

    rows = identity.petitioners_for(user=other_handler, case=denunciation, purpose="list")
    assert rows[0]["full_name"] != "Nguyễn Văn A" and rows[0]["id_number"] != "001090000001"
    text = identity.content_for(user=other_handler, case=denunciation, purpose="task")
    assert "Nguyễn Văn A" not in text and "001090000001" not in text and "tố cáo cán bộ X" in text
    # the officers §5 names still see it, and every look — refused or granted — is logged
    assert identity.petitioners_for(user=world.head, case=denunciation, purpose="x")[0]["full_name"] == "Nguyễn Văn A"
    looks = list(IdentityAccess.objects.order_by("pk").values_list("user", "granted"))
    assert looks == [(other_handler.pk, False), (other_handler.pk, False), (world.head.pk, True)]


def test_protection_is_the_cases_own_flag_not_its_kind(world):
    assert identity.is_protected(Case(kind="feedback", identity_protected=True))
    assert not identity.is_protected(Case(kind="denunciation", identity_protected=False))  # never saved like this:
    case = services.case_intake(**complaint_kwargs(world)).case
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses an unprotected denunciation
        Case.objects.filter(pk=case.pk).update(kind="denunciation")
    case.kind, case.identity_protected = "denunciation", False
    case.save(update_fields=["kind", "identity_protected"])  # and save() protects whatever it was given
    assert Case.objects.get(pk=case.pk).identity_protected


def test_a_second_round_made_from_a_once_protected_case_stays_protected(world, denunciation):
    """A denunciation reclassified as a complaint and appealed: the province's copy keeps the protection."""
    def on(day):
        return aware(dt.date(2026, 7, day))

    services.case_classify(case=denunciation, actor=world.head, kind="complaint", respondent_number="9/QĐ-UBND",
                           now=on(7))
    services.case_accept(case=denunciation, actor=world.head, now=on(8))
    services.case_assign(case=denunciation, actor=world.head, handler=world.handler, now=on(9))
    services.case_start_verification(case=denunciation, actor=world.handler, now=on(9))
    services.case_decide(case=denunciation, actor=world.head, decision_number="1", summary="x", now=on(20))
    second = services.case_appeal(case=denunciation, actor=world.province_reception, received_at=on(21),
                                  competent_unit=world.province, now=on(21))
    assert second.identity_protected and identity.is_protected(second)
    province_handler = member(world.province, Role.HANDLER)
    rows = identity.petitioners_for(user=province_handler, case=second, purpose="list")
    assert rows[0]["full_name"] != "Nguyễn Văn A"
    assert IdentityAccess.objects.filter(case=second, user=province_handler, granted=False).exists()
