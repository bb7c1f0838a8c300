"""A header naming one column twice (the same heading, or a heading and its alias) is
refused with both places: otherwise one of them would silently be read and the other not."""

from __future__ import annotations

import tempfile
from pathlib import Path

import xlsxwriter
from django.test import TestCase

from xeploai.core.testing import make_member, make_unit
from xeploai.imports.base import run_import
from xeploai.imports.kinds import MEMBERS
from xeploai.members.models import Member
from xeploai.units.models import UnitKind

HEADER = ["Mã đảng viên", "Họ và tên", "Ngày sinh", "Giới tính", "Mã chi bộ", "Ngày vào Đảng"]
ROW = ["DV1", "Nguyễn Văn An", "01/02/1980", "Nam", "CB1", "19/05/2010"]


class ImportHeadersTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        self.an = make_member(make_unit(commune, code="CB1"), code="DV1", full_name="Nguyễn Văn An")

    def run_xlsx(self, header: list[str], row: list[str]) -> list[str]:
        path = self.tmp / "dang-vien.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["DANH SÁCH ĐẢNG VIÊN"])
        sheet.write_row(1, 0, header)
        sheet.write_row(2, 0, row)
        book.close()
        return [str(e) for e in run_import(MEMBERS, path).errors]

    def test_it_refuses_a_column_named_twice_with_both_places(self) -> None:
        errors = self.run_xlsx([*HEADER, "họ và tên"], [*ROW, "Tên khác"])
        self.assertEqual(
            errors,
            [
                "Tệp: Cột “Họ và tên” có hai lần ở dòng tên cột (dòng 2): cột B (“Họ và tên”)"
                " và cột G (“họ và tên”). Hãy xoá hoặc đổi tên một cột."
            ],
        )
        self.assertEqual(Member.objects.get().full_name, "Nguyễn Văn An")

    def test_a_heading_and_its_alias_are_one_column(self) -> None:
        errors = self.run_xlsx(["Số lý lịch", *HEADER], ["DV1", *ROW])
        self.assertEqual(len(errors), 1)
        self.assertIn("Cột “Mã đảng viên” có hai lần ở dòng tên cột (dòng 2): cột A", errors[0])
        self.assertIn("(“Số lý lịch”) và cột B (“Mã đảng viên”)", errors[0])

    def test_other_columns_may_repeat(self) -> None:
        self.assertEqual(self.run_xlsx([*HEADER, "Ghi chú", "Ghi chú"], [*ROW, "a", "b"]), [])
