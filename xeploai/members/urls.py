from __future__ import annotations

from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("<str:code>/", views.member_detail, name="member_detail"),
]
