import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# WSGI servers run no system checks: refuse weak keys here too (config.checks).
from config.checks import key_errors  # noqa: E402

if key_errors():
    raise ImproperlyConfigured("; ".join(error.msg for error in key_errors()))
