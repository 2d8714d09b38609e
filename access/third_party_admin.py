"""Admins that other packages register, put under the one policy.

django-axes registers its login-attempt lists with Django's plain ``ModelAdmin``
(model permissions, any lookup). They are re-registered here: the system
administrator alone sees them, only their declared filters answer, and he may
delete a lock-out attempt to unlock a user. Run from ``AccessConfig.ready``,
after the admin's autodiscovery.
"""
from django.contrib import admin

from . import policy
from .admin import PolicyAdminMixin


def _system_admin_only(base, *, deletable: bool):
    class Admin(PolicyAdminMixin, base):
        def may_view(self, request) -> bool:
            return policy.is_system_admin(request.user)

        def may_add(self, request) -> bool:
            return False

        def may_change(self, request, obj=None) -> bool:
            return False

        def may_delete(self, request, obj=None) -> bool:
            return deletable and policy.is_system_admin(request.user)

        def scope(self, request, queryset):
            return queryset if policy.is_system_admin(request.user) else queryset.none()

    Admin.__name__ = f"Policy{base.__name__}"
    return Admin


def register() -> None:
    try:
        from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # pragma: no cover - axes is a dependency
        return
    for model, base, deletable in ((AccessAttempt, AccessAttemptAdmin, True), (AccessLog, AccessLogAdmin, False),
                                   (AccessFailureLog, AccessFailureLogAdmin, False)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, _system_admin_only(base, deletable=deletable))
