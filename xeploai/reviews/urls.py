from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("<int:year>/<str:code>/", views.self_review, name="self_review"),
]
