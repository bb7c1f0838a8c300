"""The error pages: Vietnamese, with a way back, and the server error page standing on its
own when whatever else failed."""

from __future__ import annotations

import tempfile
from unittest import mock

from django.db import connection
from django.test import Client, RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import server_error

from xeploai.accounts.models import User
from xeploai.core.testing import make_cycle, make_personas

HOME = reverse("units:home")


class ErrorPagesTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()

    def test_it_says_a_page_is_not_found_with_a_way_back(self) -> None:
        came_from = "http://testserver/dang-vien/"
        response = self.p.client(self.p.chi).get("/khong-co-trang-nay/", HTTP_REFERER=came_from)
        self.assertContains(response, "Không tìm thấy trang", status_code=404)
        self.assertContains(response, f'href="{came_from}"', status_code=404)
        self.assertContains(response, f'href="{HOME}"', status_code=404)
        self.assertNotContains(response, "Not Found", status_code=404)

    def test_it_offers_no_way_back_to_another_site(self) -> None:
        response = Client().get("/khong-co/", HTTP_REFERER="https://example.com/x")
        self.assertNotContains(response, "example.com", status_code=404)
        self.assertContains(response, "Về trang chủ", status_code=404)

    def test_it_says_a_user_may_not_do_this(self) -> None:
        # Imports are for system administrators; Chi is a committee officer.
        response = self.p.client(self.p.chi).get(
            reverse("imports:index"), HTTP_REFERER=f"http://testserver{HOME}"
        )
        self.assertContains(response, "Bạn không có quyền làm việc này", status_code=403)
        self.assertContains(response, "Quay lại trang trước", status_code=403)
        self.assertNotContains(response, "Forbidden", status_code=403)

    def test_it_asks_to_reload_a_form_sent_with_a_stale_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        login = reverse("accounts:login")
        response = client.post(login, {"username": "chi"}, HTTP_REFERER=f"http://testserver{login}")
        self.assertContains(response, "Hãy tải lại trang rồi làm lại.", status_code=403)
        self.assertContains(response, f'href="http://testserver{login}"', status_code=403)
        self.assertNotContains(response, "CSRF verification failed", status_code=403)
        self.assertIn("csrftoken", response.cookies)  # the reload finds a fresh token

    def test_it_shows_a_server_error_in_vietnamese(self) -> None:
        make_cycle(2025, closed=True)
        client = self.p.client(self.p.dung)
        client.raise_request_exception = False
        url = reverse("reports:report", args=[self.p.district.code, 2025])
        with (
            mock.patch("xeploai.reports.views.report_data", side_effect=RuntimeError("hỏng")),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = client.get(url)
        self.assertContains(response, "Hệ thống gặp lỗi", status_code=500)
        self.assertContains(response, 'href="/"', status_code=500)

    def test_the_server_error_page_needs_no_database_nor_static_files(self) -> None:
        with (
            override_settings(STATIC_ROOT=tempfile.mkdtemp()),  # no manifest there
            CaptureQueriesContext(connection) as queries,
        ):
            response = server_error(RequestFactory().get("/"))
        self.assertEqual((response.status_code, len(queries)), (500, 0))
        self.assertIn("Hệ thống gặp lỗi", response.content.decode())

    def test_it_names_the_background_tasks_in_vietnamese_in_the_admin(self) -> None:
        admin = User.objects.create_superuser("quantri", password="mat-khau-quan-tri-2026")
        client = self.p.client(admin)
        index = client.get(reverse("admin:index")).content.decode()
        self.assertIn("Tác vụ nền", index)
        self.assertIn("Kết quả tác vụ", index)
        self.assertNotIn("Tasks Database Backend", index)
        self.assertNotIn("Task Results", index)
        listed = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
        self.assertContains(listed, "Bởi trạng thái")
        self.assertContains(listed, "Chờ chạy")
