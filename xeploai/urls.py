from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from xeploai.core import views as core_views

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
    path("favicon.ico", core_views.favicon),
]

# Vietnamese pages with a way back; a server error shows templates/500.html, which needs
# nothing that may have failed (Django's own handler renders it without a request).
handler404 = core_views.page_not_found
handler403 = core_views.permission_denied
