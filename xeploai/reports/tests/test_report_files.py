"""A province's report downloaded through the background worker: who may ask for it and
fetch it (the permission matrix), its progress, the file kept and served again for the same
figures, written again when they change, a failure that leaves no file, and the pinned
queries of its page."""

from __future__ import annotations

import datetime as dt
import stat
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from xeploai.accounts.models import AccessAction, AccessLog, RoleKind
from xeploai.core.testing import (
    make_cycle,
    make_evaluation,
    make_member,
    make_unit,
    make_user,
    sign_in,
)
from xeploai.cycles.models import Level, MemberEvaluation, Status
from xeploai.reports import exports
from xeploai.reports.models import ReportFile, ReportFileState
from xeploai.reports.tasks import write_report_file
from xeploai.units.models import UnitKind


def run_queued() -> None:
    """What `xeploai db_worker` does with the queued request."""
    queued = DBTaskResult.objects.ready().get()
    write_report_file.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    queued.delete()


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
class ReportFileTestCase(TestCase):
    def setUp(self) -> None:
        self.province = make_unit(None, kind=UnitKind.PROVINCE, code="TINH", name="Tỉnh Nghệ An")
        self.district = make_unit(self.province, kind=UnitKind.DISTRICT, code="HUYEN")
        commune = make_unit(self.district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="XA")
        self.cell = make_unit(commune, code="CB")
        self.cycle = make_cycle(2025, closed=True)
        members = [make_member(self.cell) for _n in range(3)]
        for member, level in zip(members, (Level.EXCELLENT, Level.GOOD, Level.GOOD), strict=True):
            make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=level)
        self.officer = make_user("tinh", roles=((RoleKind.BOARD_OFFICER, self.province),))
        self.member = members[0]

    def client_of(self, username: str, **roles: Any) -> Any:
        client = self.client_class()
        sign_in(client, make_user(username, **roles))
        return client

    def officer_client(self) -> Any:
        return sign_in(self.client_class(), self.officer)

    def prepare(self, fmt: str = "xlsx", client: Any = None, **data: str) -> Any:
        url = reverse("reports:prepare", args=["TINH", 2025, fmt])
        return (client or self.officer_client()).post(url, data)

    def test_who_may_ask_for_and_fetch_the_file(self) -> None:
        response = self.prepare()
        job = ReportFile.objects.get()
        run_queued()
        urls = [
            ("get", reverse("reports:download", args=["TINH", 2025, "pdf"])),
            ("post", reverse("reports:prepare", args=["TINH", 2025, "pdf"])),
            ("get", reverse("reports:file", args=[job.pk])),
            ("get", reverse("reports:file_download", args=[job.pk])),
        ]
        outsiders = {
            "nobody": self.client_of("nobody"),
            "member": self.client_of("dv", member=self.member),
            "cell": self.client_of("cb", roles=((RoleKind.CELL_SECRETARY, self.cell),)),
            "district": self.client_of("hu", roles=((RoleKind.BOARD_OFFICER, self.district),)),
        }
        for method, url in urls:
            with self.subTest(url=url, who="anonymous"):
                response = getattr(self.client_class(), method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])
            for who, client in outsiders.items():
                with self.subTest(url=url, who=who):
                    self.assertEqual(getattr(client, method)(url).status_code, 404)
            with self.subTest(url=url, who="province"):
                response = getattr(self.officer_client(), method)(url)
                self.assertIn(response.status_code, (200, 302))
        self.assertEqual(ReportFile.objects.count(), 2)  # the province's second request only

    def test_the_province_page_asks_the_worker_and_a_commune_downloads_at_once(self) -> None:
        page = self.officer_client().get(reverse("reports:report", args=["TINH", 2025]))
        self.assertContains(page, reverse("reports:prepare", args=["TINH", 2025, "pdf"]))
        self.assertNotContains(page, reverse("reports:download", args=["TINH", 2025, "pdf"]))
        asked = self.officer_client().get(reverse("reports:download", args=["TINH", 2025, "pdf"]))
        self.assertContains(asked, "Chuẩn bị tệp PDF")
        self.assertFalse(ReportFile.objects.exists())  # a GET asks for nothing
        self.assertEqual(
            self.officer_client()
            .get(reverse("reports:prepare", args=["TINH", 2025, "pdf"]))
            .status_code,
            405,
        )
        commune = self.officer_client().get(reverse("reports:download", args=["XA", 2025, "xlsx"]))
        self.assertEqual(commune["Content-Type"], exports.CONTENT_TYPES["xlsx"])
        self.assertEqual(self.prepare(client=None).status_code, 302)
        url = reverse("reports:prepare", args=["XA", 2025, "xlsx"])
        self.assertEqual(self.officer_client().post(url).status_code, 404)

    def test_the_file_is_written_in_the_background_with_its_progress(self) -> None:
        response = self.prepare(**{"thap-phan": "2"})
        job = ReportFile.objects.get()
        self.assertRedirects(response, reverse("reports:file", args=[job.pk]))
        self.assertEqual(
            (job.state, job.decimals, job.by), (ReportFileState.QUEUED, 2, self.officer)
        )
        page = self.officer_client().get(reverse("reports:file", args=[job.pk]))
        self.assertContains(page, "Đang chờ xử lý")
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, '<progress max="100" value="0"')
        # Asked again while it waits: the same request is followed, not a second one made.
        self.assertRedirects(
            self.prepare(**{"thap-phan": "2"}), reverse("reports:file", args=[job.pk])
        )
        self.assertEqual(ReportFile.objects.count(), 1)
        ReportFile.objects.filter(pk=job.pk).update(
            state=ReportFileState.WRITING, started=job.created
        )
        page = self.officer_client().get(
            reverse("reports:file", args=[job.pk]), headers={"HX-Request": "true"}
        )
        self.assertContains(page, "Đang viết tệp")
        self.assertContains(page, '<progress max="100" value="66"')
        self.assertNotContains(page, "<html")
        ReportFile.objects.filter(pk=job.pk).update(state=ReportFileState.QUEUED, started=None)

        run_queued()
        job.refresh_from_db()
        self.assertEqual(job.state, ReportFileState.DONE)
        path = Path(job.file.path)
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        page = self.officer_client().get(reverse("reports:file", args=[job.pk]))
        self.assertContains(page, reverse("reports:file_download", args=[job.pk]))
        self.assertNotContains(page, "hx-trigger")
        download = self.officer_client().get(reverse("reports:file_download", args=[job.pk]))
        self.assertEqual(b"".join(download.streaming_content)[:2], b"PK")
        self.assertIn('filename="bao-cao-xep-loai-2025-TINH.xlsx"', download["Content-Disposition"])
        log = AccessLog.objects.get(action=AccessAction.EXPORT)
        self.assertEqual(log.detail, "báo cáo TINH 2025 xlsx")

    def test_the_same_figures_are_served_from_the_kept_file(self) -> None:
        self.prepare()
        run_queued()
        first = ReportFile.objects.get()
        with mock.patch.object(exports, "xlsx", side_effect=AssertionError("written again")):
            self.prepare()
            run_queued()
        again = ReportFile.objects.get()  # one row per report: the first's is gone
        self.assertNotEqual(again.pk, first.pk)
        self.assertEqual((again.state, again.file.name), (ReportFileState.DONE, first.file.name))
        self.assertTrue(Path(again.file.path).exists())

    def test_other_figures_are_written_again_and_the_old_file_goes(self) -> None:
        self.prepare()
        run_queued()
        first = ReportFile.objects.get()
        old = Path(first.file.path)
        evaluation = MemberEvaluation.objects.get(member=self.member)
        evaluation.level_final = Level.COMPLETED
        evaluation.save()
        self.prepare()
        run_queued()
        latest = ReportFile.objects.get()
        self.assertNotEqual((latest.file.name, latest.digest), (first.file.name, first.digest))
        self.assertFalse(old.exists())
        self.assertTrue(Path(latest.file.path).exists())

    def test_a_failure_leaves_no_file_and_offers_to_try_again(self) -> None:
        self.prepare("pdf")
        with (
            mock.patch.object(exports, "pdf", side_effect=RuntimeError("Pango")),
            self.assertRaises(RuntimeError),
        ):
            run_queued()
        job = ReportFile.objects.get()
        self.assertEqual((job.state, job.file.name), (ReportFileState.FAILED, ""))
        page = self.officer_client().get(reverse("reports:file", args=[job.pk]))
        self.assertContains(page, "Thử lại")
        self.assertEqual(
            self.officer_client().get(reverse("reports:file_download", args=[job.pk])).status_code,
            404,
        )
        self.prepare("pdf")  # a failed request is not followed: a new one is made
        self.assertEqual(ReportFile.objects.filter(state=ReportFileState.QUEUED).count(), 1)

    def test_a_file_gone_from_the_disk_is_not_found_and_written_again(self) -> None:
        self.prepare()
        run_queued()
        job = ReportFile.objects.get()
        Path(job.file.path).unlink()
        url = reverse("reports:file_download", args=[job.pk])
        self.assertEqual(self.officer_client().get(url).status_code, 404)
        self.assertFalse(AccessLog.objects.exists())
        self.prepare()  # the same figures: written again, not the lost file adopted
        run_queued()
        again = ReportFile.objects.get(state=ReportFileState.DONE)
        self.assertTrue(Path(again.file.path).exists())
        self.assertEqual(
            self.officer_client().get(url.replace(str(job.pk), str(again.pk))).status_code, 200
        )

    def test_a_request_no_worker_took_says_so(self) -> None:
        self.prepare()
        ReportFile.objects.update(created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        job = ReportFile.objects.get()
        page = self.officer_client().get(reverse("reports:file", args=[job.pk]))
        self.assertContains(page, "xeploai db_worker")
        self.prepare()  # given up after an hour: asked again, a new request
        self.assertEqual(ReportFile.objects.count(), 2)

    def test_a_job_is_taken_by_one_worker_only(self) -> None:
        self.prepare()
        job = ReportFile.objects.get()
        ReportFile.objects.filter(pk=job.pk).update(state=ReportFileState.READING)
        with mock.patch.object(exports, "xlsx", side_effect=AssertionError("written twice")):
            write_report_file.func(str(job.pk))  # another worker has it: nothing done
        job.refresh_from_db()
        self.assertEqual(
            (job.state, job.started, job.file.name), (ReportFileState.READING, None, "")
        )

    def test_the_page_asking_for_a_file_costs_a_fixed_number_of_queries(self) -> None:
        client = self.officer_client()
        url = reverse("reports:download", args=["TINH", 2025, "pdf"])
        client.get(url)
        # Session, user, device, roles; the unit; the cycle.
        with self.assertNumQueries(6):
            self.assertContains(client.get(url), "Chuẩn bị tệp PDF")

    def test_the_page_costs_the_same_queries_in_every_state(self) -> None:
        self.prepare()
        job = ReportFile.objects.get()
        client = self.officer_client()
        url = reverse("reports:file", args=[job.pk])
        client.get(url)
        # Session, user, device, roles; the file with its unit and cycle.
        with self.assertNumQueries(5):
            client.get(url)
        run_queued()
        with self.assertNumQueries(5):
            client.get(url)
