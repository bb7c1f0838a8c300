from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Xếp loại — Quản trị"
admin.site.site_title = "Xếp loại"

urlpatterns = [
    path("", include("xeploai.units.urls")),
    path("dang-vien/", include("xeploai.members.urls")),
    path("kiem-diem/", include("xeploai.reviews.urls")),
    path("tai-khoan/", include("xeploai.accounts.urls")),
    path("nhap-du-lieu/", include("xeploai.imports.urls")),
    path("bao-cao/", include("xeploai.reports.urls")),
    path("quan-tri/", admin.site.urls),
]
