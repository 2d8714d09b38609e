"""Static files are served by the app itself (whitenoise), with no runserver --insecure and no DEBUG."""
import json
import wsgiref.util

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings

import config.settings
from organisation.models import Role
from tests.factories import UnitFactory, member


def wsgi_get(path: str, **headers) -> tuple[str, dict, bytes]:
    """One GET through the WSGI application, as gunicorn calls it."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": "127.0.0.1", **headers}
    wsgiref.util.setup_testing_defaults(environ)
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started.update(status=status, headers=dict(response_headers))

    # As the test client does: the request signals must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = get_wsgi_application()(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], body


def test_the_wsgi_application_serves_static_files_with_debug_off():
    assert settings.DEBUG is False
    status, headers, body = wsgi_get("/static/admin/css/base.css")
    assert status.startswith("200")
    assert headers["Content-Type"].startswith("text/css")
    assert b"body" in body


def test_whitenoise_comes_right_after_the_security_middleware():
    middleware = config.settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage (hashed, compressed names and a manifest)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=config.settings.STORAGES, WHITENOISE_USE_FINDERS=False):
        # viewflow ships an unused node_modules copy of roboto-fontface.css pointing at missing fonts:
        # without config.staticfiles.AppDirectoriesFinder skipping it, the manifest storage aborts here.
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(collected):
    with override_settings(STATIC_ROOT=collected, STORAGES=config.settings.STORAGES, WHITENOISE_USE_FINDERS=False):
        yield collected


def test_collected_files_have_hashed_names_cached_for_a_year(production_static):
    manifest = json.loads((production_static / "staticfiles.json").read_text())["paths"]
    assert not any("node_modules" in name for name in manifest)
    url = staticfiles_storage.url("admin/css/base.css")
    assert url != "/static/admin/css/base.css" and url.endswith(".css")

    status, headers, _ = wsgi_get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert status.startswith("200")
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    assert headers.get("Content-Encoding") == "gzip"

    # The unhashed name still answers (scripts loading assets by name), but only briefly cached.
    status, headers, _ = wsgi_get("/static/admin/css/base.css")
    assert status.startswith("200") and "immutable" not in headers["Cache-Control"]


@pytest.mark.django_db
def test_viewflow_and_admin_pages_render_with_the_manifest_storage(production_static, client):
    """Every file these templates name must be in the manifest, or the page is a 500."""
    unit = UnitFactory(parent=None)
    admin = member(unit, Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for path in ("/workflow/", "/workflow/inbox/", "/admin/", "/admin/cases/case/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        statics = [part.split('"')[0] for part in html.split('/static/')[1:]]
        assert statics, path
        for name in statics:
            # Hashed: name.<12 hex>.ext, and served.
            stem = name.rsplit(".", 2)
            assert len(stem) == 3 and len(stem[1]) == 12, (path, name)
            assert wsgi_get("/static/" + name)[0].startswith("200"), name
