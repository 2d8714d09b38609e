from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from config.db import widen_statement_cache
        from deadlines import changes

        from . import checks, recompute  # noqa: F401  (importing checks registers the system checks)

        # A rule or calendar change recomputes the stored due dates of the open cases it can move.
        changes.data_changed.connect(recompute.on_deadline_data_changed, dispatch_uid="cases-recompute-deadlines")
        # a case's INSERT and full UPDATE bind 73 parameters: past psycopg's cache of split statements
        widen_statement_cache()
