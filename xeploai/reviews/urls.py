from __future__ import annotations

from django.urls import path

from .views import cells, groups, leaders, progress, self_review, units

app_name = "reviews"
urlpatterns = [
    path("chi-bo/<str:code>/", cells.cell_review, name="cell_review"),
    path("<int:year>/<str:code>/", self_review.self_review, name="self_review"),
    path("<int:year>/<str:code>/de-xuat/", cells.propose, name="propose"),
    path("<int:year>/<str:code>/y-kien/", cells.add_input, name="add_input"),
    path("chi-bo/<str:code>/bien-ban/", cells.meeting_minutes, name="minutes"),
    path("cong-khai/<str:code>/", cells.published, name="published"),
    path("quyet-dinh/<str:code>/", groups.decide, name="decide"),
    path("quyet-dinh/<str:code>/cong-khai/", groups.publish, name="publish"),
    path("tham-dinh/<str:code>/", groups.appraise, name="appraise"),
    path("tien-do/<str:code>/", progress.pending, name="pending"),
    path("mo-ky/<str:code>/", progress.open_cycle, name="open_cycle"),
    path(
        "to-chuc/<int:year>/<str:code>/", units.unit_review, {"kind": "to-chuc"}, name="unit_review"
    ),
    path(
        "tap-the/<int:year>/<str:code>/",
        units.unit_review,
        {"kind": "tap-the"},
        name="collective_review",
    ),
    path("to-chuc/quyet-dinh/<str:code>/", units.unit_decide, name="unit_decide"),
    path(
        "lanh-dao/<int:year>/<str:code>/<str:member>/", leaders.leader_review, name="leader_review"
    ),
    path("lanh-dao/quyet-dinh/<str:code>/", leaders.leader_decide, name="leader_decide"),
]
