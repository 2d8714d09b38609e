"""Weak keys are refused with DEBUG off (finding 12): the check, the WSGI entry point, and the quickstart's keys."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from cases import services
from config.checks import key_errors

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "ZyX-wvu_tsr.qpo0987654321abcdefgh"  # 53 characters, no development prefix
OTHER = "p" * 20 + "Abc-def_ghi.jkl0123456789mnopqrst"


def ids(errors) -> set[str]:
    return {error.id for error in errors}


@pytest.mark.parametrize("secret", [
    "insecure-dev-key-change-me-" + "x" * 24,          # the old development default
    "django-insecure-" + "a1b2c3d4e5" * 5,             # Django's startproject default
    "s3cret-from-env",                                  # too short
    "x" * 64,                                           # long but no randomness
])
def test_weak_secret_key_is_an_error_with_debug_off(settings, secret):
    settings.DEBUG, settings.SECRET_KEY, settings.PIN_KEY = False, secret, OTHER
    errors = key_errors()
    assert ids(errors) == {"config.E001"} and all(isinstance(e, Error) for e in errors)
    with pytest.raises(SystemCheckError, match="SECRET_KEY"):
        call_command("check")


@pytest.mark.parametrize("pin_key", ["insecure-dev-pin-key-change-me", "", "short", STRONG])
def test_weak_or_shared_pin_key_is_an_error_with_debug_off(settings, pin_key):
    settings.DEBUG, settings.SECRET_KEY, settings.PIN_KEY = False, STRONG, pin_key
    assert ids(key_errors()) == ({"config.E003"} if pin_key == STRONG else {"config.E002"})
    with pytest.raises(SystemCheckError, match="PIN_KEY"):
        call_command("check")


def test_strong_distinct_keys_pass_and_debug_allows_the_defaults(settings):
    settings.DEBUG, settings.SECRET_KEY, settings.PIN_KEY = False, STRONG, OTHER
    assert key_errors() == []
    settings.DEBUG, settings.SECRET_KEY, settings.PIN_KEY = True, "insecure-dev", "insecure-pin"
    assert key_errors() == []


def test_the_wsgi_application_refuses_to_load_with_the_default_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PIN_KEY", "DEBUG", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode != 0 and "SECRET_KEY" in run.stderr and "PIN_KEY" in run.stderr
    env.update(SECRET_KEY=STRONG, PIN_KEY=OTHER)
    assert subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, timeout=60).returncode == 0


def test_pins_are_hashed_with_the_pin_key_not_the_secret_key(settings):
    settings.SECRET_KEY, settings.PIN_KEY = STRONG, OTHER
    digest = services.hash_pin("ABCDEFGHJKLM", "123456")
    settings.SECRET_KEY = "changed-" + STRONG
    assert services.hash_pin("ABCDEFGHJKLM", "123456") == digest  # the session key does not guard PINs
    settings.PIN_KEY = "rotated-" + OTHER
    assert services.hash_pin("ABCDEFGHJKLM", "123456") != digest


@pytest.mark.django_db
def test_a_rotated_pin_key_keeps_old_pins_working_through_the_fallbacks(settings):
    from tests.cases.conftest import World, complaint_kwargs

    settings.PIN_KEY, settings.PIN_KEY_FALLBACKS = OTHER, []
    result = services.case_intake(**complaint_kwargs(World()))
    settings.PIN_KEY = "rotated-" + OTHER
    assert not services.check_pin(result.case, result.pin)
    settings.PIN_KEY_FALLBACKS = [OTHER]
    assert services.check_pin(result.case, result.pin)


def shell(var_dir: Path, script: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PIN_KEY")}
    clean.update(VAR_DIR=str(var_dir), **env)
    return subprocess.run(["bash", "-c", f". scripts/lib.sh; {script}"], cwd=ROOT, env=clean, capture_output=True,
                          text=True, check=True, timeout=60).stdout


def test_the_quickstart_generates_keys_once_keeps_them_private_and_passes_the_check(tmp_path):
    """./scripts/run runs with DEBUG off and no keys set: it makes its own, once, in $VAR_DIR."""
    first = shell(tmp_path, 'ensure_keys; echo "$SECRET_KEY $PIN_KEY"').split()
    again = shell(tmp_path, 'ensure_keys; echo "$SECRET_KEY $PIN_KEY"').split()
    assert first == again and first[0] != first[1]
    for name, value in zip(("secret_key", "pin_key"), first):
        path = tmp_path / name
        assert path.read_text().strip() == value and len(value) >= 50
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    checked = shell(tmp_path, f'ensure_keys; "{sys.executable}" manage.py check', DEBUG="0")
    assert "no issues" in checked
    assert shell(tmp_path, 'ensure_keys; echo "$SECRET_KEY"', SECRET_KEY="given-by-the-operator").strip() == (
        "given-by-the-operator")
