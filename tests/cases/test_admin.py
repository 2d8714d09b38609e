"""The admin shows cases but never moves them, and is no back door (issue 5, findings 2 and 4).

Status and deadlines belong to the services; what a user sees is the policy's
answer (scope, identity), the lists answer only their declared filters, and
every opening of a protected case is logged, granted or refused.
"""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent, IdentityAccess, Status, Topic
from cases.services import case_intake
from deadlines.models import DeadlineRule
from organisation.models import Role
from tests.organisation.conftest import Org, client_for

pytestmark = pytest.mark.django_db

ID_NUMBER = "001090000123"
NAME = "Lê Văn Tố"
PHONE = "0912345678"


class World(Org):
    """The demo's shape (see tests/organisation/conftest.py) with a ward reception desk and three cases."""

    def __init__(self):
        super().__init__()
        from tests.factories import member

        self.ward_reception = member(self.ward, Role.RECEPTION, "tiepdan.xa")
        self.province_reception = member(self.province, Role.RECEPTION, "tiepdan")
        self.topic = Topic.objects.create(code="land", name="Đất đai")
        now = timezone.now()
        self.complaint = case_intake(
            actor=self.ward_reception, kind="complaint", channel="mail", received_at=now - dt.timedelta(days=1),
            receiving_unit=self.ward, content="Khiếu nại quyết định", respondent_number="7/QĐ-UBND",
            petitioners=[{"full_name": "Trần Thị Lan"}], topic=self.topic, now=now, start_process=False,
        ).case
        self.denunciation = case_intake(
            actor=self.ward_reception, kind="denunciation", channel="in_person",
            received_at=now - dt.timedelta(hours=2), receiving_unit=self.ward,
            content=f"Tố cáo ông B; người tố cáo {NAME}, CCCD {ID_NUMBER}, {PHONE}", accused="Ông B, công chức phường",
            petitioners=[{"full_name": NAME, "id_number": ID_NUMBER, "phone": PHONE}], start_process=False,
        ).case
        self.province_denunciation = case_intake(
            actor=self.province_reception, kind="denunciation", channel="in_person",
            received_at=now - dt.timedelta(hours=3), receiving_unit=self.province,
            content="Tố cáo giám đốc sở; người tố cáo Phạm Thị Kín, CCCD 001090000999", accused="Giám đốc sở",
            petitioners=[{"full_name": "Phạm Thị Kín", "id_number": "001090000999"}], start_process=False,
        ).case
        self.superuser = get_user_model().objects.create_superuser("root", password="x")


@pytest.fixture
def world(db):
    return World()


def looks(case, user):
    return list(IdentityAccess.objects.filter(case=case, user=user).values_list("purpose", "granted"))


# --- read-only -----------------------------------------------------------------------------------

