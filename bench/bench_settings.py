"""The project's settings plus the bench-only ``timerbench`` app (its flows need an installed app)."""
import base64
import hashlib

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "timerbench"]  # noqa: F405

# The bench wipes its database: throw-away identity keys derived from SECRET_KEY unless given.
_derived = base64.urlsafe_b64encode(hashlib.sha256(f"bench:{SECRET_KEY}".encode()).digest()).decode()  # noqa: F405
IDENTITY_KEYS = IDENTITY_KEYS or [_derived]  # noqa: F405
IDENTITY_INDEX_KEY = IDENTITY_INDEX_KEY or _derived  # noqa: F405
