"""Past results (R34): labels of every regime kept as written, the regime from the year, the
cycle created closed, and results reached in the system never overwritten by a file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Status, Step, UnitEvaluation
from xeploai.imports.base import run_import
from xeploai.imports.kinds import RESULTS
from xeploai.imports.report import Report
from xeploai.rules import Regime
from xeploai.units.models import UnitKind

HEADER = "Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ"


class ImportResultsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        self.commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.cell = make_unit(self.commune, code="CB1")
        self.old_cell = make_unit(self.commune, code="CB2")
        self.an = make_member(self.cell, code="DV1")

    def run_csv(self, *lines: str) -> Report:
        path = self.tmp / "results.csv"
        path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")
        return run_import(RESULTS, path)

    def test_labels_of_every_regime_keep_their_words(self) -> None:
        report = self.run_csv(
            '2015,Đảng viên,DV1,"Đủ tư cách, hoàn thành tốt nhiệm vụ",,CB2',
            "2016,Tổ chức,X1,Trong sạch vững mạnh tiêu biểu,,",
            "2020,Đảng viên,DV1,HTTNV,,",
            "2024,dang vien,DV1,Hoàn thành xuất sắc nhiệm vụ,,",
            "2025,Đảng viên,DV1,Miễn đánh giá,Nghỉ ốm dài ngày,",
            "2024,Tổ chức,CB1,Hoàn thành tốt nhiệm vụ,,",
        )
        self.assertEqual(report.errors, [])
        cycles = {c.year: c for c in Cycle.objects.all()}
        self.assertEqual(cycles[2015].regime, Regime.LEGACY)
        self.assertEqual(cycles[2020].regime, Regime.HD21)
        self.assertTrue(all(c.closed for c in cycles.values()))
        legacy = MemberEvaluation.objects.get(cycle__year=2015)
        self.assertEqual(
            (legacy.label, legacy.ordinal, legacy.level_final, legacy.cell),
            ("Đủ tư cách, hoàn thành tốt nhiệm vụ", 2, None, self.old_cell),
        )
        exemplary = UnitEvaluation.objects.get(cycle__year=2016)
        self.assertEqual(
            (exemplary.ordinal, exemplary.exemplary, exemplary.level_final, exemplary.step),
            (1, True, None, Step.PUBLISHED),
        )
        organisation = UnitEvaluation.objects.get(cycle__year=2024)
        self.assertEqual(
            (organisation.level_final, organisation.step), (Level.GOOD, Step.PUBLISHED)
        )
        hd21 = MemberEvaluation.objects.get(cycle__year=2020)
        self.assertEqual(
            (hd21.label, hd21.level_final, hd21.step), ("HTTNV", Level.GOOD, Step.PUBLISHED)
        )
        exempt = MemberEvaluation.objects.get(cycle__year=2025)
        self.assertEqual(
            (exempt.status, exempt.status_reason, exempt.level_final),
            (Status.EXEMPT, "Nghỉ ốm dài ngày", None),
        )
        again = self.run_csv("2020,Đảng viên,DV1,HTTNV,,")
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 1))

    def test_a_dry_run_creates_no_cycle(self) -> None:
        path = self.tmp / "results.csv"
        path.write_text(
            f'{HEADER}\n2015,Đảng viên,DV1,"Đủ tư cách, hoàn thành tốt nhiệm vụ",,CB2',
            encoding="utf-8",
        )
        report = run_import(RESULTS, path, dry_run=True)
        self.assertEqual((report.errors, report.created), ([], 1))
        self.assertFalse(Cycle.objects.exists())
        self.assertFalse(MemberEvaluation.objects.exists())

    def test_a_changed_imported_result_is_updated_with_history(self) -> None:
        self.run_csv("2020,Đảng viên,DV1,HTTNV,,")
        report = self.run_csv("2020,Đảng viên,DV1,Hoàn thành nhiệm vụ,,")
        self.assertEqual(report.updated, 1)
        evaluation = MemberEvaluation.objects.get()
        self.assertEqual(evaluation.level_final, Level.COMPLETED)
        self.assertEqual(
            [v.level_final for v in evaluation.versions.order_by("history_date")],
            [Level.GOOD, Level.COMPLETED],
        )

    def test_results_reached_in_the_system_or_still_open_are_not_imported(self) -> None:
        closed = make_cycle(2025, closed=True)
        make_evaluation(self.an, closed, status=Status.CLASSIFIED, level_final=Level.GOOD)
        make_cycle(2026)
        report = self.run_csv(
            "2025,Đảng viên,DV1,Hoàn thành tốt nhiệm vụ,,",
            "2025,dang vien,DV1,Hoàn thành xuất sắc nhiệm vụ,,",
        )
        self.assertIn("Trùng với dòng 2: cùng 2025, dang vien, DV1", str(report.errors[0]))
        report = self.run_csv("2025,Đảng viên,DV1,Hoàn thành xuất sắc nhiệm vụ,,")
        self.assertIn("đã được xếp loại trong hệ thống", str(report.errors[0]))
        report = self.run_csv("2025,Đảng viên,DV1,Hoàn thành tốt nhiệm vụ,,")
        self.assertEqual((report.errors, report.unchanged), ([], 1))
        self.assertEqual(MemberEvaluation.objects.get().level_final, Level.GOOD)

    def test_bad_rows_say_what_is_wrong(self) -> None:
        report = self.run_csv(
            "2024,Đảng viên,DV1,Tốt lắm,,",
            "2999,Đảng viên,DV1,HTTNV,,",
            "năm ngoái,Đảng viên,DV1,HTTNV,,",
            "2024,Chi bộ,CB1,HTTNV,,",
            "2023,Đảng viên,DV7,HTTNV,,",
            "2023,Tổ chức,X1,HTTNV,,CB1",
            "2022,Đảng viên,DV1,Đã xếp loại,,",
        )
        messages = "\n".join(str(e) for e in report.errors)
        for expected in (
            "Dòng 2, cột “Kết quả”: “Tốt lắm” không phải mức xếp loại",
            "Dòng 3, cột “Năm”: Chỉ nhập kết quả các năm đã qua",
            "Dòng 4, cột “Năm”: “năm ngoái” không phải năm",
            "Dòng 5, cột “Đối tượng”: “Chi bộ” không thuộc các giá trị: Đảng viên, Tổ chức.",
            "Dòng 6, cột “Mã”: Không có đảng viên mã DV7.",
            "Dòng 7, cột “Mã chi bộ”: Chỉ ghi mã chi bộ cho kết quả của đảng viên.",
            "Dòng 8, cột “Kết quả”: “Đã xếp loại” không phải mức xếp loại",
        ):
            self.assertIn(expected, messages)
        self.assertFalse(Cycle.objects.exists())
