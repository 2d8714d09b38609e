"""Refuse to start in production with keys anyone could know.

With ``DEBUG`` off, ``SECRET_KEY`` and ``PIN_KEY`` must each be 50+ characters,
not a development default, and different from each other: the PIN key is what
keeps a 6-digit PIN from falling to an offline brute force once the database
leaks. These are errors, not warnings: ``runserver``, ``migrate`` and the WSGI
entry point (``config.wsgi``) stop on them.
"""
import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


def removed_setting_messages(environ=None) -> list:
    """``REPORTING_PERIOD_START`` is no longer read: the reporting-period start is the annual window of
    ``REPORT_PERIOD_RULES`` (deadlines.periods). Left in an environment it would be silently ignored:
    a warning when it agrees with the rules, an error when the backlog cut-off would move."""
    from deadlines import clock, periods  # apps are loaded by the time checks run

    value = (os.environ if environ is None else environ).get("REPORTING_PERIOD_START")
    if not value:
        return []
    start = periods.reporting_year_start(clock.legal_today())
    ruled = f"{start.month:02d}-{start.day:02d}"
    if value.strip() == ruled:
        return [Warning("REPORTING_PERIOD_START is no longer read; REPORT_PERIOD_RULES gives the same start.",
                        hint="Remove it from the environment.", id="config.W001")]
    return [Error(f"REPORTING_PERIOD_START={value} is no longer read: reporting periods start on {ruled} "
                  "by REPORT_PERIOD_RULES.",
                  hint="Set REPORT_PERIOD_RULES (cutoff_day: the day before the start, in December; null "
                       "for 01-01) and remove REPORTING_PERIOD_START.", id="config.E004")]


@register()
def check_removed_settings(app_configs, **kwargs):
    return removed_setting_messages()
