"""API tokens in the admin, under the one policy: the system administrator lists and revokes them.

rest_framework.authtoken registers its token list with a plain ModelAdmin; it is
re-registered here (like django-axes' lists in ``access.third_party_admin``). Tokens are
never made in the admin: a user gets one from ``POST /api/v1/auth/token/``.
"""
from django.contrib import admin

from access import policy
from access.admin import PolicyAdminMixin


def register() -> None:
    from rest_framework.authtoken.admin import TokenAdmin
    from rest_framework.authtoken.models import Token, TokenProxy

    class PolicyTokenAdmin(PolicyAdminMixin, TokenAdmin):
        list_display = ("user", "created")  # never the secret itself
        list_filter = ()
        search_fields = ()
        actions = None  # the list maps rows to user ids: revoke from a token's own page

        def may_view(self, request) -> bool:
            return policy.is_system_admin(request.user)

        def may_add(self, request) -> bool:
            return False

        def may_change(self, request, obj=None) -> bool:
            return False

        def may_delete(self, request, obj=None) -> bool:  # revoking a token
            return policy.is_system_admin(request.user)

        def scope(self, request, queryset):
            return queryset if policy.is_system_admin(request.user) else queryset.none()

    for model in (Token, TokenProxy):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
    admin.site.register(TokenProxy, PolicyTokenAdmin)
