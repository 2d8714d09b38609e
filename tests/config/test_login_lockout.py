"""Login lockout with django-axes (finding 12), proved through the real login form: five failures for one
username from one address lock that pair for an hour, on a translated page; nobody else is locked."""
import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from organisation.models import Role
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "Mật khẩu đủ dài 2026"


@pytest.fixture
def officer():
    user = member(UnitFactory(), Role.HANDLER, username="canbo.phuloc")
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(username, password, *, address="203.0.113.7", language=None):
    client = Client(REMOTE_ADDR=address)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/accounts/login/", {"username": username, "password": password, "next": "/"})
    return response, client


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_that_username_at_that_address_for_an_hour(officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            response, _client = attempt("canbo.phuloc", "wrong")
            assert response.status_code == 200  # the form again, with its error
        locked, _client = attempt("canbo.phuloc", "wrong")
        assert locked.status_code == 429
        response, client = attempt("canbo.phuloc", PASSWORD)  # even the right password now
        assert response.status_code == 429 and not logged_in(client)
        page = response.content.decode()
        assert "Tạm khóa đăng nhập" in page and "60 phút" in page and '<html lang="vi">' in page

        # the lock is for this username from this address only
        elsewhere, client = attempt("canbo.phuloc", PASSWORD, address="198.51.100.20")
        assert elsewhere.status_code == 302 and logged_in(client)
        other_user = member(UnitFactory(), Role.HANDLER, username="tiepdan.phuloc")
        other_user.set_password(PASSWORD)
        other_user.save()
        colleague, client = attempt("tiepdan.phuloc", PASSWORD)
        assert colleague.status_code == 302 and logged_in(client)

        traveller.shift(dt.timedelta(minutes=61))
        response, client = attempt("canbo.phuloc", PASSWORD)
        assert response.status_code == 302 and logged_in(client)


def test_the_lockout_page_follows_the_chosen_language(officer):
    for _ in range(5):
        response, _client = attempt("canbo.phuloc", "wrong", language="en")
    assert response.status_code == 429
    assert "Login temporarily locked" in response.content.decode()


def test_a_successful_login_resets_the_count(officer):
    for _ in range(4):
        attempt("canbo.phuloc", "wrong")
    assert attempt("canbo.phuloc", PASSWORD)[0].status_code == 302
    for _ in range(4):
        assert attempt("canbo.phuloc", "wrong")[0].status_code == 200
    assert attempt("canbo.phuloc", PASSWORD)[0].status_code == 302


def test_the_admin_login_is_locked_out_too(officer):
    for _ in range(5):
        response = Client(REMOTE_ADDR="203.0.113.9").post(
            "/admin/login/", {"username": "canbo.phuloc", "password": "wrong", "next": "/admin/"})
    assert response.status_code == 429
