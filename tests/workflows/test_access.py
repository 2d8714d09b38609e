"""viewflow's own pages ask the access policy: no other unit's tasks, processes, charts or codes."""
import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from cases import services
from cases.models import Case
from organisation.models import Role
from tests.factories import UnitFactory, member

from .conftest import RECEIVED, complaint_kwargs, open_nodes

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(world):
    """A case of Xã A, and a ward admin and head of another commune under the same province."""
    case = Case.objects.get(pk=services.case_intake(**complaint_kwargs(world, received=RECEIVED,
                                                                      start_process=True)).case.pk)
    other = UnitFactory(code="xa-c", name="Xã C", parent=world.province)
    return case, member(other, Role.ADMIN, "quantri-xa-c"), member(other, Role.HEAD, "lanhdao-xa-c")


def test_bulk_assign_all_never_reaches_another_units_tasks(world, client, foreign):
    case, admin, head = foreign
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    for user in (admin, head):
        client.force_login(user)
        page = client.post(reverse("workflow:tasks_assign"), {"select_all": "1"})
        assert case.tracking_code not in page.content.decode()
        client.post(reverse("workflow:tasks_assign"), {"select_all": "1", "_confirm": "1"})
        client.post(reverse("workflow:tasks_assign"), {"pk": [task.pk], "_confirm": "1"})
        task.refresh_from_db()
        assert task.owner_id is None and task.status == STATUS.NEW


def test_dashboards_and_lists_show_only_tasks_in_scope(world, client, foreign):
    case, admin, head = foreign
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    marker = task.flow_task.reverse("index", args=[case.process.pk, task.pk])
    for user in (admin, head):
        client.force_login(user)
        for name in ("workflow:index", "workflow:task_list", "workflow:process_list", "workflow:queue",
                     "workflow:inbox", "workflow:archive"):
            body = client.get(reverse(name)).content.decode()
            assert marker not in body and case.tracking_code not in body, (user, name)
    client.force_login(world.reception)
    assert marker in client.get(reverse("workflow:index")).content.decode()


def test_a_process_chart_answers_only_to_those_who_may_see_the_process(world, client, foreign):
    case, admin, _head = foreign
    url = reverse("workflow:process_chart", args=[case.process.pk])
    client.force_login(admin)
    assert client.get(url).status_code == 404
    client.force_login(world.province_head)  # a role counts in the units below
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["case_suspend", "case_resume", "case_extend", "case_withdraw"])
def test_act_pages_of_a_foreign_case_answer_404_without_its_code(world, client, foreign, name):
    case, admin, head = foreign
    for user in (admin, head):
        client.force_login(user)
        response = client.post(reverse(f"workflow:{name}", args=[case.pk]), {"grounds": ""})
        assert response.status_code == 404
        assert case.tracking_code not in response.content.decode()


def test_an_admin_role_in_one_unit_takes_no_task_elsewhere(world, client, foreign):
    """Finding 2: the ward admin assigned himself a province task and cancelled a province process."""
    case, admin, _head = foreign
    ward_admin_here = member(world.commune, Role.ADMIN, "quantri-xa-a")  # even in the case's own unit
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    for user in (admin, ward_admin_here):
        client.force_login(user)
        assert client.post(task.flow_task.reverse("assign", args=[case.process.pk, task.pk])).status_code in (403, 404)
        assert client.post(reverse("workflow:process_cancel", args=[case.process.pk]),
                           {"_cancel_process": "1"}).status_code in (403, 404)
    task.refresh_from_db()
    assert task.owner_id is None and open_nodes(case.process) == {"classify"}


def test_a_task_url_with_another_process_id_is_not_found(world, client):
    first = Case.objects.get(pk=services.case_intake(**complaint_kwargs(world, received=RECEIVED,
                                                                       start_process=True)).case.pk)
    second = Case.objects.get(pk=services.case_intake(**complaint_kwargs(
        world, received=RECEIVED, start_process=True, respondent_number="9/QĐ")).case.pk)
    task = first.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    client.force_login(world.reception)
    wrong = task.flow_task.reverse("assign", args=[second.process.pk, task.pk])
    assert client.post(wrong).status_code == 404
    task.refresh_from_db()
    assert task.owner_id is None


def test_anonymous_users_are_sent_to_the_login_page(world, client):
    case = Case.objects.get(pk=services.case_intake(**complaint_kwargs(world, received=RECEIVED,
                                                                      start_process=True)).case.pk)
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    for url in (task.flow_task.reverse("index", args=[case.process.pk, task.pk]),
                reverse("workflow:case_extend", args=[case.pk])):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_refused_looks_at_a_denunciation_are_logged(world, client):
    from cases.models import IdentityAccess

    from .conftest import denunciation_kwargs

    case = Case.objects.get(pk=services.case_intake(**denunciation_kwargs(world, received=RECEIVED,
                                                                         start_process=True)).case.pk)
    task = case.process.task_set.get(status=STATUS.NEW, flow_task_type="HUMAN")
    client.force_login(world.outsider)
    assert client.post(reverse("workflow:case_extend", args=[case.pk]), {"grounds": "x"}).status_code == 404
    assert client.get(task.flow_task.reverse("detail", args=[case.process.pk, task.pk])).status_code in (403, 404)
    looks = IdentityAccess.objects.filter(case=case, user=world.outsider)
    assert looks.count() == 2 and not looks.filter(granted=True).exists()


def test_kanban_cards_show_the_case_code_kind_and_due_date_at_a_flat_cost(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def load():
        client.force_login(world.reception)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(reverse("workflow:index")).content.decode()
        return body, len(captured)

    first = Case.objects.get(pk=services.case_intake(**complaint_kwargs(world, received=RECEIVED,
                                                                       start_process=True)).case.pk)
    body, few = load()
    assert first.tracking_code in body and first.acceptance_due.strftime("%d/%m/%Y") in body
    assert f"#{first.process.pk}/" not in body
    for n in range(8):
        services.case_intake(**complaint_kwargs(world, received=RECEIVED, start_process=True,
                                                respondent_number=f"{n}/QĐ-X"))
    _body, many = load()
    assert many == few
