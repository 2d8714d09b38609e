"""The project's settings plus the bench-only ``timerbench`` app (its flows need an installed app)."""
import base64
import hashlib

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "timerbench"]  # noqa: F405

# The bench wipes its database: throw-away identity keys derived from SECRET_KEY unless given.
_derived = base64.urlsafe_b64encode(hashlib.sha256(f"bench:{SECRET_KEY}".encode()).digest()).decode()  # noqa: F405
IDENTITY_KEYS = IDENTITY_KEYS or [_derived]  # noqa: F405
IDENTITY_INDEX_KEY = IDENTITY_INDEX_KEY or _derived  # noqa: F405

# bench/pages.py times the project's pages next to a bare view (bench_urls.bare_rows).
ROOT_URLCONF = "bench_urls"
# Pages are rendered without a collectstatic run: plain static URLs, as in the tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# One persistent connection, as behind gunicorn with CONN_MAX_AGE: the query log survives the request.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
