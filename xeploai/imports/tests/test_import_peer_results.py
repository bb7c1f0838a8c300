"""Past levels of the governments, Fronts and mass organisations of a unit (R22): beside the
party organisation's result of the year, which comes first; in the current four levels, never
for a year of the rules before 2018; never below the head already classified as a leader, and
what a head of one of them is capped by (R16)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TestCase
from django.utils import timezone

from xeploai.core.testing import make_cycle, make_member, make_unit, make_user
from xeploai.cycles.models import LeaderEvaluation, Level, UnitEvaluation
from xeploai.imports import files
from xeploai.imports.base import Run, run_import
from xeploai.imports.kinds import KINDS, LEADER_RESULTS, PEER_RESULTS, RESULTS
from xeploai.imports.report import Report
from xeploai.reviews.models import PeerKind, PeerResult
from xeploai.units.models import UnitKind

from .test_import_leader_results import give_post

HEADER = "Năm,Mã đơn vị,Loại tổ chức,Tên tổ chức,Kết quả,Văn bản"
RESULTS_HEADER = "Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ"
LEADERS_HEADER = "Năm,Mã đảng viên,Mã đơn vị,Chức vụ,Kết quả,Lý do"
DECISION = "Quyết định số 45/QĐ-UBND ngày 20/12/2024"


class ImportPeerResultsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        self.commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.cell = make_unit(self.commune, code="CB1")
        # Em chairs the commune's People's Committee, Giang its Fatherland Front.
        self.em = make_member(self.cell, code="DV-E", full_name="Lê Thị Em")
        self.giang = make_member(self.cell, code="DV-G", full_name="Phạm Thu Giang")
        give_post(
            self.em, self.commune, "Chủ tịch Ủy ban nhân dân", head=True, organisation="UBND xã"
        )
        give_post(
            self.giang, self.commune, "Chủ tịch Ủy ban Mặt trận Tổ quốc", head=True,
            organisation="Ủy ban MTTQ xã",
        )  # fmt: skip
        self.results("2024,Tổ chức,X1,Hoàn thành tốt nhiệm vụ,,")

    def run_csv(self, *lines: str, header: str = HEADER, kind: object = None) -> Report:
        path = self.tmp / "ket-qua-chinh-quyen.csv"
        path.write_text("\n".join([header, *lines]), encoding="utf-8")
        return run_import(kind or PEER_RESULTS, path)  # type: ignore[arg-type]

    def results(self, *lines: str) -> Report:
        report = self.run_csv(*lines, header=RESULTS_HEADER, kind=RESULTS)
        self.assertEqual(report.errors, [])
        return report

    def leaders(self, *lines: str) -> Report:
        return self.run_csv(*lines, header=LEADERS_HEADER, kind=LEADER_RESULTS)

    def messages(self, report: Report) -> list[str]:
        return [e.message for e in report.errors]

    def test_it_records_levels_beside_the_organisation_with_their_versions(self) -> None:
        path = self.tmp / "peers.csv"
        path.write_text(
            "\n".join(
                [
                    HEADER,
                    f"2024,X1,Chính quyền,UBND xã,Hoàn thành tốt nhiệm vụ,{DECISION}",
                    "2024,X1,mttq,Ủy ban MTTQ xã,HTXSNV,Quyết định số 12/QĐ-MTTQ",
                    "2024,X1,Đoàn thể chính trị - xã hội,Hội Nông dân xã,htnv,Quyết định 3",
                ]
            ),
            encoding="utf-8",
        )
        chi = make_user("chi")
        report = run_import(PEER_RESULTS, path, run=Run(by=chi, reason="Nhập tệp peers.csv"))
        self.assertEqual((report.errors, report.created), ([], 3))
        organisation = UnitEvaluation.objects.get(unit=self.commune)
        self.assertEqual(
            set(organisation.peer_results.values_list("kind", "name", "level", "source")),
            {
                (PeerKind.GOVERNMENT, "UBND xã", Level.GOOD, DECISION),
                (PeerKind.FRONT, "Ủy ban MTTQ xã", Level.EXCELLENT, "Quyết định số 12/QĐ-MTTQ"),
                (PeerKind.MASS, "Hội Nông dân xã", Level.COMPLETED, "Quyết định 3"),
            },
        )
        # Imported, not entered by a committee: the version says who imported it, and whence.
        self.assertFalse(PeerResult.objects.filter(entered_by__isnull=False).exists())
        versions = PeerResult.versions.all()
        self.assertEqual(len(versions), 3)
        self.assertEqual(
            {(v.history_user, v.history_change_reason) for v in versions},
            {(chi, "Nhập tệp peers.csv")},
        )
        again = run_import(PEER_RESULTS, path)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))
        self.assertEqual(PeerResult.versions.count(), 3)

    def test_a_changed_row_updates_its_level_with_a_version(self) -> None:
        self.assertEqual(self.run_csv(f"2024,X1,Chính quyền,UBND xã,HTTNV,{DECISION}").errors, [])
        report = self.run_csv("2024,X1,Chính quyền,UBND xã,HTXSNV,Quyết định số 50/QĐ-UBND")
        self.assertEqual((report.errors, report.created, report.updated), ([], 0, 1))
        peer = PeerResult.objects.get()
        self.assertEqual((peer.level, peer.source), (Level.EXCELLENT, "Quyết định số 50/QĐ-UBND"))
        self.assertEqual(
            list(peer.versions.order_by("history_id").values_list("level", flat=True)),
            [Level.GOOD, Level.EXCELLENT],
        )

    def test_the_export_reads_back_as_the_same_levels(self) -> None:
        self.run_csv(
            f"2024,X1,Chính quyền,UBND xã,Hoàn thành tốt nhiệm vụ,{DECISION}",
            "2024,X1,Mặt trận,Ủy ban MTTQ xã,Hoàn thành xuất sắc nhiệm vụ,Quyết định 12",
        )
        exported = list(PEER_RESULTS.export(None))
        self.assertEqual(
            exported[1],
            {
                "year": 2024,
                "unit_code": "X1",
                "kind": "Chính quyền, cơ quan, đơn vị",
                "name": "UBND xã",
                "level": "Hoàn thành tốt nhiệm vụ",
                "source": DECISION,
            },
        )
        path = self.tmp / "peers.xlsx"
        self.assertEqual(files.export(PEER_RESULTS, path, self.commune), 2)
        PeerResult.objects.all().delete()
        self.assertEqual(run_import(PEER_RESULTS, path).created, 2)
        self.assertEqual(list(PEER_RESULTS.export(None)), exported)
        self.assertEqual(run_import(PEER_RESULTS, path).unchanged, 2)

    def test_rows_that_cannot_be_placed_say_why(self) -> None:
        make_cycle(timezone.localdate().year)  # the year under way, open
        self.results('2015,Tổ chức,X1,"Trong sạch vững mạnh",,')
        report = self.run_csv(
            f"2024,XX,Chính quyền,UBND xã,HTTNV,{DECISION}",
            f"2024,CB1,Chính quyền,Cơ quan,HTTNV,{DECISION}",
            f"2019,X1,Chính quyền,UBND xã,HTTNV,{DECISION}",
            f"{timezone.localdate().year},X1,Chính quyền,UBND xã,HTTNV,{DECISION}",
            f"2015,X1,Chính quyền,UBND xã,HTTNV,{DECISION}",
            f"2024,X1,Chính quyềnn,UBND xã,HTTNV,{DECISION}",
            "2024,X1,Chính quyền,UBND xã,HTTNV,",
            "2024,X1,Đoàn thể,Hội Nông dân xã,Vững mạnh,Quyết định 3",
        )
        messages = self.messages(report)
        self.assertEqual([e.row for e in report.errors], list(range(2, 10)), messages)
        self.assertEqual(
            [e.column for e in report.errors],
            ["Mã đơn vị", "Mã đơn vị", "Năm", "Năm", "Năm", "Loại tổ chức", "Văn bản", "Kết quả"],
        )
        self.assertEqual(messages[0], "Không có đơn vị mã XX.")
        self.assertIn(f"Chưa có kết quả xếp loại năm 2024 của {self.cell.name}", messages[1])
        self.assertIn("nhập kết quả của tổ chức đảng (Kết quả các năm) trước", messages[1])
        self.assertIn("Chưa có kỳ đánh giá năm 2019", messages[2])
        self.assertIn("đang diễn ra", messages[3])
        self.assertIn("Năm 2015 xếp loại theo quy định trước năm 2018", messages[4])
        self.assertIn("có phải “Chính quyền, cơ quan, đơn vị”?", messages[5])
        self.assertIn("“Vững mạnh” không thuộc các giá trị", messages[7])
        self.assertFalse(PeerResult.objects.exists())  # all or nothing

    def test_a_row_shows_every_fault_at_once(self) -> None:
        report = self.run_csv("2024,XX,Chính phủ,,Tốt lắm,")
        self.assertCountEqual(
            [(e.row, e.column) for e in report.errors],
            [
                (2, "Mã đơn vị"),
                (2, "Loại tổ chức"),
                (2, "Tên tổ chức"),
                (2, "Kết quả"),
                (2, "Văn bản"),
            ],
        )

    def test_a_file_names_each_organisation_once(self) -> None:
        report = self.run_csv(
            f"2024,X1,Chính quyền,UBND xã,HTTNV,{DECISION}",
            f"2024,X1,chinh quyen,UBND xã,HTXSNV,{DECISION}",
        )
        self.assertEqual([(e.row, e.column) for e in report.errors], [(3, "Tên tổ chức")])
        self.assertIn("Trùng với dòng 2", self.messages(report)[0])
        self.assertFalse(PeerResult.objects.exists())

    def test_the_head_of_a_government_is_classified_after_its_level(self) -> None:
        report = self.leaders("2024,DV-E,X1,,Hoàn thành tốt nhiệm vụ,")
        self.assertIn("Chưa có kết quả xếp loại năm 2024 của UBND xã", self.messages(report)[0])
        self.run_csv(
            f"2024,X1,Chính quyền,UBND xã,Hoàn thành nhiệm vụ,{DECISION}",
            "2024,X1,Mặt trận,Ủy ban MTTQ xã,Hoàn thành tốt nhiệm vụ,Quyết định 12",
        )
        report = self.leaders("2024,DV-E,X1,,Hoàn thành tốt nhiệm vụ,")
        self.assertIn("cao hơn đơn vị mình đứng đầu: UBND xã", self.messages(report)[0])
        report = self.leaders(
            "2024,DV-E,X1,,Hoàn thành nhiệm vụ,", "2024,DV-G,X1,,Hoàn thành tốt nhiệm vụ,"
        )
        self.assertEqual(report.errors, [])
        self.assertEqual(LeaderEvaluation.objects.count(), 2)

    def test_a_level_is_never_imported_below_its_head(self) -> None:
        self.run_csv(
            f"2024,X1,Chính quyền,UBND xã,Hoàn thành tốt nhiệm vụ,{DECISION}",
            "2024,X1,Mặt trận,Ủy ban MTTQ xã,Hoàn thành tốt nhiệm vụ,Quyết định 12",
        )
        self.assertEqual(self.leaders("2024,DV-E,X1,,Hoàn thành tốt nhiệm vụ,").errors, [])
        report = self.run_csv(
            f"2024,X1,Chính quyền,UBND xã,Hoàn thành nhiệm vụ,{DECISION}",
            "2024,X1,Mặt trận,Ủy ban MTTQ xã,Hoàn thành nhiệm vụ,Quyết định 12",  # no head's
            "2024,X1,Đoàn thể,Hội Nông dân xã,Hoàn thành nhiệm vụ,Quyết định 3",
        )
        self.assertEqual([(e.row, e.column) for e in report.errors], [(2, "Kết quả")])
        self.assertEqual(
            self.messages(report)[0],
            "Đồng chí Lê Thị Em, người đứng đầu UBND xã, đã được xếp loại “Hoàn thành tốt nhiệm"
            " vụ” năm 2024: đơn vị không được xếp loại thấp hơn người đứng đầu.",
        )
        self.assertEqual(
            PeerResult.objects.get(kind=PeerKind.GOVERNMENT).level, Level.GOOD
        )  # and nothing else was written
        self.assertEqual(PeerResult.objects.count(), 2)
        report = self.run_csv(f"2024,X1,Chính quyền,UBND xã,HTXSNV,{DECISION}")
        self.assertEqual((report.errors, report.updated), ([], 1))

    def test_a_level_the_committee_entered_is_not_changed_by_a_file(self) -> None:
        PeerResult.objects.create(
            evaluation=UnitEvaluation.objects.get(unit=self.commune),
            kind=PeerKind.GOVERNMENT,
            name="UBND xã",
            level=Level.GOOD,
            source="12/QĐ-UBND",
            entered_by=make_user("chi"),
        )
        report = self.run_csv(f"2024,X1,Chính quyền,UBND xã,HTTNV,{DECISION}")
        self.assertEqual((report.errors, report.unchanged), ([], 1))
        report = self.run_csv(f"2024,X1,Chính quyền,UBND xã,HTXSNV,{DECISION}")
        self.assertIn("đã được cấp ủy nhập trong hệ thống", self.messages(report)[0])
        self.assertEqual(PeerResult.objects.get().level, Level.GOOD)

    def test_it_comes_between_the_results_and_the_leaders(self) -> None:
        names = list(KINDS)
        self.assertEqual(names.index("peer_results"), names.index("results") + 1)
        self.assertEqual(names.index("leader_results"), names.index("peer_results") + 1)
        path = self.tmp / "mau.xlsx"
        path.write_bytes(files.template(PEER_RESULTS))
        self.assertTrue(path.stat().st_size)
        self.assertEqual(
            [c.header for c in PEER_RESULTS.columns],
            ["Năm", "Mã đơn vị", "Loại tổ chức", "Tên tổ chức", "Kết quả", "Văn bản"],
        )
