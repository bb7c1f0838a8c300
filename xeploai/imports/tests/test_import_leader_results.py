"""Past results of leaders as leaders (R32, R34): one per leading post held that year, at the
highest post only, a head never above the unit they head nor before its result (R16), from
either side: the leader's file, or the unit's results imported after."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.test import TestCase
from django.utils import timezone

from xeploai.core.testing import make_member, make_unit, make_user, post_title
from xeploai.cycles.models import Cycle, LeaderEvaluation, Level, Step, UnitEvaluation
from xeploai.imports import files
from xeploai.imports.base import run_import
from xeploai.imports.kinds import LEADER_RESULTS, RESULTS
from xeploai.imports.report import Report
from xeploai.members.models import Member, Post, PostKind
from xeploai.reviews import history
from xeploai.reviews.models import LeaderLevelChange, PeerKind, PeerResult
from xeploai.units.models import Unit, UnitKind

HEADER = "Năm,Mã đảng viên,Mã đơn vị,Chức vụ,Kết quả,Lý do"
RESULTS_HEADER = "Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ"


def give_post(
    member: Member, unit: Unit, name: str, *, head: bool = False, organisation: str = ""
) -> Post:
    t = post_title(name)
    return Post.objects.create(
        member=member, kind=t.kind, title=t.name, post_title=t, unit=unit, head=head,
        start=dt.date(2015, 1, 1), organisation=organisation,
    )  # fmt: skip


class ImportLeaderResultsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        self.commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.cell = make_unit(self.commune, code="CB1")
        # Bình heads the commune and his cell; An is his deputy in the cell; Em chairs the
        # commune's People's Committee.
        self.binh = make_member(self.cell, code="DV-B", full_name="Trần Văn Bình")
        self.an = make_member(self.cell, code="DV-A", full_name="Nguyễn Văn An")
        self.em = make_member(self.cell, code="DV-E", full_name="Lê Thị Em")
        give_post(self.binh, self.commune, "Bí thư", head=True)
        give_post(self.binh, self.cell, "Bí thư chi bộ", head=True)
        give_post(self.an, self.cell, "Phó Bí thư chi bộ")
        give_post(self.em, self.commune, "Chủ tịch Ủy ban nhân dân", head=True)

    def run_csv(self, *lines: str, header: str = HEADER, kind: object = None) -> Report:
        path = self.tmp / "leaders.csv"
        path.write_text("\n".join([header, *lines]), encoding="utf-8")
        return run_import(kind or LEADER_RESULTS, path)  # type: ignore[arg-type]

    def units(self, *lines: str) -> Report:
        return self.run_csv(*lines, header=RESULTS_HEADER, kind=RESULTS)

    def messages(self, report: Report) -> str:
        return " ".join(e.message for e in report.errors)

    def test_a_leader_is_recorded_at_their_post_with_its_history(self) -> None:
        self.assertEqual(self.units("2024,Tổ chức,X1,Hoàn thành tốt nhiệm vụ,,").errors, [])
        report = self.run_csv(
            "2024,DV-B,X1,,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-A,CB1,Phó Bí thư chi bộ,Hoàn thành xuất sắc nhiệm vụ,",
            "2024,DV-B,CB1,,Không xếp loại,Xếp loại tại Đảng ủy xã",
        )
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, 3)
        rows = LeaderEvaluation.objects.select_related("member", "unit")
        seen = {
            (e.member.code, e.unit.code): (e.level_final, e.classified, e.head, e.step)
            for e in rows
        }
        self.assertEqual(
            seen,
            {
                ("DV-B", "X1"): (Level.GOOD, True, True, Step.PUBLISHED),
                ("DV-A", "CB1"): (Level.EXCELLENT, True, False, Step.PUBLISHED),
                ("DV-B", "CB1"): (None, False, True, Step.NOT_REVIEWED),
            },
        )
        self.assertTrue(Cycle.objects.get(year=2024).closed)
        # Every result has its level history, sealed as the others are (R33).
        self.assertEqual(LeaderLevelChange.objects.count(), 3)
        self.assertEqual(list(history.verify()), [])
        again = self.run_csv("2024,DV-A,CB1,Phó Bí thư chi bộ,Hoàn thành xuất sắc nhiệm vụ,")
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 1))
        # The export writes them back as the file had them, below the highest post too.
        exported = list(LEADER_RESULTS.export(None))
        self.assertIn(
            {
                "year": 2024,
                "member_code": "DV-A",
                "unit_code": "CB1",
                "title": "Phó Bí thư chi bộ",
                "result": "Hoàn thành xuất sắc nhiệm vụ",
                "reason": "",
            },
            exported,
        )

    def test_a_head_waits_for_the_unit_they_head(self) -> None:
        report = self.run_csv("2024,DV-B,X1,,Hoàn thành tốt nhiệm vụ,")
        self.assertIn("Chưa có kết quả xếp loại năm 2024 của", self.messages(report))
        self.assertFalse(LeaderEvaluation.objects.exists())
        # A status is no level: it needs no unit's.
        self.assertEqual(self.run_csv("2024,DV-B,X1,,Miễn đánh giá,Nghỉ ốm").errors, [])

    def test_a_head_is_never_above_the_unit_they_head(self) -> None:
        self.units("2024,Tổ chức,X1,Hoàn thành nhiệm vụ,,")
        report = self.run_csv(
            "2024,DV-B,X1,,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-A,CB1,,Hoàn thành tốt nhiệm vụ,",
        )
        self.assertIn(
            "Người đứng đầu không được xếp loại cao hơn đơn vị mình đứng đầu",
            self.messages(report),
        )
        self.assertEqual(len(report.errors), 1)
        self.assertFalse(LeaderEvaluation.objects.exists())  # all or nothing
        self.assertEqual(self.run_csv("2024,DV-B,X1,,HTNV,").errors, [])

    def test_a_year_of_earlier_rules_compares_ranks(self) -> None:
        self.units('2015,Tổ chức,X1,"Hoàn thành tốt nhiệm vụ",,')
        report = self.run_csv('2015,DV-B,X1,,"Đủ tư cách, hoàn thành xuất sắc nhiệm vụ",')
        self.assertIn("cao hơn đơn vị mình đứng đầu", self.messages(report))
        report = self.run_csv('2015,DV-B,X1,,"Đủ tư cách, hoàn thành tốt nhiệm vụ",')
        self.assertEqual(report.errors, [])

    def test_a_unit_is_never_imported_below_its_head(self) -> None:
        self.units("2024,Tổ chức,X1,Hoàn thành tốt nhiệm vụ,,")
        self.assertEqual(self.run_csv("2024,DV-B,X1,,Hoàn thành tốt nhiệm vụ,").errors, [])
        report = self.units("2024,Tổ chức,X1,Hoàn thành nhiệm vụ,,")
        self.assertIn("đơn vị không được xếp loại thấp hơn người đứng đầu", self.messages(report))
        self.assertEqual(
            LeaderEvaluation.objects.get().level_final, Level.GOOD
        )  # and the unit's is unchanged
        self.assertEqual(self.units("2024,Tổ chức,X1,Hoàn thành xuất sắc nhiệm vụ,,").errors, [])

    def test_the_head_of_a_government_is_capped_by_its_level(self) -> None:
        self.units("2024,Tổ chức,X1,Hoàn thành xuất sắc nhiệm vụ,,")
        report = self.run_csv("2024,DV-E,X1,,Hoàn thành tốt nhiệm vụ,")
        self.assertIn("Chưa có kết quả xếp loại năm 2024", self.messages(report))
        PeerResult.objects.create(
            evaluation=UnitEvaluation.objects.get(unit=self.commune),
            kind=PeerKind.GOVERNMENT,
            name="UBND xã",
            level=Level.COMPLETED,
            source="12/QĐ-UBND",
            entered_by=make_user("chi"),
        )
        report = self.run_csv("2024,DV-E,X1,,Hoàn thành tốt nhiệm vụ,")
        self.assertIn("cao hơn đơn vị mình đứng đầu", self.messages(report))
        self.assertEqual(self.run_csv("2024,DV-E,X1,,Hoàn thành nhiệm vụ,").errors, [])
        self.assertEqual(Post.objects.get(member=self.em).kind, PostKind.GOVERNMENT)

    def test_a_level_only_at_the_highest_post(self) -> None:
        report = self.run_csv("2024,DV-B,CB1,Bí thư chi bộ,Hoàn thành tốt nhiệm vụ,")
        self.assertIn(
            "được xếp loại cán bộ lãnh đạo, quản lý tại chức vụ cao nhất năm 2024: Bí thư",
            self.messages(report),
        )

    def test_rows_that_name_no_post_say_why(self) -> None:
        report = self.run_csv(
            "2024,DV-A,X1,,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-X,X1,,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-A,XX,,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-A,CB1,Bí thư chi bộ,Hoàn thành tốt nhiệm vụ,",
            "2024,DV-A,CB1,,Tốt lắm,",
            f"{timezone.localdate().year},DV-A,CB1,,Hoàn thành tốt nhiệm vụ,",
        )
        messages = [e.message for e in report.errors]
        self.assertEqual(len({e.row for e in report.errors}), 6, messages)
        self.assertEqual(
            "Đồng chí Nguyễn Văn An không giữ chức vụ lãnh đạo, quản lý tại"
            f" {self.commune.name} vào thời điểm đánh giá năm 2024.",
            messages[0],
        )
        self.assertIn("Không có đảng viên mã DV-X.", messages)
        self.assertIn("Không có đơn vị mã XX.", messages)
        self.assertFalse(LeaderEvaluation.objects.exists())

    def test_the_template_names_every_column(self) -> None:
        path = self.tmp / "mau.xlsx"
        files.write_rows(LEADER_RESULTS, iter(()), path)
        self.assertTrue(path.stat().st_size)
        self.assertEqual(
            [c.header for c in LEADER_RESULTS.columns],
            ["Năm", "Mã đảng viên", "Mã đơn vị", "Chức vụ", "Kết quả", "Lý do"],
        )
