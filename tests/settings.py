"""Settings under pytest: the app's own, except that static files need no collectstatic.

The app's manifest storage only knows files collectstatic has hashed; here the plain storage gives
unhashed URLs and whitenoise serves them straight from the apps' static folders.
"""
from config.settings import *  # noqa: F401,F403
from config.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: no stale $VAR_DIR/static from a ./scripts/run in this folder
