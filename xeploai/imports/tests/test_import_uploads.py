"""Uploaded files hold personal data: only the server's own account may read them (files
0600 in a 0700 folder, whatever the settings say of other uploads), each is deleted once its
import has run, whether it succeeded, was refused or failed, and files left behind by a
worker that stopped are deleted after IMPORT_UPLOAD_DAYS days, by the worker and by
`xeploai purge_uploads`."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from xeploai.accounts.models import User
from xeploai.core.testing import Personas, make_personas, make_user
from xeploai.imports.models import ImportRun, ImportState
from xeploai.imports.tasks import import_file, purge_uploads
from xeploai.units.models import Unit

HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập"
GOOD = f"{HEADER}\nX9;Đảng bộ xã Mới;Đảng bộ cơ sở;DB-HUYEN;01/05/1975\n".encode()
BAD = f"{HEADER}\nX9;Đảng bộ xã Mới;Đảng bộ xa lạ;DB-HUYEN;01/05/1975\n".encode()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def age(path: Path, days: float) -> None:
    """Make the file look `days` old."""
    then = time.time() - days * 24 * 3600
    os.utime(path, (then, then))


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class ImportUploadsTestCase(TestCase):
    p: Personas
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.admin = make_user("quantri")
        cls.admin.is_staff = True
        cls.admin.save()

    def setUp(self) -> None:
        self.folder = Path(settings.MEDIA_ROOT) / "imports"
        self.folder.mkdir(parents=True, exist_ok=True)
        for leftover in self.folder.iterdir():
            leftover.unlink()

    def send(self, content: bytes) -> ImportRun:
        upload = SimpleUploadedFile("don-vi.csv", content, content_type="text/csv")
        self.p.client(self.admin).post("/nhap-du-lieu/", {"kind": "units", "file": upload})
        return ImportRun.objects.latest("created")

    def work(self) -> None:
        """What the worker does: take the queued task and run it."""
        queued = DBTaskResult.objects.ready().get()
        queued.delete()
        import_file.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])

    @override_settings(FILE_UPLOAD_PERMISSIONS=0o644, FILE_UPLOAD_DIRECTORY_PERMISSIONS=None)
    def test_an_upload_is_private_until_its_import_has_run(self) -> None:
        self.folder.chmod(0o755)  # as an earlier version left it
        for in_memory in (True, False):  # small uploads are held in memory, large ones on disk
            with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=2_621_440 if in_memory else 0):
                run = self.send(BAD)
            stored = Path(run.file.path)
            self.assertEqual((mode(stored), mode(self.folder)), (0o600, 0o700))
            self.work()
            run.refresh_from_db()
            self.assertEqual((run.state, run.file.name), (ImportState.REFUSED, ""))
            self.assertFalse(stored.exists())
        # What the pages show needs no file.
        client = self.p.client(self.admin)
        page = client.get(f"/nhap-du-lieu/{run.pk}/")
        self.assertContains(page, "“Đảng bộ xa lạ” không thuộc các giá trị")
        report = client.get(f"/nhap-du-lieu/{run.pk}/loi.xlsx")
        self.assertEqual(report.status_code, 200)

    def test_the_file_goes_whatever_the_end_of_its_import(self) -> None:
        run = self.send(GOOD)
        self.work()
        run.refresh_from_db()
        self.assertEqual((run.state, run.file.name), (ImportState.DONE, ""))
        self.assertTrue(Unit.objects.filter(code="X9").exists())
        run = self.send(GOOD)
        with (
            mock.patch("xeploai.imports.tasks.run_import", side_effect=MemoryError),
            self.assertRaises(MemoryError),
        ):
            self.work()
        run.refresh_from_db()
        self.assertEqual((run.state, run.file.name), (ImportState.FAILED, ""))
        self.assertEqual(list(self.folder.iterdir()), [])

    def waiting(self, days: float) -> ImportRun:
        """A run whose file has waited `days` for a worker that never came."""
        run = ImportRun(kind="units", file_name="don-vi.csv", by=self.admin)
        run.file.save(f"{run.pk}.csv", ContentFile(GOOD), save=False)
        run.save()
        age(Path(run.file.path), days)
        return run

    def test_files_left_behind_go_after_the_days_the_setting_says(self) -> None:
        old, recent = self.waiting(8), self.waiting(6)
        orphan = self.folder / "tep-mo-coi.csv"  # its run is gone
        orphan.write_bytes(GOOD)
        age(orphan, 30)
        with override_settings(IMPORT_UPLOAD_DAYS=31):
            self.assertEqual(purge_uploads(), 0)
        self.assertEqual(purge_uploads(), 2)  # 7 days when the setting is not given
        self.assertEqual(sorted(self.folder.iterdir()), [Path(recent.file.path)])
        old.refresh_from_db()
        self.assertEqual((old.state, old.file.name), (ImportState.FAILED, ""))
        self.assertIsNotNone(old.finished)
        recent.refresh_from_db()
        self.assertEqual(recent.state, ImportState.QUEUED)
        # A run given up is not started when a worker comes at last.
        import_file.func(str(old.pk))
        old.refresh_from_db()
        self.assertEqual((old.state, old.started), (ImportState.FAILED, None))

    def test_the_worker_deletes_files_left_behind_after_each_import(self) -> None:
        old = self.waiting(8)
        run = self.send(GOOD)
        self.work()
        self.assertEqual(list(self.folder.iterdir()), [])
        old.refresh_from_db()
        run.refresh_from_db()
        self.assertEqual((old.state, run.state), (ImportState.FAILED, ImportState.DONE))

    def test_the_command_deletes_files_left_behind(self) -> None:
        self.waiting(8)
        recent = self.waiting(2)
        out = io.StringIO()
        call_command("purge_uploads", stdout=out)
        self.assertEqual(out.getvalue(), "1 uploaded file(s) deleted.\n")
        self.assertEqual(list(self.folder.iterdir()), [Path(recent.file.path)])
        call_command("purge_uploads", "--days", "1", stdout=out)
        self.assertEqual(list(self.folder.iterdir()), [])
        for bad in ("-1", "một tuần"):
            with self.assertRaises(CommandError):
                call_command("purge_uploads", "--days", bad)
