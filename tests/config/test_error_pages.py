"""Our own 500 and 503 pages, in the user's language (finding 12): a database outage is a 503 with
Retry-After, never viewflow's English page about an e-mail to the administrators."""
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import translation

from config.views import server_error
from organisation.models import Role
from tests.factories import UnitFactory, member

pytestmark = pytest.mark.django_db

VI_OUTAGE = "Hệ thống tạm thời không truy cập được"
EN_OUTAGE = "Temporarily unavailable"
VI_ERROR = "Đã có lỗi xảy ra"
EN_ERROR = "Something went wrong"
VIEWFLOW_PAGE = ("administrators", "quản trị viên", "¯\\_(ツ)_/¯")


def database_down(exception=OperationalError):
    def refuse(execute, sql, params, many, context):
        raise exception("could not connect to server: Connection refused")

    return connection.execute_wrapper(refuse)


@pytest.fixture
def head(db):
    return member(UnitFactory(), Role.HEAD)


def browser(user=None, language=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response) -> str:
    return response.content.decode()


def assert_ours(response, expected):
    body = text(response)
    assert expected in body, body[:500]
    for phrase in VIEWFLOW_PAGE:
        assert phrase not in body


@pytest.mark.parametrize("path", ["/", "/workflow/", "/workflow/queue/", "/admin/"])
def test_a_database_outage_during_a_page_is_our_503_in_vietnamese(head, path):
    client = browser(head)
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    assert_ours(response, VI_OUTAGE)
    assert '<html lang="vi">' in text(response)


def test_the_503_follows_the_chosen_language_and_a_lost_connection_counts_too(head):
    client = browser(head, language="en")
    with database_down(InterfaceError):
        response = client.get("/workflow/")
    assert response.status_code == 503
    assert_ours(response, EN_OUTAGE)


def test_a_database_outage_outside_the_view_reaches_handler500_and_is_still_a_503(head, settings):
    """Saving the session on the way out fails after the view: handler500 sees it and answers 503."""
    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = browser(head)
    with database_down():
        response = client.get("/track/")  # a page that reads nothing from the database itself
    assert response.status_code == 503
    assert_ours(response, VI_OUTAGE)


def test_handler500_is_ours_and_renders_in_the_active_language_without_the_database(head):
    assert get_resolver().resolve_error_handler(500) is server_error
    with mock.patch("config.views.sla_counts", side_effect=RuntimeError("bug")):
        response = browser(head).get("/")
        english = browser(head, language="en").get("/")
    assert response.status_code == english.status_code == 500
    assert_ours(response, VI_ERROR)
    assert_ours(english, EN_ERROR)
    request = RequestFactory().get("/")
    with translation.override("vi"), database_down():
        try:
            raise ValueError("bug")
        except ValueError:
            page = server_error(request)  # renders with the database refusing every query
    assert page.status_code == 500 and VI_ERROR in text(page)


def test_our_error_pages_win_over_viewflows_templates():
    from django.template.loader import get_template

    for name in ("500.html", "503.html"):
        assert str(get_template(name).origin.name).startswith(str(settings.BASE_DIR / "templates"))
