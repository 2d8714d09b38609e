from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from cases import events

        from . import sync

        events.act_beginning.connect(sync.on_act_beginning, dispatch_uid="workflows.lock_process")
        events.act_recorded.connect(sync.on_act_recorded, dispatch_uid="workflows.sync_process")
