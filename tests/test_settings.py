"""Settings come from the environment: embedded default with nothing set, PostgreSQL + Redis when given."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "db_name": str(db["NAME"]), "host": db.get("HOST"),
    "broker": s.CELERY_BROKER_URL, "broker_options": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "cache": s.CACHES["default"]["BACKEND"], "debug": s.DEBUG, "secret": s.SECRET_KEY,
    "hosts": s.ALLOWED_HOSTS, "tz": s.TIME_ZONE, "lang": s.LANGUAGE_CODE,
    "languages": [code for code, _ in s.LANGUAGES], "beat": s.CELERY_BEAT_SCHEDULE,
    "due_soon": s.SLA_DUE_SOON_WORKING_DAYS,
}))
"""
APP_VARS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "VAR_DIR", "SLA_DUE_SOON_WORKING_DAYS",
            "SLA_SWEEP_INTERVAL_SECONDS")



def load_settings(tmp_path, **env) -> dict:
    """Import the settings in a fresh interpreter with exactly these app variables set."""
    clean = {k: v for k, v in os.environ.items() if k not in APP_VARS}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path / "var"), **env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_uses_sqlite_and_a_filesystem_broker_in_var_dir(tmp_path):
    s = load_settings(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert Path(s["db_name"]).parent == tmp_path / "var"
    assert s["broker"] == "filesystem://"
    options = s["broker_options"]
    # kombu's filesystem transport only delivers when producers and consumers share one folder.
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_dir()
    assert s["cache"].endswith("LocMemCache")
    assert s["debug"] is False


def test_environment_selects_postgresql_and_redis(tmp_path):
    s = load_settings(
        tmp_path,
        DATABASE_URL="postgres://postgres@db.example:5433/petitions",
        REDIS_URL="redis://cache.example:6380/2",
        SECRET_KEY="s3cret-from-env",
        DEBUG="true",
        ALLOWED_HOSTS="petitions.example, admin.example",
        SLA_DUE_SOON_WORKING_DAYS="5",
        SLA_SWEEP_INTERVAL_SECONDS="30",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["db_name"], s["host"]) == ("petitions", "db.example")
    assert s["broker"] == "redis://cache.example:6380/2"
    assert s["cache"].endswith("RedisCache")
    assert s["secret"] == "s3cret-from-env"
    assert s["debug"] is True
    assert s["hosts"] == ["petitions.example", "admin.example"]
    assert s["due_soon"] == 5
    assert s["beat"]["sla-sweep"]["schedule"] == 30


@pytest.mark.parametrize("value, expected", [("0", False), ("false", False), ("1", True), ("yes", True)])
def test_debug_flag_parsing(tmp_path, value, expected):
    assert load_settings(tmp_path, DEBUG=value)["debug"] is expected


def test_locale_and_time_zone_are_vietnamese_first(tmp_path):
    s = load_settings(tmp_path)
    assert s["tz"] == "Asia/Ho_Chi_Minh"
    assert s["lang"] == "vi"
    assert s["languages"] == ["vi", "en"]
