"""System checks of the case engine's own settings (config/checks.py holds the project-wide ones)."""
from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks

from . import crypto


@checks.register(checks.Tags.security)
def identity_keys_check(app_configs=None, **kwargs):
    """Refuse to run without real identity keys outside development (reference §5: a dump shows no denouncer)."""
    errors = []
    keys = crypto.split_keys(getattr(settings, "IDENTITY_KEYS", ()))
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(checks.Error(
                f"IDENTITY_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded bytes).",
                hint='Make one with: python -c "from cryptography.fernet import Fernet; '
                     'print(Fernet.generate_key().decode())"',
                id="cases.E002",
            ))
    if crypto.development_keys_allowed():
        return errors
    if not keys:
        errors.append(checks.Error(
            "IDENTITY_KEYS is not set: petitioners' identities would be encrypted with a key derived from "
            "SECRET_KEY.",
            hint="Set IDENTITY_KEYS to one or more comma-separated Fernet keys (the first one encrypts).",
            id="cases.E001",
        ))
    index_key = (getattr(settings, "IDENTITY_INDEX_KEY", "") or "").strip()
    if len(index_key) < 32:
        errors.append(checks.Error(
            "IDENTITY_INDEX_KEY is not set or shorter than 32 characters: the blind indexes of ID numbers, "
            "phones and names would be guessable.",
            hint="Set IDENTITY_INDEX_KEY to a long random secret, and never change it without running "
                 "manage.py rotate_identity_keys.",
            id="cases.E003",
        ))
    return errors
