from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("chi-bo/<str:code>/", views.cell_review, name="cell_review"),
    path("<int:year>/<str:code>/", views.self_review, name="self_review"),
    path("<int:year>/<str:code>/de-xuat/", views.propose, name="propose"),
    path("<int:year>/<str:code>/y-kien/", views.add_input, name="add_input"),
]
urlpatterns += [
    path("quyet-dinh/<str:code>/", views.decide, name="decide"),
    path("quyet-dinh/<str:code>/cong-khai/", views.publish, name="publish"),
    path("tham-dinh/<str:code>/", views.appraise, name="appraise"),
]
urlpatterns += [path("tien-do/<str:code>/", views.pending, name="pending")]
urlpatterns += [path("chi-bo/<str:code>/bien-ban/", views.meeting_minutes, name="minutes")]
urlpatterns += [path("mo-ky/<str:code>/", views.open_cycle, name="open_cycle")]
urlpatterns += [path("cong-khai/<str:code>/", views.published, name="published")]
