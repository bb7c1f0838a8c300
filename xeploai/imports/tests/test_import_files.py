"""Files as offices make them: several sheets, titles above the header, merged cells,
formulas, and a long file whose one bad row is the last."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from unittest import mock

import xlsxwriter
from django.db import IntegrityError
from django.test import TestCase
from python_calamine import CalamineWorkbook

from xeploai.core.testing import make_unit
from xeploai.imports import base, files, values
from xeploai.imports.base import run_import
from xeploai.imports.kinds import KINDS, MEMBERS, UNITS
from xeploai.members.models import Member
from xeploai.units.models import Unit, UnitKind

UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Ngày thành lập"]
MEMBER_HEADER = [
    "Mã đảng viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Mã chi bộ",
    "Ngày vào Đảng",
]


class ImportFilesTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())

    def workbook(self, name: str) -> tuple[xlsxwriter.Workbook, Path]:
        path = self.tmp / name
        return xlsxwriter.Workbook(str(path)), path

    def messages(self, path: Path, kind: object = UNITS) -> str:
        report = run_import(kind, path)  # type: ignore[arg-type]
        return "\n".join(str(e) for e in report.errors)

    def test_the_sheet_of_the_kind_is_found_by_its_name_or_its_columns(self) -> None:
        book, path = self.workbook("district.xlsx")
        book.add_worksheet("Đảng viên").write_row(0, 0, MEMBER_HEADER)
        units = book.add_worksheet("TO CHUC DANG")
        units.write_row(0, 0, UNIT_HEADER)
        units.write_row(1, 0, ["H1", "Đảng bộ huyện", "Đảng bộ huyện", "", "03/02/1930"])
        book.close()
        self.assertEqual(self.messages(path), "")
        self.assertTrue(Unit.objects.filter(code="H1").exists())

    def test_a_wrong_sheet_names_the_sheets_it_has(self) -> None:
        book, path = self.workbook("wrong.xlsx")
        book.add_worksheet("Danh sách").write_row(0, 0, ["STT", "Họ tên", "Quê quán"])
        book.add_worksheet("Ghi chú").write(0, 0, "Không có gì")
        book.close()
        message = self.messages(path)
        self.assertIn("Không trang tính nào có đủ các cột", message)
        self.assertIn("Các trang tính của tệp: Danh sách, Ghi chú", message)
        one, single = self.workbook("single.xlsx")
        one.add_worksheet("Danh sách").write_row(0, 0, ["Mã đơn vị", "Tên"])
        one.close()
        self.assertIn("Thiếu cột: Tên đơn vị, Loại, Ngày thành lập", self.messages(single))

    def test_a_title_above_the_header_is_skipped_and_rows_keep_their_sheet_numbers(self) -> None:
        book, path = self.workbook("titled.xlsx")
        sheet = book.add_worksheet()
        sheet.merge_range(0, 0, 0, 4, "DANH SÁCH TỔ CHỨC ĐẢNG NĂM 2026")
        sheet.write_row(2, 0, UNIT_HEADER)
        sheet.write_row(3, 0, ["H1", "Đảng bộ huyện", "Đảng bộ huyện", "", "03/02/1930"])
        sheet.write_row(4, 0, ["X1", "Đảng bộ xã", "Đảng bộ cơ sở", "H1", "ngày xưa"])
        book.close()
        self.assertIn("Dòng 5, cột “Ngày thành lập”: “ngày xưa”", self.messages(path))
        self.assertFalse(Unit.objects.exists())

    def test_merged_cells_in_the_table_are_refused_with_where_they_are(self) -> None:
        book, path = self.workbook("merged.xlsx")
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, UNIT_HEADER)
        sheet.write_row(1, 0, ["H1", "Đảng bộ huyện", "Đảng bộ huyện", "", "03/02/1930"])
        sheet.write_row(2, 0, ["X1", "Đảng bộ xã 1", "Đảng bộ cơ sở"])
        sheet.write_row(3, 0, ["X2", "Đảng bộ xã 2", "Đảng bộ cơ sở"])
        sheet.merge_range(2, 3, 3, 3, "H1")
        sheet.merge_range(2, 4, 3, 4, "01/05/1975")
        book.close()
        message = self.messages(path)
        self.assertIn("Bảng có ô gộp (D3:D4, E3:E4)", message)
        self.assertFalse(Unit.objects.exists())

    def test_formulas_are_read_as_the_value_excel_shows(self) -> None:
        book, path = self.workbook("formulas.xlsx")
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, UNIT_HEADER)
        sheet.write_row(1, 0, ["H1", "Đảng bộ huyện", "Đảng bộ huyện", ""])
        sheet.write_formula(1, 4, '=TEXT(DATE(1930,2,3),"dd/mm/yyyy")', None, "03/02/1930")
        sheet.write_row(2, 0, ["X1", "Đảng bộ xã", "Đảng bộ cơ sở", "H1"])
        sheet.write_formula(2, 4, "=E2+1")  # never calculated: Excel would show 0
        book.close()
        message = self.messages(path)
        self.assertIn("Dòng 3, cột “Ngày thành lập”: “0” không phải ngày hợp lệ", message)
        self.assertNotIn("Dòng 2", message)
        self.assertFalse(Unit.objects.exists())

    def test_cells_keep_their_excel_types(self) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        make_unit(commune, code="12")
        book, path = self.workbook("types.xlsx")
        sheet = book.add_worksheet()
        builtin_date = book.add_format({"num_format": 14})  # Excel's own short date
        sheet.write_row(0, 0, [*MEMBER_HEADER, "Làm việc trong hệ thống chính trị"])
        sheet.write_number(1, 0, 1001)  # a code typed as a number
        sheet.write_row(1, 1, ["Nguyễn Văn An"])
        sheet.write_datetime(1, 2, dt.datetime(1980, 2, 1), builtin_date)  # noqa: DTZ001
        sheet.write_string(1, 3, "Nam")
        sheet.write_number(1, 4, 12)  # the cell code, a number too
        sheet.write_string(1, 5, "19/05/2010")
        sheet.write_boolean(1, 6, True)
        book.close()
        self.assertEqual(self.messages(path, MEMBERS), "")
        member = Member.objects.get()
        self.assertEqual(
            (member.code, member.birth_date, member.cell.code, member.in_political_system),
            ("1001", dt.date(1980, 2, 1), "12", True),
        )

    def test_one_bad_row_at_the_end_of_a_long_file_writes_nothing(self) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        make_unit(commune, code="CB1")
        path = self.tmp / "members.csv"
        with path.open("w", encoding="utf-8") as f:
            f.write(",".join(MEMBER_HEADER) + "\n")
            for n in range(1, 1001):
                f.write(f"DV{n:07d},Nguyễn Văn {n},01/02/1980,Nam,CB1,19/05/2010\n")
            f.write("DV9999999,Trần Thị Cuối,01/02/1980,Nữ,CB9,19/05/2010\n")
        seen: list[tuple[int, int]] = []
        # Small chunks: the first thousand rows are checked before the last one is read.
        with mock.patch.object(base, "CHUNK", 100):
            report = run_import(
                MEMBERS, path, progress=lambda done, total: seen.append((done, total))
            )
        self.assertEqual(
            [str(e) for e in report.errors], ["Dòng 1002, cột “Mã chi bộ”: Không có đơn vị mã CB9."]
        )
        self.assertFalse(Member.objects.exists())
        self.assertEqual(len(seen), 11)
        self.assertEqual(seen[-1], (1002, 1002))

    def test_a_refusal_by_the_database_itself_is_reported_and_writes_nothing(self) -> None:
        def write_then_clash(items: list[base.Item], report: object, run: base.Run) -> None:
            Unit.objects.create(
                code="H1",
                name="A",
                kind=UnitKind.DISTRICT,
                path="0000",
                depth=0,
                founded=dt.date(2000, 1, 1),
            )
            raise IntegrityError("UNIQUE constraint failed: units_unit.code")

        path = self.tmp / "units.csv"
        path.write_text(";".join(UNIT_HEADER) + "\nH1;Đảng bộ huyện;Đảng bộ huyện;;03/02/1930\n")
        report = run_import(dataclasses.replace(UNITS, write=write_then_clash), path)
        self.assertIn("Cơ sở dữ liệu từ chối ghi: UNIQUE constraint failed", str(report.errors[0]))
        self.assertFalse(Unit.objects.exists())

    def test_templates_have_every_column_an_example_and_notes(self) -> None:
        for kind in KINDS.values():
            path = self.tmp / f"{kind.name}.xlsx"
            files.write_template(kind, path)
            book = CalamineWorkbook.from_path(str(path))
            self.assertEqual(book.sheet_names, [str(kind.title), "Hướng dẫn"])
            header, example = book.get_sheet_by_index(0).to_python()[:2]
            self.assertEqual(header, [c.header for c in kind.columns])
            self.assertTrue(any(example), kind.name)
            notes = book.get_sheet_by_name("Hướng dẫn").to_python()
            self.assertEqual([r[0] for r in notes[1 : len(kind.columns) + 1]], header)
            by_column = {r[0]: r[2] for r in notes[1 : len(kind.columns) + 1]}
            for column in kind.columns:
                self.assertTrue(
                    by_column[column.header] or not column.required or column.parse is values.text,
                    column.header,
                )
        units = CalamineWorkbook.from_path(str(self.tmp / "units.xlsx")).get_sheet_by_name(
            "Hướng dẫn"
        )
        self.assertIn(["Ngày thành lập", "Có", "Ngày dạng dd/mm/yyyy."], units.to_python())
