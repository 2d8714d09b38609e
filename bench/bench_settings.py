"""The project's settings plus the bench-only ``timerbench`` app (its flows need an installed app)."""
from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "timerbench"]  # noqa: F405
