"""Secure cookies, HSTS and headers (finding 12): on with HTTPS=1, a proxy header only when documented, and the
headers every answer carries."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from organisation.models import Role
from tests.factories import UnitFactory, UserFactory, member

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_HTTPONLY",
         "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "PRIVATE_MEDIA_ROOT", "PIN_KEY"]
print(json.dumps({n: getattr(s, n) for n in names}, default=str))
"""
APP_VARS = ("HTTPS", "SECURE_PROXY_SSL_HEADER", "DEBUG", "SECRET_KEY", "PIN_KEY", "VAR_DIR", "PRIVATE_MEDIA_ROOT")


def load(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in APP_VARS}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), **env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_turns_on_secure_cookies_redirect_and_a_year_of_hsts(tmp_path):
    s = load(tmp_path, HTTPS="1", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO, https")
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and s["SECURE_HSTS_PRELOAD"]
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_without_https_the_quickstart_keeps_plain_http_and_trusts_no_proxy_header(tmp_path):
    s = load(tmp_path)
    assert not s["SESSION_COOKIE_SECURE"] and not s["SECURE_SSL_REDIRECT"] and not s["SECURE_HSTS_SECONDS"]
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["SESSION_COOKIE_HTTPONLY"] and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert (s["X_FRAME_OPTIONS"], s["SECURE_REFERRER_POLICY"]) == ("DENY", "same-origin")
    assert s["PRIVATE_MEDIA_ROOT"] == str(tmp_path / "private")
    assert s["PIN_KEY"].startswith("insecure")  # refused by config.checks unless DEBUG is on


@pytest.mark.django_db
def test_every_answer_carries_the_security_headers_and_a_csp_without_inline_scripts(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"].startswith("'self'") and "unsafe" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["base-uri"] == "'self'"


@pytest.mark.django_db
def test_the_session_cookie_is_http_only(client):
    user = member(UnitFactory(), Role.HEAD)
    user.set_password("Mật khẩu đủ dài 2026")
    user.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": "Mật khẩu đủ dài 2026"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["12345678901", "password123", "nguyenvana2026", "short"])
def test_the_full_password_validators_refuse_weak_passwords(password):
    user = UserFactory(username="nguyenvana2026", first_name="Nguyễn", last_name="Văn A")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)
    validate_password("Sông Hồng chảy qua 36 phố phường", user=user)


def test_no_template_we_serve_has_an_inline_script_or_event_handler():
    """The CSP refuses them silently: our templates and the viewflow pages we override carry none."""
    import re

    from django.conf import settings
    from django.template.loader import get_template

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
    templates = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
    assert templates
    for path in templates:
        assert not inline.search(path.read_text()), path
    for name in ("viewflow/workflow/tasks_assign.html", "viewflow/workflow/tasks_unassign.html"):
        template = get_template(name)
        assert str(template.origin.name).startswith(str(settings.BASE_DIR / "templates"))
        assert "onclick=" not in template.template.source
