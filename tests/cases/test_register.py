"""The reception register: the user's units only, initials not names, nothing of a protected case, xlsx export."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import services

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2026, 7, 6)
URL = "/cases/register/"


def test_register_lists_the_units_petitions_with_initials_and_hides_protected_ones(world, client):
    complaint = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    denunciation = services.case_intake(**denunciation_kwargs(
        world, received=RECEIVED, petitioners=[{"full_name": "Trần Thị Bí Mật", "phone": "0900000009"}])).case
    client.force_login(world.reception)
    body = client.get(URL).content.decode()
    assert complaint.tracking_code in body and denunciation.tracking_code in body
    assert "N. V. A." in body and "Nguyễn Văn A" not in body
    assert "Bí Mật" not in body and "T. T. B. M." not in body
    assert "nhận tiền" not in body  # a denunciation's content names people: not in a list
    assert reverse("case_detail", args=[complaint.pk]) in body

    client.force_login(world.outsider)  # another commune's head
    body = client.get(URL).content.decode()
    assert complaint.tracking_code not in body and denunciation.tracking_code not in body


def test_register_filters_and_refuses_bad_filters(world, client):
    early = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    late = services.case_intake(**complaint_kwargs(world, received=dt.date(2026, 7, 8), respondent_number="9/QĐ")).case
    denunciation = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    client.force_login(world.head)
    body = client.get(URL, {"received_after": "2026-07-07"}).content.decode()
    assert late.tracking_code in body and early.tracking_code not in body
    body = client.get(URL, {"received_before": "2026-07-06"}).content.decode()
    assert early.tracking_code in body and late.tracking_code not in body
    body = client.get(URL, {"kind": "denunciation"}).content.decode()
    assert denunciation.tracking_code in body and early.tracking_code not in body
    assert client.get(URL, {"kind": "nonsense"}).status_code == 400
    assert client.get(URL, {"unit": world.remote_commune.pk}).status_code == 400


def test_xlsx_export_has_the_filtered_rows_and_no_names(world, client):
    complaint = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    denunciation = services.case_intake(**denunciation_kwargs(world, received=RECEIVED)).case
    client.force_login(world.reception)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = {row[2] for row in rows[1:]}
    assert codes == {complaint.tracking_code, denunciation.tracking_code}
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "Nguyễn Văn A" not in flat and "nhận tiền" not in flat
    only = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx", "kind": "complaint"}).content)).active
    assert [row[2] for row in only.iter_rows(min_row=2, values_only=True)] == [complaint.tracking_code]


def test_register_page_costs_the_same_for_3_or_30_cases(world, client, django_assert_max_num_queries):
    for i in range(30):
        services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{i}/QĐ"))
    client.force_login(world.head)
    client.get(URL)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_signed_out_users_go_to_login_and_citizens_get_nothing(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_long_register_says_more_than_the_cap_instead_of_counting_every_case(world, client, monkeypatch):
    from cases.paging import CappedPaginator

    for n in range(3):
        services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{n}/REG"))
    client.force_login(world.reception)
    client.cookies["django_language"] = "en"
    assert "3 cases" in client.get(URL).content.decode()
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 2)
    body = client.get(URL).content.decode()
    assert "more than 2 cases" in body and "3 cases" not in body
