from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from django.core.management import call_command
from django.test import TestCase

from xeploai.imports.base import run_import
from xeploai.imports.kinds import UNITS
from xeploai.units.models import Unit

HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Loại hình;Ngày thành lập"


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


class ImportUnitsTestCase(TestCase):
    def setUp(self) -> None:
        import tempfile

        self.tmp = Path(tempfile.mkdtemp())

    def test_it_imports_a_tree_with_parents_after_children(self) -> None:
        path = write(
            self.tmp,
            "units.csv",
            "\n".join(
                [
                    "  mã đơn vị ;TÊN ĐƠN VỊ;loai;Mã đơn vị cấp trên;Loại hình;Ngày thành lập",
                    "CB1;Chi bộ xóm 1;Chi bộ trực thuộc;X1;Xã, phường, đặc khu;01/02/1990",
                    "X1;Đảng bộ xã Hoa Thành;đảng bộ cơ sở;H1;xa, phuong, dac khu;1975-05-01",
                    "H1;Đảng bộ huyện Yên Thành;Đảng bộ huyện;;;03/02/1930",
                ]
            ),
        )
        report = run_import(UNITS, path)
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, 3)
        cell = Unit.objects.get(code="CB1")
        self.assertEqual((cell.parent.code, cell.kind, cell.depth), ("X1", "CELL", 2))  # type: ignore[union-attr]
        again = run_import(UNITS, path)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))

    def test_it_updates_a_changed_row(self) -> None:
        write(self.tmp, "a.csv", f"{HEADER}\nH1;Huyện cũ;Đảng bộ huyện;;;03/02/1930")
        run_import(UNITS, self.tmp / "a.csv")
        path = write(
            self.tmp, "b.csv", f"{HEADER}\nH1;Đảng bộ huyện mới;Đảng bộ huyện;;;03/02/1930"
        )
        self.assertEqual(run_import(UNITS, path).updated, 1)
        self.assertEqual(Unit.objects.get(code="H1").name, "Đảng bộ huyện mới")

    def test_it_refuses_everything_when_one_row_is_bad(self) -> None:
        path = write(
            self.tmp,
            "bad.csv",
            "\n".join(
                [
                    HEADER,
                    "H1;Đảng bộ huyện;Đảng bộ huyện;;;03/02/1930",
                    "X1;Đảng bộ xã;Đảng bộ xa lạ;H1;;01/05/1975",
                    "X2;Đảng bộ xã 2;Đảng bộ cơ sở;H9;;01/05/1975",
                    "X3;Đảng bộ xã 3;Đảng bộ cơ sở;H1;;ngày xưa",
                    "X4;Đảng bộ xã 4;Đảng bộ cơ sở;H1;;01/05/2999",
                    "H1;Trùng mã;Đảng bộ huyện;;;03/02/1930",
                ]
            ),
        )
        report = run_import(UNITS, path)
        messages = [str(e) for e in report.errors]
        self.assertIn("Dòng 3, cột “Loại”:", messages[0])
        self.assertTrue(any("Dòng 5, cột “Ngày thành lập”: “ngày xưa”" in m for m in messages))
        self.assertTrue(
            any("Dòng 6, cột “Ngày thành lập”: Ngày thành lập không thể sau" in m for m in messages)
        )
        self.assertTrue(
            any("Dòng 7, cột “Mã đơn vị”: Mã H1 trùng với dòng 2" in m for m in messages)
        )
        self.assertTrue(
            any("Dòng 4, cột “Mã đơn vị cấp trên”: Không có đơn vị mã H9" in m for m in messages)
        )
        self.assertFalse(Unit.objects.exists())

    def test_it_names_the_rows_of_a_cycle(self) -> None:
        path = write(
            self.tmp,
            "cycle.csv",
            "\n".join(
                [
                    HEADER,
                    "A;Đơn vị A;Đảng bộ cơ sở;B;Xã;01/01/2000",
                    "B;Đơn vị B;Đảng bộ bộ phận;C;Xã;01/01/2000",
                    "C;Đơn vị C;Chi bộ trực thuộc;A;Thôn;01/01/2000",
                ]
            ),
        )
        report = run_import(UNITS, path)
        self.assertIn("Vòng lặp cấp trên giữa các dòng 2, 3, 4", str(report.errors[0]))
        self.assertFalse(Unit.objects.exists())

    def test_it_reads_xlsx_with_date_cells_and_nfd_accents(self) -> None:
        import datetime as dt
        import unicodedata

        path = self.tmp / "units.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        for col, title in enumerate(HEADER.split(";")):
            sheet.write(0, col, unicodedata.normalize("NFD", title))
        sheet.write_row(
            1, 0, ["H1", "Đảng bộ huyện", unicodedata.normalize("NFD", "Đảng bộ huyện"), "", ""]
        )
        sheet.write_datetime(1, 5, dt.datetime(1930, 2, 3), dates)  # noqa: DTZ001  (an Excel date)
        book.close()
        report = run_import(UNITS, path)
        self.assertEqual(report.errors, [])
        self.assertEqual(Unit.objects.get(code="H1").founded, dt.date(1930, 2, 3))

    def test_it_explains_a_file_it_cannot_read(self) -> None:
        cases = {
            "empty.csv": b"",
            "garbage.xlsx": bytes(range(256)) * 10,
            "garbage.csv": b"\x00\xff\xfe" * 100,
            "nothing.csv": "Mã đơn vị;Tên đơn vị\n".encode(),
            "latin1.csv": f"{HEADER}\nH1;Huyện;Đảng bộ huyện;;;03/02/1930".encode(
                "cp1258", "replace"
            ),
            "units.txt": b"H1",
        }
        for name, content in cases.items():
            (self.tmp / name).write_bytes(content)
            report = run_import(UNITS, self.tmp / name)
            self.assertFalse(report.ok, name)
            self.assertEqual(report.errors[0].row, 0, name)
        self.assertFalse(Unit.objects.exists())

    def test_it_writes_nothing_on_a_dry_run(self) -> None:
        path = write(self.tmp, "u.csv", f"{HEADER}\nH1;Huyện;Đảng bộ huyện;;;03/02/1930")
        out = io.StringIO()
        call_command("import", "units", str(path), "--dry-run", stdout=out)
        self.assertIn("Kiểm tra xong (không ghi): 1 dòng thêm mới", out.getvalue())
        self.assertFalse(Unit.objects.exists())

    def test_it_exits_1_with_the_report_on_stderr_and_as_xlsx(self) -> None:
        path = write(self.tmp, "u.csv", f"{HEADER}\nH1;Huyện;Không rõ;;;03/02/1930")
        err = io.StringIO()
        with self.assertRaises(SystemExit) as exit_:
            call_command(
                "import", "units", str(path), "--errors", str(self.tmp / "e.xlsx"), stderr=err
            )
        self.assertEqual(exit_.exception.code, 1)
        self.assertIn("Dòng 2, cột “Loại”", err.getvalue())
        self.assertIn("không ghi dòng nào", err.getvalue())
        self.assertTrue((self.tmp / "e.xlsx").stat().st_size > 0)
