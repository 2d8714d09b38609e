from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .errors import json_not_found

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("api/v1/auth/token/", views.TokenView.as_view(), name="token"),
    path("api/v1/cases/", views.CaseListView.as_view(), name="case-list"),
    path("api/v1/cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("api/v1/cases/<int:pk>/actions/", views.CaseActionsView.as_view(), name="case-actions"),
    path("api/v1/cases/<int:pk>/actions/<slug:name>/", views.CaseActionView.as_view(), name="case-action"),
    path("api/v1/tasks/", views.TaskListView.as_view(), name="task-list"),
    path("api/v1/units/", views.UnitListView.as_view(), name="unit-list"),
    path("api/v1/fields/", views.FieldListView.as_view(), name="field-list"),
    path("api/v1/calendar/", views.CalendarView.as_view(), name="calendar"),
    path("api/v1/deadline/", views.DeadlineView.as_view(), name="deadline"),
    re_path(r"^api/", json_not_found),
]
