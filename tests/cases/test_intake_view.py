"""The reception desk logs a petition in the browser and hands over the receipt code and PIN."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseEvent
from cases.services import check_pin

pytestmark = pytest.mark.django_db

URL = "/cases/new/"


def form_data(world, token="", **overrides):
    data = {
        "form_token": token,
        "kind": "complaint", "channel": "in_person", "received_at": "2026-07-06T09:00",
        "receiving_unit": world.commune.pk, "competent_unit": "", "topic": "",
        "content": "Khiếu nại quyết định thu hồi đất.", "respondent_number": "123/QĐ-UBND",
        "respondent_date": "", "respondent_issuer": "", "respondent_act": "", "accused": "",
        "complexity": "simple", "complexity_grounds": "", "is_signed": "on",
        "people-TOTAL_FORMS": "2", "people-INITIAL_FORMS": "0", "people-MIN_NUM_FORMS": "0", "people-MAX_NUM_FORMS": "200",
        "people-0-full_name": "Nguyễn Văn A", "people-0-id_number": "001090000001", "people-0-has_signed": "on",
        "people-1-full_name": "", "people-1-id_number": "",
    }
    data.update(overrides)
    return data


def logged_in(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def form_token(client):
    """The one-time token of a freshly opened intake form."""
    page = client.get(URL)
    assert page.status_code == 200
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def submit(client, world, **overrides):
    """Open the form and post it, as the browser does."""
    return client.post(URL, form_data(world, token=form_token(client), **overrides))


def receipt_of(response):
    assert response.status_code == 303, response.content.decode()[:3000]
    assert re.fullmatch(r"/cases/receipt/[A-Za-z0-9_-]{20,}/", response["Location"])
    return response["Location"]


def shown_pin(page):
    found = re.search(r'data-field="pin">(\d{6})<', page.content.decode())
    return found.group(1) if found else None


def test_reception_logs_a_case_and_gets_a_receipt_with_a_working_pin(world):
    client = logged_in(world.reception)
    location = receipt_of(submit(client, world))
    page = client.get(location)
    assert page.status_code == 200
    html = page.content.decode()
    code = re.search(r'data-field="code">([A-Z0-9]+)<', html).group(1)
    case = Case.objects.get(tracking_code=code)
    assert check_pin(case, shown_pin(page))
    assert case.petitioners.count() == 1  # the empty row is ignored
    assert case.process.task_set.filter(flow_task_type="HUMAN").exists()
    assert CaseEvent.objects.get(case=case, action="intake").actor == world.reception
    assert case.acceptance_due.strftime("%d/%m/%Y") in html


def test_the_pin_is_shown_once_and_reloading_the_receipt_makes_no_case(world):
    client = logged_in(world.reception)
    location = receipt_of(submit(client, world))
    first = client.get(location)
    assert shown_pin(first) is not None
    again = client.get(location)
    assert again.status_code == 200 and shown_pin(again) is None
    assert 'data-field="pin-note"' in again.content.decode()
    assert re.search(r'data-field="code">[A-Z0-9]{12}<', again.content.decode())
    assert Case.objects.count() == 1


def test_a_second_post_of_the_same_form_makes_no_second_case_and_goes_to_the_first_receipt(world):
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client))
    first = receipt_of(client.post(URL, data))
    second = receipt_of(client.post(URL, data))  # a reload of the POST, or a double click
    assert first == second
    assert Case.objects.count() == 1
    assert shown_pin(client.get(second)) is not None  # still one receipt, its PIN shown once
    assert shown_pin(client.get(first)) is None
    assert Case.objects.count() == 1


def test_a_refused_form_keeps_its_token_and_the_corrected_one_makes_one_case(world):
    client = logged_in(world.reception)
    token = form_token(client)
    refused = client.post(URL, form_data(world, token=token, respondent_number=""))
    assert refused.status_code == 400 and not Case.objects.exists()
    assert f'name="form_token" value="{token}"' in refused.content.decode()
    receipt_of(client.post(URL, form_data(world, token=token)))
    receipt_of(client.post(URL, form_data(world, token=token)))
    assert Case.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged:token", "other-user"])
def test_a_missing_forged_or_foreign_form_token_writes_nothing(world, token):
    client = logged_in(world.reception)
    if token == "other-user":
        token = form_token(logged_in(world.province_reception))
    response = client.post(URL, form_data(world, token=token))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Case.objects.exists()
    fresh = re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    assert fresh and fresh != token
    receipt_of(client.post(URL, form_data(world, token=fresh)))  # the fresh token works


def test_the_receipt_is_never_cached_and_is_not_found_for_those_out_of_scope(world):
    client = logged_in(world.reception)
    location = receipt_of(submit(client, world))
    assert logged_in(world.outsider).get(location).status_code == 404
    assert Client().get(location).status_code == 302  # to the login page
    assert client.get("/cases/receipt/0000000000000000000000000/").status_code == 404
    # staff in scope (and the clerk in another browser) see the receipt, never the PIN
    for user in (world.handler, world.reception, world.province_head):
        page = logged_in(user).get(location)
        assert page.status_code == 200 and shown_pin(page) is None
    first = client.get(location)
    assert shown_pin(first) is not None  # the logging session still gets it, once
    assert "no-store" in first["Cache-Control"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"respondent_number": ""}, "contested decision"),
        ({"received_at": "2099-01-01T09:00"}, "future"),
        ({"people-0-full_name": ""}, "needs a full name"),
        ({"people-0-full_name": "", "people-0-id_number": ""}, "at least one petitioner"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(world, overrides, message):
    client = logged_in(world.reception)
    response = submit(client, world, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_only_units_where_the_user_receives_can_be_chosen(world):
    response = submit(logged_in(world.reception), world, receiving_unit=world.remote_commune.pk)
    assert response.status_code == 400 and not Case.objects.exists()


def test_handlers_and_anonymous_users_cannot_log_petitions(world):
    assert logged_in(world.handler).get(URL).status_code == 403
    assert logged_in(world.handler).post(URL, form_data(world)).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page
    assert not Case.objects.exists()


def test_home_page_offers_the_intake_form_to_reception_only(world):
    assert reverse("case_intake") in logged_in(world.reception).get("/").content.decode()
    assert reverse("case_intake") not in logged_in(world.handler).get("/").content.decode()


def test_the_receipt_prints_on_a5_or_a4_with_the_unit_code_deadline_and_its_basis(world):
    client = logged_in(world.reception)
    location = receipt_of(submit(client, world))
    page = client.get(location)
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    case = Case.objects.get(tracking_code=re.search(r'data-field="code">([A-Z0-9]+)<', html).group(1))
    assert 'data-field="letterhead">XÃ A<' in html  # the receiving unit as the letterhead
    assert "PETITION RECEIPT" in html
    assert f'data-field="acceptance_due">{case.acceptance_due:%d/%m/%Y}<' in html
    # received Mon 06/07/2026: 7 working days (NĐ 155/2026, from 1/7/2026) -> Wed 15/07/2026
    assert case.acceptance_due.strftime("%d/%m/%Y") == "15/07/2026"
    basis = re.search(r'data-field="acceptance-basis">(.*?)</span>', html, re.S).group(1)
    assert "7 working days from the day after the receipt" in basis and "NĐ 155/2026 Art 10" in basis
    assert 'data-field="received">06/07/2026 09:00<' in html
    assert f'data-field="officer">{world.reception.get_full_name() or world.reception.username}<' in html
    assert "http://testserver/track/" in html
    assert "@page { size: A5 portrait; }" in html and 'data-print="a4"' in html
    assert re.search(r'<script src="[^"]*/js/print\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP allows no inline script
    assert "Nguyễn Văn A" not in html and "001090000001" not in html  # nobody's identity on the receipt
    again = client.get(location + "?paper=a4").content.decode()
    assert "@page { size: A4 portrait; }" in again and 'data-field="pin"' not in again


def test_the_print_script_and_stylesheet_are_served_by_staticfiles():
    from django.contrib.staticfiles import finders

    script = open(finders.find("js/print.js"), encoding="utf-8").read()
    assert "window.print()" in script and "paper-size" in script
    assert "@media print" in open(finders.find("css/print.css"), encoding="utf-8").read()
