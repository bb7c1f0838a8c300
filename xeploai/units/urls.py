from __future__ import annotations

from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("don-vi/<str:code>/con/", views.unit_children, name="unit_children"),
]
