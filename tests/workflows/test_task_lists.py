"""The inbox and queue pages cost a fixed number of queries and show only the user's unit's tasks."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from workflows.flows import CaseFlow

from .conftest import RECEIVED, complaint_kwargs, open_task

pytestmark = pytest.mark.django_db

INBOX_QUERY_BUDGET = 14  # + the page's first petitioners (one query) and the header's unread notifications (one)


def take_classify_tasks(world, count):
    """``count`` new cases whose classify task the reception desk has taken (so it sits in its inbox)."""
    for n in range(count):
        case = services.case_intake(
            **{**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{n}/QĐ"), "start_process": True}
        ).case
        task = open_task(case.process, CaseFlow.classify)
        with transaction.atomic():
            CaseFlow.classify.activation_class(task).assign(world.reception)


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_inbox_query_count_does_not_grow_with_the_tasks(world, client, django_assert_max_num_queries):
    client.force_login(world.reception)
    take_classify_tasks(world, 1)
    one, _ = page_queries(client, reverse("workflow:inbox"))
    take_classify_tasks(world, 9)
    with django_assert_max_num_queries(INBOX_QUERY_BUDGET):
        ten, page = page_queries(client, reverse("workflow:inbox"))
    assert ten == one
    assert page.count("/classify/") >= 10


def test_queue_query_count_does_not_grow_and_hides_other_units(world, client):
    for n in range(2):
        services.case_intake(**{**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{n}/Q"), "start_process": True})
    client.force_login(world.reception)
    two, page = page_queries(client, reverse("workflow:queue"))
    assert page.count("/classify/") == 2
    for n in range(8):
        services.case_intake(**{**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{n}/R"), "start_process": True})
    ten, page = page_queries(client, reverse("workflow:queue"))
    assert ten == two and page.count("/classify/") == 10

    # the head of another commune sees none of them, nor does the commune's handler (wrong role)
    for user in (world.outsider, world.handler):
        client.force_login(user)
        _, page = page_queries(client, reverse("workflow:queue"))
        assert "/classify/" not in page


@pytest.mark.parametrize("listing", ["workflow:process_list", "workflow:task_list", "workflow:archive", "workflow:index"])
def test_lists_of_processes_and_tasks_show_nothing_of_another_unit(world, client, listing):
    case = services.case_intake(**{**complaint_kwargs(world, received=RECEIVED), "start_process": True}).case
    process_url = reverse("workflow:process_detail", args=[case.process.pk])
    client.force_login(world.reception)
    own = client.get(reverse(listing))
    client.force_login(world.outsider)
    other = client.get(reverse(listing))
    assert other.status_code in (200, 403)
    body = other.content.decode()
    assert case.tracking_code not in body and process_url not in body
    assert own.status_code == 200
