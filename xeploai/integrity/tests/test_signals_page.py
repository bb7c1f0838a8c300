"""*Dấu hiệu cần xem lại*: a unit's findings of a cycle, read from what the last analysis kept,
the strongest first, filtered by kind, child unit and examination; one finding with its two
texts side by side; the mark "đã xem xét" kept across analyses; the list, the command line
and the spreadsheet agree."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import AccessAction, AccessLog
from xeploai.core.testing import make_member
from xeploai.integrity import actions, signals
from xeploai.integrity.models import Analysis, AnalysisState, Examination, Finding
from xeploai.integrity.views import pieces

from .scene import Scene, make_scene, write

LIST = "/dau-hieu/don-vi/DB-HUYEN/?nam=2026"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def xlsx_rows(content: bytes) -> list[list[Any]]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "dau-hieu.xlsx"
        path.write_bytes(content)
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


class SignalsPageTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def listed(self, query: str = "") -> list[tuple[str, str]]:
        response = self.s.p.client(self.s.p.dung).get(LIST + query)
        self.assertEqual(response.status_code, 200)
        return [(f.kind, f.subject) for f in response.context["page"]]

    def test_it_lists_the_findings_strongest_first(self) -> None:
        response = self.s.p.client(self.s.p.dung).get(LIST)
        self.assertContains(response, "Phân tích lúc")
        self.assertContains(response, self.s.copy.text)
        self.assertContains(response, "Phần hạn chế, khuyết điểm để trống hoặc ghi “không có”.")
        scores = [f.score for f in response.context["page"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertEqual(len(scores), 2)
        logged = AccessLog.objects.get(user=self.s.p.dung, action=AccessAction.VIEW)
        self.assertIn("dấu hiệu cần xem lại DB-HUYEN 2026", logged.detail)

    def test_it_filters_by_kind_child_unit_and_examination(self) -> None:
        self.assertEqual(self.listed("&loai=evasive_text"), [("evasive_text", "DV-BINH")])
        self.assertEqual(self.listed("&loai=copied_text"), [("copied_text", "DV-EM")])
        self.assertEqual(self.listed("&loai=khong-co"), self.listed())  # unknown: every kind
        tabs = self.s.p.client(self.s.p.dung).get(LIST).context["tabs"]
        self.assertEqual([(t.label, t.count) for t in tabs][0], ("Tất cả", 2))
        # Chi's commune, cell by cell: Bình is of cell A, Em of cell B.
        chi = self.s.p.client(self.s.p.chi)
        cell_a = chi.get("/dau-hieu/don-vi/DB-XA/?nam=2026&don-vi=CB-A").context["page"]
        self.assertEqual([f.subject for f in cell_a], ["DV-BINH"])
        actions.examine(self.s.empty, note="", by=self.s.p.chi)
        self.assertEqual(self.listed("&xem-xet=roi"), [("evasive_text", "DV-BINH")])
        self.assertEqual(self.listed("&xem-xet=chua"), [("copied_text", "DV-EM")])

    def test_the_page_the_command_and_the_spreadsheet_agree(self) -> None:
        out = io.StringIO()
        call_command(
            "integrity", "--cycle", "2026", "--unit", "DB-HUYEN", "--as", "dung", stdout=out
        )
        printed = json.loads(out.getvalue())
        self.assertEqual(
            [(s["kind"], s["subject"], s["text"]) for s in printed],
            [
                (f.kind, f.subject, f.text)
                for f in self.s.p.client(self.s.p.dung).get(LIST).context["page"]
            ],
        )
        response = self.s.p.client(self.s.p.dung).get(LIST + "&export=xlsx")
        self.assertEqual(
            [(r[0], r[1], r[3]) for r in xlsx_rows(response.content)[1:]],
            [(str(signals.KINDS[s["kind"]]), s["subject"], s["text"]) for s in printed],
        )
        self.assertTrue(AccessLog.objects.filter(action=AccessAction.EXPORT, user=self.s.p.dung))

    def test_the_mark_stays_when_the_subtree_is_analysed_again(self) -> None:
        client = self.s.p.client(self.s.p.dung)
        client.post(f"/dau-hieu/{self.s.copy.pk}/", {"note": "Đã gặp đồng chí Em."})
        client.post(f"/dau-hieu/{self.s.copy.pk}/", {"note": "Em đã viết lại phần ưu điểm."})
        actions.analyse(self.s.p.district, cycle=self.s.cycle, by=self.s.p.dung)
        again = Finding.objects.get(kind="copied_text", subject="DV-EM")
        self.assertNotEqual(again.pk, self.s.copy.pk)  # found anew
        response = client.get(f"/dau-hieu/{again.pk}/")
        self.assertContains(response, "Em đã viết lại phần ưu điểm.")
        self.assertContains(response, "Đã xem xét: dung")
        notes = Examination.history.order_by("history_date").values_list("note", flat=True)
        self.assertEqual(list(notes), ["Đã gặp đồng chí Em.", "Em đã viết lại phần ưu điểm."])
        self.assertEqual(self.listed("&xem-xet=roi"), [("copied_text", "DV-EM")])

    def test_it_shows_the_two_texts_with_the_shared_parts_marked(self) -> None:
        response = self.s.p.client(self.s.p.dung).get(f"/dau-hieu/{self.s.copy.pk}/?tu=DB-HUYEN")
        self.assertContains(response, "Phạm Văn Em (DV-EM), năm 2026")
        self.assertContains(response, "Trần Thị An</a> (DV-AN)")
        self.assertContains(
            response,
            "<mark>",
            count=len(self.s.copy.evidence["spans"]) + len(self.s.copy.evidence["other_spans"]),
        )
        self.assertContains(response, 'href="/dau-hieu/don-vi/DB-HUYEN/?nam=2026"')
        read = AccessLog.objects.get(user=self.s.p.dung, action=AccessAction.VIEW)
        self.assertEqual(read.member.code, "DV-EM")  # type: ignore[union-attr]

    def test_what_members_wrote_is_shown_as_text(self) -> None:
        hostile = make_member(self.s.p.cell_b, code="DV-HOA", full_name="Hòa")
        write(hostile, self.s.cycle, strengths="Tốt", weaknesses="<script>alert(1)</script>")
        actions.analyse(self.s.p.commune, cycle=self.s.cycle, by=self.s.p.chi)
        found = Finding.objects.get(subject="DV-HOA")
        response = self.s.p.client(self.s.p.chi).get(f"/dau-hieu/{found.pk}/")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<script>alert")

    def test_it_reads_the_list_and_a_finding_in_a_fixed_number_of_queries(self) -> None:
        client = self.s.p.client(self.s.p.dung)
        for subject in ("DV-X1", "DV-X2", "DV-X3"):  # more findings, no more queries
            write(
                make_member(self.s.p.cell_a, code=subject),
                self.s.cycle,
                strengths="T",
                weaknesses="",
            )
        actions.analyse(self.s.p.district, cycle=self.s.cycle, by=self.s.p.dung)
        # session, user, second factor, role paths, unit, roles, cycle, analysis, children,
        # counts, count, log, page
        with self.assertNumQueries(13):
            self.assertEqual(len(client.get(LIST).context["page"]), 5)
        # session, user, second factor, finding, roles, examination, members, log, the cell
        copy = Finding.objects.get(kind="copied_text", subject="DV-EM")  # found anew
        with self.assertNumQueries(9):
            self.assertEqual(client.get(f"/dau-hieu/{copy.pk}/").status_code, 200)

    def test_the_decision_and_appraisal_lists_show_each_members_signals(self) -> None:
        link = f'href="/dau-hieu/{self.s.copy.pk}/?tu=DB-XA"'
        decide = "/kiem-diem/quyet-dinh/DB-XA/?nam=2026&buoc=tat-ca"
        self.assertContains(self.s.p.client(self.s.p.chi).get(decide), link)
        appraise = "/kiem-diem/tham-dinh/DB-XA/?nam=2026&buoc=tat-ca"
        response = self.s.p.client(self.s.p.dung).get(appraise)
        self.assertContains(response, link)
        self.assertContains(response, "Bản kiểm điểm giống bản khác")

    def test_the_units_report_counts_its_signals_for_those_who_read_them(self) -> None:
        actions.examine(self.s.copy, note="", by=self.s.p.dung)
        report = "/bao-cao/DB-XA/2026/"
        response = self.s.p.client(self.s.p.chi).get(report)
        self.assertContains(response, "Dấu hiệu cần xem lại: 2, đã xem xét 1")
        self.assertContains(response, "bản kiểm điểm giống bản khác: 1; tự phê bình né tránh: 1")
        response = self.s.p.client(self.s.p.binh).get("/bao-cao/CB-A/2026/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Dấu hiệu cần xem lại")

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_an_analysis_asked_from_the_page_runs_in_the_worker(self) -> None:
        Finding.objects.all().delete()
        client = self.s.p.client(self.s.p.chi)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post("/dau-hieu/don-vi/CB-A/phan-tich/?nam=2026")
        self.assertRedirects(response, "/dau-hieu/don-vi/CB-A/?nam=2026")
        analysis = Analysis.objects.latest("asked")
        self.assertEqual(
            (analysis.unit, analysis.state, analysis.found), (self.s.p.commune, "DONE", 2)
        )
        self.assertEqual(Finding.objects.count(), 2)  # the commune's: copies look across it

    def test_a_failed_analysis_leaves_the_findings_as_they_were(self) -> None:
        with (
            mock.patch.object(actions, "FINDERS", (mock.Mock(side_effect=RuntimeError),)),
            self.assertRaises(RuntimeError),
        ):
            actions.analyse(self.s.p.district, cycle=self.s.cycle, by=self.s.p.dung)
        self.assertEqual(Finding.objects.count(), 2)
        self.assertEqual(Analysis.objects.latest("asked").state, AnalysisState.FAILED)
        response = self.s.p.client(self.s.p.dung).get(LIST)
        self.assertContains(response, "Lần phân tích gần nhất không thành công")

    def test_an_analysis_under_way_is_followed_on_the_page(self) -> None:
        Analysis.objects.create(
            unit=self.s.p.district,
            cycle=self.s.cycle,
            state=AnalysisState.QUEUED,
            asked=Analysis.objects.get().asked,
        )
        response = self.s.p.client(self.s.p.dung).get(LIST, headers={"HX-Request": "true"})
        self.assertContains(response, "Đang chờ phân tích")
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertNotContains(response, "<table")


class PiecesTestCase(TestCase):
    def test_it_cuts_a_text_at_its_marked_spans(self) -> None:
        self.assertEqual(
            pieces("Một. Hai. Ba.", [[5, 9], [0, 4]]),
            [("Một.", True), (" ", False), ("Hai.", True), (" Ba.", False)],
        )

    def test_it_ignores_spans_out_of_the_text_or_overlapping(self) -> None:
        self.assertEqual(pieces("abc", [[1, 10], [0, 2], [5, 7]]), [("abc", True)])
        self.assertEqual(
            pieces("abcd", [[2, 3], [0, 1]]), [("a", True), ("b", False), ("c", True), ("d", False)]
        )
        self.assertEqual(pieces("", [[0, 3]]), [])
