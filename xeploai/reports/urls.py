from __future__ import annotations

from django.urls import path

from . import flags, views

app_name = "reports"
urlpatterns = [
    path("tep/<uuid:file_id>/", views.report_file, name="file"),
    path("tep/<uuid:file_id>/tai-ve", views.report_file_download, name="file_download"),
    path("<str:code>/", views.latest, name="latest"),
    path("<str:code>/<int:year>/", views.report, name="report"),
    path("<str:code>/<int:year>/bieu-do/", views.charts, name="charts"),
    path("<str:code>/<int:year>/tai-ve.<str:fmt>", views.download, name="download"),
    path("<str:code>/<int:year>/chuan-bi.<str:fmt>", views.prepare, name="prepare"),
    path("<str:code>/<int:year>/de-xuat/", flags.page, name="flags"),
    path("<str:code>/<int:year>/de-xuat/tai-ve.<str:fmt>", flags.download, name="flags_download"),
]
