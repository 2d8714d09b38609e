from django.urls import path

from . import views

urlpatterns = [
    path("", views.register, name="letter_register"),
    path("case/<int:case_pk>/", views.case_letters, name="case_letters"),
]
