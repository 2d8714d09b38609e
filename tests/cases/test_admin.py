"""The admin shows cases but never moves them: status and deadlines belong to the services."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent, Status
from cases.services import case_intake
from organisation.models import Role
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    unit = UnitFactory()
    now = timezone.now()
    return case_intake(
        actor=member(unit, Role.RECEPTION), kind="complaint", channel="mail", received_at=now - dt.timedelta(days=1),
        receiving_unit=unit, content="Khiếu nại quyết định", respondent_number="7/QĐ-UBND",
        petitioners=[{"full_name": "Trần Thị Lan"}], now=now, start_process=False,
    ).case


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    return client


def test_case_pages_render_read_only(admin_client, case):
    assert admin_client.get("/admin/cases/case/?status=received&sla_state=").status_code == 200
    assert admin_client.get(f"/admin/cases/case/?q={case.tracking_code}").context["cl"].result_count == 1
    page = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert case.content in page.content.decode()


def test_posting_to_a_case_changes_nothing(admin_client, case):
    response = admin_client.post(f"/admin/cases/case/{case.pk}/change/", {"content": "Nội dung đã sửa", "status": "closed"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.content, case.status) != ("Nội dung đã sửa", Status.CLOSED)
    assert case.status == Status.RECEIVED


def test_staff_see_only_the_cases_of_their_units(case):
    from django.contrib.auth.models import Permission

    outsider = member(UnitFactory(), Role.HEAD, username="other-unit-head")
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    client = Client()
    client.force_login(outsider)
    assert client.get("/admin/cases/case/").context["cl"].result_count == 0
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 302  # "does not exist" redirect
    assert client.get("/admin/cases/caseevent/").context["cl"].result_count == 0


def test_cases_and_events_cannot_be_added_or_deleted_in_the_admin(admin_client, case):
    assert admin_client.get("/admin/cases/case/add/").status_code == 403
    assert admin_client.get("/admin/cases/caseevent/add/").status_code == 403
    event = CaseEvent.objects.filter(case=case).first()
    assert admin_client.get(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/cases/case/{case.pk}/delete/").status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
    # an event opens read-only
    page = admin_client.get(f"/admin/cases/caseevent/{event.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False


def test_denouncer_identity_is_hidden_from_staff_outside_the_circle_and_every_look_is_logged(case):
    """LTC Arts 8(3), 47: a colleague without a need to know, and a superuser, see the case, not who denounced."""
    from django.contrib.auth.models import Permission

    from cases.models import IdentityAccess

    unit = case.receiving_unit
    denunciation = case_intake(
        actor=member(unit, Role.RECEPTION), kind="denunciation", channel="in_person",
        received_at=timezone.now() - dt.timedelta(hours=2), receiving_unit=unit,
        content="Tố cáo ông B; người tố cáo Lê Văn Tố, 0912345678", accused="Ông B, công chức xã",
        petitioners=[{"full_name": "Lê Văn Tố", "phone": "0912345678"}], start_process=False,
    ).case
    outsider = member(unit, Role.HANDLER, username="outsider")  # same unit, not the assigned handler
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    client = Client()
    client.force_login(outsider)
    page = client.get(f"/admin/cases/case/{denunciation.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lê Văn Tố" not in html and "0912345678" not in html
    assert "Tố cáo ông B" in html
    assert IdentityAccess.objects.filter(case=denunciation, user=outsider, granted=False).count() == 1

    root = get_user_model().objects.create_superuser("chief", password="x")
    client.force_login(root)
    assert "Lê Văn Tố" not in client.get(f"/admin/cases/case/{denunciation.pk}/change/").content.decode()
    assert IdentityAccess.objects.filter(case=denunciation, user=root, granted=False).count() == 1

    head = member(unit, Role.HEAD, username="unit-head")
    head.is_staff = True
    head.save()
    head.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    client.force_login(head)
    assert "Lê Văn Tố" in client.get(f"/admin/cases/case/{denunciation.pk}/change/").content.decode()
    assert IdentityAccess.objects.filter(case=denunciation, user=head, granted=True).count() == 1
