from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from xeploai.accounts import views as accounts_views
from xeploai.core import views as core_views

admin.site.site_header = "Xếp loại — Quản trị"
admin.site.site_title = "Xếp loại"

urlpatterns = [
    path("", include("xeploai.units.urls")),
    path("dang-vien/", include("xeploai.members.urls")),
    path("kiem-diem/cap-tren/", include("xeploai.oversight.urls")),
    path("kiem-diem/", include("xeploai.reviews.urls")),
    path("tai-khoan/", include("xeploai.accounts.urls")),
    path("nhap-du-lieu/", include("xeploai.imports.urls")),
    path("bao-cao/", include("xeploai.reports.urls")),
    path("dau-hieu/", include("xeploai.integrity.urls")),
    # Before the admin's own: its login page is the accounts' one, throttled, two-factor.
    path("quan-tri/login/", accounts_views.admin_login),
    path("quan-tri/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
]

# Vietnamese pages with a way back; a server error shows templates/500.html, which needs
# nothing that may have failed, or 503.html when another writer held the database busy.
handler404 = core_views.page_not_found
handler403 = core_views.permission_denied
handler500 = core_views.server_error
