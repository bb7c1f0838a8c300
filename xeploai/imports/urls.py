from __future__ import annotations

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("mau/<str:kind>.xlsx", views.template, name="template"),
    path("<uuid:run_id>/", views.run_detail, name="run"),
    path("<uuid:run_id>/loi.xlsx", views.errors, name="errors"),
]
