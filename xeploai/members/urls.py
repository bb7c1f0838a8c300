from __future__ import annotations

from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("danh-gia-cong-chuc/<str:code>/", views.state_results, name="state_results"),
    path("<str:code>/", views.member_detail, name="member_detail"),
]
