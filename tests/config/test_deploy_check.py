"""``manage.py check --deploy`` with the README's production settings: no warning at all (issue 5, done-when)."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_VARS = ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PIN_KEY", "PIN_KEY_FALLBACKS", "DEBUG", "ALLOWED_HOSTS",
            "CSRF_TRUSTED_ORIGINS", "HTTPS", "SECURE_PROXY_SSL_HEADER", "VAR_DIR", "PRIVATE_MEDIA_ROOT")


def production_env(tmp_path, **extra) -> dict:
    """The variables the README's "Production settings" section documents."""
    env = {k: v for k, v in os.environ.items() if k not in APP_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PIN_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="petitions.example.gov.vn",
        CSRF_TRUSTED_ORIGINS="https://petitions.example.gov.vn",
        HTTPS="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    env.update(extra)
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("backing", [
    {},  # embedded SQLite
    {"DATABASE_URL": "postgres://petitions@db.internal:5432/petitions", "REDIS_URL": "redis://cache.internal:6379/0"},
])
def test_check_deploy_gives_no_warnings_with_the_documented_production_settings(tmp_path, backing):
    run = check_deploy(production_env(tmp_path, **backing))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_check_deploy_fails_without_https_or_with_the_development_keys(tmp_path):
    """The same command is the guard: each missing piece shows up."""
    without_https = check_deploy(production_env(tmp_path, HTTPS="0"))
    assert without_https.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in without_https.stderr
    env = production_env(tmp_path)
    del env["SECRET_KEY"], env["PIN_KEY"]
    weak = check_deploy(env)
    assert weak.returncode != 0 and "config.E001" in weak.stderr and "config.E002" in weak.stderr
