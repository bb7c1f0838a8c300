"""Every fault of a row is reported at once, for every kind: cells that cannot be read, the
form's rules, and what the database does not have, looked up per chunk, never row by row."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from xeploai.core.testing import make_member, make_unit
from xeploai.imports.base import Kind, run_import
from xeploai.imports.kinds import DISCIPLINE, MEMBERS, POSTS, RESULTS, STATUSES, TRANSFERS, UNITS
from xeploai.members.models import Member
from xeploai.units.models import UnitKind

MEMBER_HEADER = "Mã đảng viên;Họ và tên;Ngày sinh;Giới tính;Mã chi bộ;Ngày vào Đảng"


class ImportRowFaultsTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        make_member(make_unit(commune, code="CB1"), code="DV1")

    def faults(self, kind: Kind, *lines: str) -> list[tuple[int, str]]:
        path = self.tmp / "file.csv"
        path.write_text("\n".join(lines), encoding="utf-8")
        return [(e.row, e.column) for e in run_import(kind, path).errors]

    def test_a_member_row_shows_each_of_its_three_faults(self) -> None:
        for birth in ("31/02/1980", "01/01/1850"):  # unreadable, then refused by the form
            with self.subTest(birth):
                path = self.tmp / "members.csv"
                path.write_text(f"{MEMBER_HEADER}\nDV2;Lê Văn Bình;{birth};Nam;CB9;01/01/2999")
                errors = run_import(MEMBERS, path).errors
                self.assertCountEqual(
                    [e.column for e in errors], ["Ngày sinh", "Ngày vào Đảng", "Mã chi bộ"]
                )
                messages = [str(e) for e in errors]
                self.assertIn("Dòng 2, cột “Ngày vào Đảng”: Ngày không thể sau hôm nay.", messages)
                self.assertIn("Dòng 2, cột “Mã chi bộ”: Không có đơn vị mã CB9.", messages)
        self.assertEqual(Member.objects.count(), 1)

    def test_every_kind_reports_its_lookups_with_its_other_faults(self) -> None:
        for kind, lines, expected in (
            (
                UNITS,
                (
                    "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Loại hình;Ngày thành lập",
                    "X2;Xã;Đảng bộ xa lạ;H9;Xa phuong;ngày xưa",
                ),
                ["Loại", "Loại hình", "Ngày thành lập", "Mã đơn vị cấp trên"],
            ),
            (
                STATUSES,
                (
                    "Mã đảng viên;Tình trạng;Từ ngày;Đến ngày;Mã chi bộ sinh hoạt tạm thời",
                    "DV9;Nghỉ thai sản;01/03/2024;01/01/2024;CB9",
                ),
                ["Đến ngày", "Mã đảng viên", "Mã chi bộ sinh hoạt tạm thời"],
            ),
            (
                TRANSFERS,
                ("Mã đảng viên;Mã chi bộ đi;Mã chi bộ đến;Ngày chuyển", "DV9;CB9;CB1;ngày mai"),
                ["Ngày chuyển", "Mã đảng viên", "Mã chi bộ đi"],
            ),
            (
                POSTS,
                (
                    "Mã đảng viên;Loại chức vụ;Chức vụ;Mã đơn vị;Từ ngày",
                    "DV9;Đảng;Bí thư;CB9;01/10/2999",
                ),
                ["Từ ngày", "Mã đảng viên", "Mã đơn vị"],
            ),
            (
                DISCIPLINE,
                (
                    "Mã đảng viên;Hình thức;Ngày quyết định;Ngày vi phạm;Mã đơn vị khi vi phạm;"
                    "Đã tính khi xếp loại năm",
                    "DV9;Cảnh cáo;20/09/2023;10/10/2023;CB9;năm ngoái",
                ),
                [
                    "Đã tính khi xếp loại năm",
                    "Ngày quyết định",
                    "Mã đảng viên",
                    "Mã đơn vị khi vi phạm",
                ],
            ),
            (
                RESULTS,
                ("Năm;Đối tượng;Mã;Kết quả;Mã chi bộ", "2020;Đảng viên;DV9;Giỏi;CB9"),
                ["Kết quả", "Mã", "Mã chi bộ"],
            ),
        ):
            with self.subTest(kind.name):
                self.assertEqual(self.faults(kind, *lines), [(2, c) for c in expected])

    def test_a_repeated_row_reports_its_other_faults_too(self) -> None:
        self.assertEqual(
            self.faults(
                MEMBERS,
                MEMBER_HEADER,
                "DV2;Lê Văn Bình;01/01/1980;Nam;CB1;19/05/2010",
                "DV2;Lê Văn Bình;01/01/1980;Nam;CB9;19/05/2010",
            ),
            [(3, "Mã đảng viên"), (3, "Mã chi bộ")],
        )
        self.assertEqual(Member.objects.count(), 1)

    def test_the_database_is_read_per_chunk_not_per_row(self) -> None:
        def queries(rows: int) -> int:
            lines = [
                f"DV{n + 10};Lê Văn {n};31/02/1980;Nam;CB{n + 10};19/05/2010" for n in range(rows)
            ]
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(len(self.faults(MEMBERS, MEMBER_HEADER, *lines)), 2 * rows)
            return len(captured)

        self.assertEqual(queries(3), queries(30))
