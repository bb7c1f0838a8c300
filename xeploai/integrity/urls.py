from __future__ import annotations

from django.urls import path

from . import views

app_name = "integrity"
urlpatterns = [
    path("don-vi/<str:code>/", views.unit_signals, name="unit_signals"),
    path("don-vi/<str:code>/phan-tich/", views.analyse, name="analyse"),
    path("<int:pk>/", views.finding, name="finding"),
    path("<int:pk>/bo-danh-dau/", views.unexamine, name="unexamine"),
]