def test_case_pages_render_read_only(world):
    client = client_for(world.ward_head)
    assert client.get("/admin/cases/case/?status__exact=received").status_code == 200
    assert client.get(f"/admin/cases/case/?q={world.complaint.tracking_code}").context["cl"].result_count == 1
    assert client.get(f"/admin/cases/case/?q={world.complaint.tracking_code[:5].lower()}").context["cl"].result_count == 1
    page = client.get(f"/admin/cases/case/{world.complaint.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert world.complaint.content in page.content.decode()


def test_posting_to_a_case_changes_nothing(world):
    client = client_for(world.sysadmin)
    response = client.post(f"/admin/cases/case/{world.complaint.pk}/change/",
                           {"content": "Nội dung đã sửa", "status": "closed"})
    assert response.status_code == 403
    case = Case.objects.get(pk=world.complaint.pk)
    assert (case.content, case.status) == ("Khiếu nại quyết định", Status.RECEIVED)


def test_cases_and_events_cannot_be_added_or_deleted_in_the_admin(world):
    client = client_for(world.sysadmin)
    case = world.complaint
    assert client.get("/admin/cases/case/add/").status_code == 403
    assert client.get("/admin/cases/caseevent/add/").status_code == 403
    event = CaseEvent.objects.filter(case=case).first()
    assert client.get(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/cases/case/{case.pk}/delete/").status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()
    page = client.get(f"/admin/cases/caseevent/{event.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False


# --- scope (finding 2) -----------------------------------------------------------------------------

def test_a_superuser_without_membership_sees_no_case(world):
    client = client_for(world.superuser)
    listing = client.get("/admin/cases/case/")
    assert listing.status_code == 403
    for case in (world.complaint, world.denunciation):
        assert case.tracking_code not in listing.content.decode()
        assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 404
    assert looks(world.denunciation, world.superuser) == [("admin", False)]
    assert client.get("/admin/cases/caseevent/").status_code == 403
    assert client.get("/admin/viewflow/task/").status_code == 403


def test_an_admin_role_counts_in_its_unit_and_below_only(world):
    """quantri.xa (ward) sees the ward's cases, not the province's; quantri (province) sees both."""
    ward = client_for(world.ward_admin).get("/admin/cases/case/").context["cl"]
    assert {c.pk for c in ward.queryset} == {world.complaint.pk, world.denunciation.pk}
    province = client_for(world.sysadmin).get("/admin/cases/case/").context["cl"]
    assert {c.pk for c in province.queryset} == {world.complaint.pk, world.denunciation.pk,
                                                 world.province_denunciation.pk}


def test_out_of_scope_cases_are_404_and_a_protected_one_is_logged_as_refused(world):
    client = client_for(world.commune_head)
    assert client.get("/admin/cases/case/").context["cl"].result_count == 0
    assert client.get(f"/admin/cases/case/{world.complaint.pk}/change/").status_code == 404
    assert client.get(f"/admin/cases/case/{world.complaint.pk}/history/").status_code == 404
    assert looks(world.complaint, world.commune_head) == []  # not protected: nothing to log
    response = client.get(f"/admin/cases/case/{world.denunciation.pk}/change/")
    assert response.status_code == 404 and NAME not in response.content.decode()
    assert looks(world.denunciation, world.commune_head) == [("admin", False)]
    assert client.get("/admin/cases/case/99999999/change/").status_code == 404
    assert client.get("/admin/cases/case/nonsense/change/").status_code == 404
    assert client.get("/admin/cases/caseevent/").context["cl"].result_count == 0


# --- identity (finding 3, in the admin) -------------------------------------------------------------

@pytest.mark.parametrize("who, granted", [
    ("ward_head", True),          # head of the receiving unit (reference §5)
    ("ward_admin", False),        # in scope, not named by the law
    ("sysadmin", False),          # administrator of the province and a superuser: no right to identities
    ("province_head", False),     # above the unit, neither receiving nor competent
])
def test_a_denouncers_identity_in_the_admin_and_every_look_logged(world, who, granted):
    user = getattr(world, who)
    page = client_for(user).get(f"/admin/cases/case/{world.denunciation.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tố cáo ông B" in html
    for secret in (NAME, ID_NUMBER, PHONE):
        assert (secret in html) is granted, secret
    assert looks(world.denunciation, user) == [("admin", granted)]


def test_a_protected_cases_event_payloads_are_hidden_with_the_identity(world):
    event = CaseEvent.objects.create(case=world.denunciation, at=timezone.now(), action="note",
                                     payload={"minutes": f"Làm việc với {NAME}"})
    hidden = client_for(world.ward_admin)
    assert NAME not in hidden.get(f"/admin/cases/caseevent/{event.pk}/change/").content.decode()
    assert NAME not in hidden.get(f"/admin/cases/case/{world.denunciation.pk}/change/").content.decode()
    assert NAME in client_for(world.ward_head).get(f"/admin/cases/caseevent/{event.pk}/change/").content.decode()


def test_identity_accesses_are_shown_to_heads_in_scope_and_the_system_admin_read_only(world):
    client_for(world.ward_admin).get(f"/admin/cases/case/{world.denunciation.pk}/change/")
    client_for(world.commune_head).get(f"/admin/cases/case/{world.province_denunciation.pk}/change/")
    for who, expected in (("ward_head", {world.denunciation.pk}), ("province_head", {world.denunciation.pk,
                          world.province_denunciation.pk}), ("sysadmin", {world.denunciation.pk,
                          world.province_denunciation.pk}), ("commune_head", set())):
        page = client_for(getattr(world, who)).get("/admin/cases/identityaccess/")
        assert page.status_code == 200, who
        assert {row.case_id for row in page.context["cl"].queryset} == expected, who
    for who in ("ward_admin", "superuser"):
        assert client_for(getattr(world, who)).get("/admin/cases/identityaccess/").status_code == 403
    row = IdentityAccess.objects.filter(case=world.denunciation).first()
    head = client_for(world.ward_head)
    assert head.get(f"/admin/cases/identityaccess/{row.pk}/change/").context["has_change_permission"] is False
    assert head.post(f"/admin/cases/identityaccess/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client_for(world.sysadmin).get("/admin/cases/identityaccess/add/").status_code == 403


# --- lookups and search (finding 4) -------------------------------------------------------------------

ORACLES = [
    "/admin/cases/case/?content__icontains={v}",
    "/admin/cases/case/?content__regex={v}",
    "/admin/cases/case/?content__contains={v}",
    "/admin/cases/case/?petitioners__id_number={v}",
    "/admin/cases/case/?petitioners__id_number__startswith={v}",
    "/admin/cases/case/?petitioners__full_name__icontains={v}",
    "/admin/cases/case/?pin_hash__startswith={v}",
    "/admin/cases/case/?accused__icontains={v}",
    "/admin/cases/case/?receiving_unit__path__startswith={v}",
    "/admin/cases/case/?tracking_code__startswith={v}",
    "/admin/cases/case/?status__regex={v}",
    "/admin/cases/case/?topic__name__icontains={v}",
    "/admin/cases/case/?duplicate_of__content__icontains={v}",
    "/admin/cases/caseevent/?payload__icontains={v}",
    "/admin/cases/caseevent/?case__content__icontains={v}",
    "/admin/cases/identityaccess/?case__petitioners__id_number={v}",
    "/admin/organisation/membership/?user__password__startswith={v}",
    "/admin/auth/user/?password__startswith={v}",
]
SEARCHES = [
    "/admin/cases/case/?q={v}",
    "/admin/cases/caseevent/?q={v}",
    "/admin/cases/identityaccess/?q={v}",
    "/admin/cases/case/?q={v}&status__exact=received",
]


@pytest.mark.parametrize("who", ["ward_admin", "sysadmin", "ward_head"])
def test_no_lookup_outside_the_declared_filters(world, who):
    client = client_for(getattr(world, who))
    secrets = {
        "content": ID_NUMBER, "pin": world.denunciation.pin_hash[:6], "path": world.ward.path[:3],
        "code": world.denunciation.tracking_code[:4],
    }
    for template in ORACLES:
        answers = set()
        for value in (*secrets.values(), "zzzz-nonsense", "^0"):
            response = client.get(template.format(v=value))
            answers.add(response.status_code)
            assert response.status_code in (400, 403), (template, value, response.status_code)
            assert NAME not in response.content.decode() and PHONE not in response.content.decode()
        assert len(answers) == 1, template


@pytest.mark.parametrize("who", ["ward_admin", "sysadmin", "ward_head"])
def test_search_gives_equal_counts_for_a_real_id_number_and_nonsense(world, who):
    client = client_for(getattr(world, who))
    for template in SEARCHES:
        answers = set()
        for value in (ID_NUMBER, ID_NUMBER[:6], NAME, PHONE, "Tố cáo", "zzzz-nonsense"):
            response = client.get(template.format(v=value))
            cl = response.context["cl"] if response.status_code == 200 else None
            answers.add((response.status_code, cl.result_count if cl else None))
            html = response.content.decode().replace(value, "")  # the search box echoes the question
            assert NAME not in html and PHONE not in html and ID_NUMBER not in html
        assert answers in ({(200, 0)}, {(403, None)}), (template, answers)


def test_the_declared_filters_still_work(world):
    client = client_for(world.ward_head)
    year, month = world.complaint.received_at.year, world.complaint.received_at.month
    for query, expected in (
        ("status__exact=received", 2),
        ("kind__exact=denunciation", 1),
        (f"topic__id__exact={world.topic.pk}", 1),
        ("is_mass__exact=1", 0),
        (f"received_at__year={year}&received_at__month={month}", 2),
        ("received_at__year=2001", 0),
    ):
        response = client.get(f"/admin/cases/case/?{query}")
        assert response.status_code == 200, query
        assert response.context["cl"].result_count == expected, query


@pytest.mark.parametrize("query", ["received_at__year=9999", "received_at__year=1&received_at__month=0",
                                   "received_at__year=99999", "received_at__year=x"])
def test_a_bad_date_drill_down_is_a_400_not_a_500(world, query):
    assert client_for(world.ward_head).get(f"/admin/cases/case/?{query}").status_code == 400


def test_topic_filter_offers_only_topics_of_cases_in_scope(world):
    Topic.objects.create(code="secret-topic", name="Chủ đề của đơn vị khác")
    html = client_for(world.ward_head).get("/admin/cases/case/").content.decode()
    assert "Đất đai" in html and "Chủ đề của đơn vị khác" not in html


# --- viewflow, reference data, branding ----------------------------------------------------------------

def test_viewflow_processes_and_tasks_are_scoped_and_read_only(world):
    from viewflow.workflow.models import Process, Task

    now = timezone.now()
    case = case_intake(
        actor=world.ward_reception, kind="complaint", channel="mail", received_at=now - dt.timedelta(hours=1),
        receiving_unit=world.ward, content="Khiếu nại", respondent_number="8/QĐ-UBND",
        petitioners=[{"full_name": "Ngô Văn Hai"}], now=now,
    ).case
    process = Process.objects.get(pk=case.process.pk)
    task = Task.objects.filter(process=process).first()
    outsider = client_for(world.commune_head)
    assert outsider.get("/admin/viewflow/process/").context["cl"].result_count == 0
    assert outsider.get("/admin/viewflow/task/").context["cl"].result_count == 0
    assert outsider.get(f"/admin/viewflow/process/{process.pk}/change/").status_code == 404
    insider = client_for(world.ward_head)
    listing = insider.get("/admin/viewflow/process/")
    assert [p.pk for p in listing.context["cl"].result_list] == [process.pk]
    assert not listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
    assert insider.get("/admin/viewflow/task/").context["cl"].result_count >= 1
    page = insider.get(f"/admin/viewflow/task/{task.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    root = client_for(world.sysadmin)
    assert root.post(f"/admin/viewflow/process/{process.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.post(f"/admin/viewflow/task/{task.pk}/change/", {"status": "CANCELED"}).status_code == 403
    assert Task.objects.get(pk=task.pk).status == task.status


def test_deadline_rules_and_topics_are_changed_by_the_system_admin_only(world):
    rule = DeadlineRule.objects.first()
    head = client_for(world.ward_head)
    assert head.get("/admin/deadlines/deadlinerule/").status_code == 200
    page = head.get(f"/admin/deadlines/deadlinerule/{rule.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert head.post(f"/admin/deadlines/deadlinerule/{rule.pk}/change/", {"length": 1}).status_code == 403
    assert head.get("/admin/deadlines/calendaroverride/add/").status_code == 403
    assert head.post(f"/admin/cases/topic/{world.topic.pk}/change/", {"code": "x", "name": "x"}).status_code == 403
    root = client_for(world.sysadmin)
    assert root.get(f"/admin/deadlines/deadlinerule/{rule.pk}/change/").context["has_change_permission"] is True
    response = root.post(f"/admin/cases/topic/{world.topic.pk}/change/", {"code": "land", "name": "Đất đai (sửa)"})
    assert response.status_code == 302
    assert Topic.objects.get(pk=world.topic.pk).name == "Đất đai (sửa)"


def test_the_admin_carries_our_name_in_vietnamese(world):
    html = client_for(world.ward_head).get("/admin/").content.decode()
    assert "Trang quản trị cho Django" not in html and "Django" not in html.split("<body", 1)[1].split("</header>")[0]
    assert "Đơn thư của công dân" in html
    english = Client()
    english.force_login(world.ward_head)
    english.cookies["django_language"] = "en"
    assert "Citizen petitions" in english.get("/admin/").content.decode()


def test_an_administrator_sees_no_complainant_in_the_admin_either():
    """The admin role takes no act and is no officer of a case: the policy shows him no petitioner."""
    from tests.cases.conftest import World, complaint_kwargs
    from tests.factories import member

    world = World()
    case = case_intake(**complaint_kwargs(world)).case
    system_admin = member(world.province, Role.ADMIN, "quantri-tinh")
    system_admin.is_staff = True
    system_admin.save()
    client = Client()
    client.force_login(system_admin)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and case.tracking_code in page.content.decode()
    assert "Nguyễn Văn A" not in page.content.decode() and "001090000001" not in page.content.decode()
    client.force_login(world.head)
    world.head.is_staff = True
    world.head.save()
    assert "Nguyễn Văn A" in client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
