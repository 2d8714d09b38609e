from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from cases import events

        from . import digests, outbox

        events.sla_alerts_recorded.connect(digests.on_sla_alerts, dispatch_uid="notifications.digests")
        events.act_recorded.connect(digests.on_act_recorded, dispatch_uid="notifications.case_reports")
        events.act_recorded.connect(outbox.on_act_recorded, dispatch_uid="notifications.outbox")
