from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and calendar")

    def ready(self):
        from . import receivers
        from .models import CalendarOverride, CalendarYear, DeadlineRule

        for model in (DeadlineRule, CalendarOverride, CalendarYear):
            name = model.__name__
            pre_save.connect(receivers.remember_previous, sender=model, dispatch_uid=f"deadlines-presave-{name}")
            post_save.connect(receivers.on_saved, sender=model, dispatch_uid=f"deadlines-save-{name}")
            post_delete.connect(receivers.on_deleted, sender=model, dispatch_uid=f"deadlines-delete-{name}")
        post_migrate.connect(receivers.rebuild_after_migrate, sender=self, dispatch_uid="deadlines-workdays")
