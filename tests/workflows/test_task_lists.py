"""The inbox and queue pages cost a fixed number of queries and show only the user's unit's tasks."""
import html

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from workflows.flows import CaseFlow

from .conftest import RECEIVED, complaint_kwargs, open_task, page_queries

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


def test_a_revisited_list_does_not_write_the_session(world, client):
    """viewflow stored the list's path in the session on every view: an UPDATE of the session row per page."""
    client.force_login(world.reception)
    take_classify_tasks(world, 2)
    url = reverse("workflow:inbox")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q["sql"] for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE")]
    # another list (or the same one filtered) is remembered for viewflow's "back" link
    client.get(f"{url}?flow_task=x")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_the_filter_offers_the_flows_steps_not_a_list_of_every_process(world, client):
    """viewflow's filter was a select of every process of the user's tasks (166,000 options for a head at
    a million cases) and read the task kinds with a DISTINCT over them."""
    client.force_login(world.reception)
    take_classify_tasks(world, 3)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("workflow:inbox")).content.decode()
    assert 'name="process"' not in page
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"] and "flow_task" in q["sql"]]
    options = html.unescape(page)  # viewflow's select carries its options as JSON
    assert '"value": "workflows/flows.CaseFlow.classify"' in options
    assert '"value": "workflows/flows.CaseFlow.verify"' in options
    # filtering by a step keeps only its tasks
    classify_ref = "workflows/flows.CaseFlow.classify"
    assert client.get(reverse("workflow:inbox"), {"flow_task": classify_ref}).content.decode().count("/classify/") == 3
    assert client.get(reverse("workflow:inbox"), {"flow_task": "workflows/flows.CaseFlow.verify"}).content.decode().count(
        "/classify/") == 0


def test_a_page_of_the_inbox_is_read_in_due_order_from_an_index(world):
    """A head's inbox can hold a sixth of a province's cases: a page must be the first entries of
    case_open_next_due_idx, not a sort of all his tasks."""
    from django.test import RequestFactory

    from workflows.views import CaseInboxView

    take_classify_tasks(world, 2)
    view = CaseInboxView()
    view.request = RequestFactory().get("/")
    view.request.user = world.reception
    view.flow_class = CaseFlow
    sql, params = view.queryset[:25].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "case_open_next_due_idx" in plan, plan
    assert "Sort Key: (CASE" not in plan and "Sort Key" not in plan, plan


def test_a_long_inbox_says_more_than_the_cap(world, client, monkeypatch):
    from workflows.views import TaskListPaginator

    client.force_login(world.reception)
    client.cookies["django_language"] = "en"
    take_classify_tasks(world, 3)
    assert "1–3 of 3" in client.get(reverse("workflow:inbox")).content.decode()
    monkeypatch.setattr(TaskListPaginator, "COUNT_CAP", 2)
    body = client.get(reverse("workflow:inbox")).content.decode()
    assert "of more than 2" in body and body.count("/classify/") == 3


def test_the_inbox_is_counted_on_the_task_table_alone_and_as_filtered(world, client):
    """The pager's count reads viewflow_task only (the joins to the cases serve the page's order), and
    it counts what the page lists: all the user's tasks, then only those the filter keeps."""
    client.force_login(world.reception)
    client.cookies["django_language"] = "en"
    take_classify_tasks(world, 3)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("workflow:inbox")).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
              and "viewflow_task" in q["sql"]]
    assert len(counts) == 1 and " JOIN " not in counts[0], counts
    assert "1–3 of 3" in body and body.count("/classify/") == 3
    assert "1–3 of 3" in client.get(reverse("workflow:inbox"), {"flow_task": "workflows/flows.CaseFlow.classify"}
                                    ).content.decode()
    body = client.get(reverse("workflow:inbox"), {"flow_task": "workflows/flows.CaseFlow.verify"}).content.decode()
    assert "/classify/" not in body and "1–3 of 3" not in body
    # another user's tasks are not counted in this inbox
    client.force_login(world.handler)
    assert "/classify/" not in client.get(reverse("workflow:inbox")).content.decode()


def test_the_rows_carry_a_selection_cell_when_the_list_has_bulk_actions(world):
    """The table body is built by the view (rows_html): with bulk actions each row starts with viewflow's
    selection cell, as the header does; without, none."""
    from django.test import RequestFactory

    from workflows.views import CaseInboxView

    take_classify_tasks(world, 2)
    view = CaseInboxView()
    view.request = RequestFactory().get("/")
    view.request.user = world.reception
    view.flow_class = CaseFlow
    with_boxes = view.rows_html(view.queryset, checkbox=True)
    without = CaseInboxView.rows_html(view, view.queryset, checkbox=False)
    assert with_boxes.count("<tr ") == 2 and with_boxes.count('class="vf-list__action-cell"') == 2
    assert 'vf-list__action-cell' not in without and without.count("/classify/") == 2
    assert without.count('<td class="vf-list__table-cell-text">') == 2 * len(view.list_columns)
