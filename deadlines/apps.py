from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines and calendar")

    def ready(self):
        from . import cache
        from .models import CalendarOverride, DeadlineRule

        for model in (DeadlineRule, CalendarOverride):
            post_save.connect(cache.on_data_changed, sender=model, dispatch_uid=f"deadlines-save-{model.__name__}")
            post_delete.connect(cache.on_data_changed, sender=model, dispatch_uid=f"deadlines-delete-{model.__name__}")
