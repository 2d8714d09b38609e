from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cases import views as case_views

from . import views

# Our name on the admin, in the user's language (not Django's "Django administration").
admin.site.site_header = _("Citizen petitions — administration")
admin.site.site_title = _("Citizen petitions")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("track/", case_views.track, name="track"),
    path("cases/new/", case_views.intake, name="case_intake"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workflow/", include("workflows.urls")),
]
