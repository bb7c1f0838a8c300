"""The import page: only system administrators import; a file goes to the background worker,
the page follows its progress, says when no worker runs, and shows the error report."""

from __future__ import annotations

import datetime as dt
import io
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import User
from xeploai.core.testing import Personas, make_personas, make_user
from xeploai.imports.models import ImportRun, ImportState
from xeploai.imports.tasks import import_file
from xeploai.units.models import Unit

HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập"
GOOD = f"{HEADER}\nX9;Đảng bộ xã Mới;Đảng bộ cơ sở;DB-HUYEN;01/05/1975\n".encode()
BAD = f"{HEADER}\nX9;Đảng bộ xã Mới;Đảng bộ xa lạ;DB-HUYEN;01/05/1975\n".encode()


def upload(content: bytes, name: str = "don-vi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class ImportPageTestCase(TestCase):
    p: Personas
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.admin = make_user("quantri")
        cls.admin.is_staff = True
        cls.admin.save()

    def send(self, content: bytes, **data: object) -> ImportRun:
        response = self.p.client(self.admin).post(
            "/nhap-du-lieu/", {"kind": "units", "file": upload(content), **data}
        )
        run = ImportRun.objects.get()
        self.assertRedirects(response, f"/nhap-du-lieu/{run.pk}/", fetch_redirect_response=False)
        return run

    def work(self) -> None:
        """What the worker does: take the queued task and run it."""
        queued = DBTaskResult.objects.ready().get()
        self.assertEqual(queued.task_path, "xeploai.imports.tasks.import_file")
        import_file.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])

    def test_a_file_is_imported_by_the_worker_and_the_page_follows_it(self) -> None:
        client = self.p.client(self.admin)
        index = client.get("/nhap-du-lieu/")
        self.assertContains(index, "Tải tệp mẫu")
        self.assertContains(index, "Kết quả các năm")
        run = self.send(GOOD)
        self.assertContains(client.get(f"/nhap-du-lieu/{run.pk}/"), "Đang chờ xử lý")
        self.assertNotContains(client.get(f"/nhap-du-lieu/{run.pk}/"), "tiến trình nền không chạy")
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
            waiting = client.get(f"/nhap-du-lieu/{run.pk}/", headers={"HX-Request": "true"})
        self.assertContains(waiting, "tiến trình nền không chạy")
        self.assertContains(waiting, 'hx-trigger="every 1s"')
        self.assertNotContains(waiting, "<html")  # the partial only
        self.work()
        done = client.get(f"/nhap-du-lieu/{run.pk}/")
        self.assertContains(done, "1 dòng thêm mới, 0 dòng cập nhật, 0 dòng không đổi.")
        self.assertNotContains(done, "hx-trigger")
        unit = Unit.objects.get(code="X9")
        self.assertEqual(unit.parent, self.p.district)
        version = unit.history.get()
        self.assertEqual(
            (version.history_user, version.history_change_reason),
            (self.admin, "Nhập tệp don-vi.csv"),
        )

    def test_a_refused_file_shows_its_errors_and_writes_nothing(self) -> None:
        client = self.p.client(self.admin)
        run = self.send(BAD)
        self.work()
        run.refresh_from_db()
        self.assertEqual((run.state, run.error_count), (ImportState.REFUSED, 1))
        page = client.get(f"/nhap-du-lieu/{run.pk}/")
        self.assertContains(page, "1 lỗi: không ghi dòng nào.")
        self.assertContains(page, "“Đảng bộ xa lạ” không thuộc các giá trị")
        report = client.get(f"/nhap-du-lieu/{run.pk}/loi.xlsx")
        content = io.BytesIO(b"".join(report.streaming_content))  # type: ignore[attr-defined]
        rows = CalamineWorkbook.from_filelike(content).get_sheet_by_index(0).to_python()
        self.assertEqual(rows[1][:2], [2.0, "Loại"])
        self.assertFalse(Unit.objects.filter(code="X9").exists())

    def test_a_dry_run_writes_nothing(self) -> None:
        run = self.send(GOOD, dry_run="on")
        self.work()
        run.refresh_from_db()
        self.assertEqual((run.state, run.created_count), (ImportState.DONE, 1))
        self.assertFalse(Unit.objects.filter(code="X9").exists())

    def test_a_file_that_is_not_a_spreadsheet_is_refused_at_the_door(self) -> None:
        response = self.p.client(self.admin).post(
            "/nhap-du-lieu/", {"kind": "units", "file": upload(b"MZ", "virus.exe")}
        )
        self.assertContains(response, "Chỉ nhận tệp .xlsx hoặc .csv.")
        self.assertFalse(ImportRun.objects.exists())

    def test_the_template_downloads(self) -> None:
        response = self.p.client(self.admin).get("/nhap-du-lieu/mau/members.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("mau-members.xlsx", response["Content-Disposition"])
        self.assertEqual(
            self.p.client(self.admin).get("/nhap-du-lieu/mau/khac.xlsx").status_code, 404
        )

    def test_permission_matrix(self) -> None:
        run = self.send(GOOD)
        other_admin = make_user("quantri2")
        other_admin.is_staff = True
        other_admin.save()
        pages = [
            ("get", "/nhap-du-lieu/"),
            ("post", "/nhap-du-lieu/"),
            ("get", "/nhap-du-lieu/mau/units.xlsx"),
            ("get", f"/nhap-du-lieu/{run.pk}/"),
            ("get", f"/nhap-du-lieu/{run.pk}/loi.xlsx"),
        ]
        for method, path in pages:
            anonymous = getattr(self.p.client(None), method)(path)
            self.assertEqual(anonymous.status_code, 302, path)
            self.assertIn("/tai-khoan/", anonymous["Location"])
            for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung, self.p.em, self.p.nobody):
                response = getattr(self.p.client(user), method)(path)
                self.assertEqual(response.status_code, 403, (user.username, path))
            expected = 404 if str(run.pk) in path else (200 if method == "get" else 200)
            response = getattr(self.p.client(other_admin), method)(path)
            self.assertEqual(response.status_code, expected, ("quantri2", path))
        self.assertEqual(ImportRun.objects.count(), 1)
