from django.contrib import admin
from django.urls import include, path

from cases import documents as case_documents
from cases import views as case_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("track/", case_views.track, name="track"),
    path("cases/new/", case_views.intake, name="case_intake"),
    path("cases/<int:case_pk>/documents/<int:pk>/", case_documents.download, name="case_document"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workflow/", include("workflows.urls")),
]

handler500 = "config.views.server_error"
