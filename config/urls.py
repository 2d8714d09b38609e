from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cases import case_page, dashboard, dialogue_calendar, queues, reception, register
from cases import documents as case_documents
from cases import lookup as case_lookup
from cases import views as case_views

from notifications import views as notification_views

from . import views

# Our name on the admin, in the user's language (not Django's "Django administration").
admin.site.site_header = _("Citizen petitions — administration")
admin.site.site_title = _("Citizen petitions")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("track/", case_views.track, name="track"),
    path("cases/new/", case_views.intake, name="case_intake"),
    path("cases/lookup/", case_lookup.lookup, name="case_lookup"),
    path("cases/<int:pk>/", case_page.case_detail, name="case_detail"),
    path("cases/register/", register.register_page, name="case_register"),
    path("cases/reception-sessions/", reception.sessions_page, name="reception_sessions"),
    path("cases/dashboard/", dashboard.dashboard_page, name="case_dashboard"),
    path("cases/dialogues/", dialogue_calendar.dialogue_calendar, name="dialogue_calendar"),
    path("cases/queues/<slug:name>/", queues.queue_page, name="case_queue"),
    path("cases/queues/<slug:name>/reassign/", queues.bulk_reassign, name="case_queue_reassign"),
    path("cases/receipt/<str:key>/", case_views.receipt, name="case_receipt"),
    path("cases/<int:case_pk>/documents/<int:pk>/", case_documents.download, name="case_document"),
    path("letters/", include("letters.urls")),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read/", notification_views.mark_read, name="notification_mark_read"),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("workflow/", include("workflows.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("api.urls")),
]

handler500 = "config.views.server_error"
