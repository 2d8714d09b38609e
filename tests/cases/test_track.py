"""A citizen follows a petition with the receipt code and PIN — and sees nobody's identity."""
import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from cases import services
from cases.selectors import TRACK_MAX_FAILURES, _failure_keys
from tests.factories import aware

from .conftest import denunciation_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(world):
    result = services.case_intake(**denunciation_kwargs(world, content="Tôi, Nguyễn Văn A, tố cáo cán bộ X."))
    services.case_accept(case=result.case, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    result.case.refresh_from_db()
    return result


@pytest.fixture
def client_address():
    """A fresh client address per test, so failure counters (in Redis under CI) never leak between tests."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    yield address
    cache.delete_many(_failure_keys("", address))


def post(address, **data):
    return Client(REMOTE_ADDR=address).post("/track/", data)


def test_right_code_and_pin_show_status_due_date_and_history_without_identity(filed, client_address):
    case = filed.case
    page = post(client_address, code=case.tracking_code.lower(), pin=filed.pin)
    html = page.content.decode()
    assert page.status_code == 200
    with translation.override("vi"):
        assert f'data-field="status">{case.get_status_display()}<' in html
    assert case.resolution_due.strftime("%d/%m/%Y") in html
    assert "Nguyễn Văn A" not in html and "Cán bộ địa chính" not in html and "tố cáo cán bộ X" not in html
    assert html.count("<li>") == 2  # intake, accept


def test_wrong_pin_is_a_not_found_and_repeated_failures_lock_the_code(filed, client_address):
    case = filed.case
    cache.delete_many(_failure_keys(case.tracking_code, client_address))
    wrong = "000000" if filed.pin != "000000" else "111111"
    for _ in range(TRACK_MAX_FAILURES):
        response = post(client_address, code=case.tracking_code, pin=wrong)
        assert response.status_code == 404
        assert "id=\"result\"" not in response.content.decode()
    locked = post(client_address, code=case.tracking_code, pin=filed.pin)
    assert locked.status_code == 429  # even the right PIN, once locked
    other_address = Client(REMOTE_ADDR="203.0.113.9").post("/track/", {"code": case.tracking_code, "pin": filed.pin})
    assert other_address.status_code == 429  # the code itself is locked, whoever asks
    cache.delete_many(_failure_keys(case.tracking_code, client_address) + _failure_keys("", "203.0.113.9"))


def test_unknown_code_and_empty_form_never_500(client_address):
    assert post(client_address, code="NOSUCHCODE12", pin="123456").status_code == 404
    assert post(client_address).status_code == 200  # form errors, nothing looked up
    assert Client().get("/track/").status_code == 200
