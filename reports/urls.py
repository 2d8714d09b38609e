from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_page, name="report_page"),
    path("submissions/", views.submissions_page, name="report_submissions"),
    path("runs/<int:pk>/", views.run_page, name="report_run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="report_run_progress"),
    path("runs/<int:pk>/sign/", views.run_sign_off, name="report_run_sign"),
    path("runs/<int:pk>/<str:fmt>/", views.run_download, name="report_run_download"),
]
