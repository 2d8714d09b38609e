"""The report page: who may open which unit's report, runs computed in the request, downloads, privacy."""
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from access import policy
from cases.models import Petitioner
from reports.models import ReportRun
from reports.runs import start_run
from tests.factories import aware

from .h9b_world import World, make_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 20)


@pytest.fixture
def world():
    return World()


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(aware(TODAY, 10), tick=False):
        yield


def h1_form(unit, **extra):
    return {"unit": unit.pk, "period": "H1", "year": 2026, **extra}


def test_a_head_chooses_among_their_units_only(world, client):
    client.force_login(world.head_a)
    page = client.get(reverse("report_page"))
    assert page.status_code == 200
    choices = {unit.code for unit in page.context["form"].fields["unit"].queryset}
    assert choices == {"xa-a", "thon-a1"}
    refused = client.post(reverse("report_page"), h1_form(world.ward_b))
    assert refused.status_code == 400 and "unit" in refused.context["form"].errors
    assert not ReportRun.objects.exists()


def test_the_compiling_office_sees_every_unit_under_its_committee(world):
    assert policy.report_unit_ids(world.compiler) == {
        world.committee.pk, world.office.pk, world.ward_a.pk, world.hamlet.pk, world.ward_b.pk}
    assert policy.may_track_submissions(world.compiler)
    assert not policy.may_track_submissions(world.head_a)
    assert policy.report_unit_ids(world.outsider) == {world.elsewhere.pk}


def test_a_report_run_in_the_request_is_downloadable_and_hidden_from_other_units(world, client):
    make_case(world.ward_a, received=dt.date(2026, 3, 2))
    make_case(world.ward_a, received=dt.date(2026, 6, 15))  # after the H1 window (14 June)
    client.force_login(world.head_a)
    response = client.post(reverse("report_page"), h1_form(world.ward_a))
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report_run", args=[run.pk])
    assert (run.state, run.progress, run.in_background, run.label) == ("done", 100, False, "H1-2026")
    assert (run.date_from, run.date_to) == (dt.date(2025, 12, 15), dt.date(2026, 6, 14))

    page = client.get(reverse("report_run", args=[run.pk]))
    assert page.status_code == 200
    assert b'data-figure="petitions.received"' in page.content
    assert run.result["petitions"]["received"] == 1
    xlsx = client.get(reverse("report_run_download", args=[run.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    load_workbook(io.BytesIO(xlsx.content))
    run.refresh_from_db()
    assert run.xlsx is not None and run.pdf is None  # rendered at the first download, then stored
    assert client.get(reverse("report_run_download", args=[run.pk, "exe"])).status_code == 404

    for user in (world.head_b, world.outsider):
        client.force_login(user)
        assert client.get(reverse("report_run", args=[run.pk])).status_code == 404
        assert client.get(reverse("report_run_download", args=[run.pk, "csv"])).status_code == 404
        assert client.get(reverse("report_run_progress", args=[run.pk])).status_code == 404
    client.force_login(world.compiler)
    assert client.get(reverse("report_run", args=[run.pk])).status_code == 200


def test_a_rollup_is_queued_for_a_worker(world, client, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("reports.tasks.report_run_task.delay", queued.append)
    client.force_login(world.compiler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_page"), h1_form(world.committee, rollup="on"))
    run = ReportRun.objects.get()
    assert queued == [run.pk]
    assert (run.state, run.in_background) == ("queued", True)
    page = client.get(response["Location"])
    assert b'id="report-progress"' in page.content and b"hx-get" in page.content
    assert client.get(reverse("report_run_download", args=[run.pk, "xlsx"])).status_code == 404


def test_bad_period_input_is_a_form_error(world, client):
    client.force_login(world.head_a)
    reversed_range = {"unit": world.ward_a.pk, "period": "range", "date_from": "2026-05-01", "date_to": "2026-04-01"}
    for data in (reversed_range, {**reversed_range, "date_to": ""}, {"unit": world.ward_a.pk, "period": "H7"}):
        assert client.post(reverse("report_page"), data).status_code == 400
    assert not ReportRun.objects.exists()


def test_users_without_a_unit_get_404(client, django_user_model):
    client.force_login(django_user_model.objects.create(username="citizen"))
    assert client.get(reverse("report_page")).status_code == 404
    assert client.get(reverse("report_submissions")).status_code == 404


def test_no_petitioner_data_in_the_page_or_the_files(world, client):
    case = make_case(world.ward_a, received=dt.date(2026, 3, 2))
    Petitioner.objects.create(case=case, full_name="Nguyễn Văn Bí Mật", address="12 Đường Kín")
    run = start_run(actor=world.head_a, unit=world.ward_a, rollup=False, date_from=dt.date(2026, 1, 1),
                    date_to=dt.date(2026, 6, 1))
    client.force_login(world.head_a)
    page = client.get(reverse("report_run", args=[run.pk])).content.decode()
    csv = client.get(reverse("report_run_download", args=[run.pk, "csv"])).content.decode()
    for text in (page, csv):
        assert "Bí Mật" not in text and "Đường Kín" not in text


def test_the_report_page_lists_recent_runs_in_few_queries(world, client, django_assert_max_num_queries):
    for _ in range(5):
        ReportRun.objects.create(unit=world.ward_a, requested_by=world.head_a, requested_at=aware(TODAY),
                                 date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 1))
    client.force_login(world.head_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("report_page"))
    assert len(page.context["runs"]) == 5
