from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access policy")

    def ready(self):
        from . import third_party_admin

        third_party_admin.register()
