"""Refuse to start in production with keys anyone could know.

With ``DEBUG`` off, ``SECRET_KEY`` and ``PIN_KEY`` must each be 50+ characters,
not a development default, and different from each other: the PIN key is what
keeps a 6-digit PIN from falling to an offline brute force once the database
leaks. These are errors, not warnings: ``runserver``, ``migrate`` and the WSGI
entry point (``config.wsgi``) stop on them.
"""
from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_KEY_LENGTH = 50
INSECURE_PREFIXES = ("django-insecure", "insecure")


def is_weak_key(key) -> bool:
    key = key if isinstance(key, str) else ""
    return len(key) < MIN_KEY_LENGTH or key.lower().startswith(INSECURE_PREFIXES) or len(set(key)) < 5


def key_errors() -> list[Error]:
    if settings.DEBUG:
        return []
    hint = "Set it in the environment to 50+ random characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    errors = []
    if is_weak_key(settings.SECRET_KEY):
        errors.append(Error("SECRET_KEY is missing, too short or a development default while DEBUG is off.",
                            hint=hint, id="config.E001"))
    pin_key = getattr(settings, "PIN_KEY", "")
    if is_weak_key(pin_key):
        errors.append(Error("PIN_KEY is missing, too short or a development default while DEBUG is off.",
                            hint=hint, id="config.E002"))
    elif pin_key == settings.SECRET_KEY:
        errors.append(Error("PIN_KEY must differ from SECRET_KEY.", hint=hint, id="config.E003"))
    return errors


@register(Tags.security)
def check_keys(app_configs, **kwargs):
    return key_errors()
