from __future__ import annotations

from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("goi-y/", views.received, name="received"),
    path("goi-y/<int:pk>/", views.suggestion, name="suggestion"),
    path("goi-y/<int:pk>/gui/", views.release, name="release"),
    path("goi-y/<int:pk>/giai-trinh/", views.explanation, name="explanation"),
    path("du-chi-dao/<int:pk>/", views.attendance, name="attendance"),
    path("don-vi/<str:code>/", views.overview, name="overview"),
    path("don-vi/<str:code>/goi-y/moi/", views.suggestion_new, name="suggestion_new"),
    path("don-vi/<str:code>/du-chi-dao/moi/", views.attendance_new, name="attendance_new"),
]
