"""The environment of a process on the embedded default (SQLite in ``var_dir``, no Redis), with throw-away keys."""
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def embedded_env(var_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50), PIN_KEY=secrets.token_urlsafe(50),
        IDENTITY_KEYS=Fernet.generate_key().decode(), IDENTITY_INDEX_KEY=secrets.token_urlsafe(40),
    )
    return env
