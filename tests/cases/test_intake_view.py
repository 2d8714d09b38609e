"""The reception desk logs a petition in the browser and hands over the receipt code and PIN."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseEvent
from cases.services import check_pin

pytestmark = pytest.mark.django_db

URL = "/cases/new/"


def form_data(world, **overrides):
    data = {
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
    return client


def test_reception_logs_a_case_and_gets_a_receipt_with_a_working_pin(world):
    response = logged_in(world.reception).post(URL, form_data(world))
    assert response.status_code == 201
    html = response.content.decode()
    code = re.search(r'data-field="code">([A-Z0-9]+)<', html).group(1)
    pin = re.search(r'data-field="pin">(\d{6})<', html).group(1)
    case = Case.objects.get(tracking_code=code)
    assert check_pin(case, pin)
    assert case.petitioners.count() == 1  # the empty row is ignored
    assert case.process.task_set.filter(flow_task_type="HUMAN").exists()
    assert CaseEvent.objects.get(case=case, action="intake").actor == world.reception
    assert case.acceptance_due.strftime("%d/%m/%Y") in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"respondent_number": ""}, "contested decision"),
        ({"received_at": "2099-01-01T09:00"}, "future"),
        ({"people-0-full_name": ""}, "needs a full name"),
        ({"people-0-full_name": "", "people-0-id_number": ""}, "at least one petitioner"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(world, overrides, message, settings):
    client = logged_in(world.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(URL, form_data(world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_only_units_where_the_user_receives_can_be_chosen(world):
    response = logged_in(world.reception).post(URL, form_data(world, receiving_unit=world.remote_commune.pk))
    assert response.status_code == 400 and not Case.objects.exists()


def test_handlers_and_anonymous_users_cannot_log_petitions(world):
    assert logged_in(world.handler).get(URL).status_code == 403
    assert logged_in(world.handler).post(URL, form_data(world)).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page
    assert not Case.objects.exists()


def test_home_page_offers_the_intake_form_to_reception_only(world):
    assert reverse("case_intake") in logged_in(world.reception).get("/").content.decode()
    assert reverse("case_intake") not in logged_in(world.handler).get("/").content.decode()
