"""The import page's downloads (a template, a run's error report) are built in memory: no
copy of them, nor of the personal data an error report quotes, is left on the server."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from unittest import mock

from django.test import TestCase
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import User
from xeploai.core.testing import Personas, make_personas, make_user
from xeploai.imports.models import ImportRun, ImportState


class ImportDownloadsTestCase(TestCase):
    p: Personas
    admin: User
    refused: ImportRun

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.admin = make_user("quantri")
        cls.admin.is_staff = True
        cls.admin.save()
        cls.refused = ImportRun.objects.create(
            kind="members",
            file_name="dang-vien.csv",
            by=cls.admin,
            state=ImportState.REFUSED,
            error_count=1,
            errors=[[7, "Họ và tên", "Nguyễn Văn Bảo mật: thiếu ngày sinh"]],
        )

    def test_downloads_leave_no_file_behind(self) -> None:
        client = self.p.client(self.admin)
        folder = Path(tempfile.mkdtemp())
        with mock.patch.object(tempfile, "tempdir", str(folder)):
            template = client.get("/nhap-du-lieu/mau/members.xlsx")
            report = client.get(f"/nhap-du-lieu/{self.refused.pk}/loi.xlsx")
            contents = [b"".join(r.streaming_content) for r in (template, report)]  # type: ignore[attr-defined]
            for response in (template, report):
                response.close()
        self.assertEqual(list(folder.iterdir()), [])
        self.assertIn("mau-members.xlsx", template["Content-Disposition"])
        self.assertIn("loi-dang-vien.xlsx", report["Content-Disposition"])
        rows = CalamineWorkbook.from_filelike(io.BytesIO(contents[1])).get_sheet_by_index(0)
        self.assertEqual(
            rows.to_python()[1], [7.0, "Họ và tên", "Nguyễn Văn Bảo mật: thiếu ngày sinh"]
        )
        book = CalamineWorkbook.from_filelike(io.BytesIO(contents[0]))
        self.assertEqual(book.sheet_names, ["Đảng viên", "Hướng dẫn"])
