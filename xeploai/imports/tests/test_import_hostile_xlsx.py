"""Malformed and hostile .xlsx files, each built here with zipfile: every one gets a clear
message, from the command line and from `run_import`, and the reader refuses what would
take unbounded memory before it has read the whole part."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from xeploai.imports import xlsx
from xeploai.imports.base import run_import
from xeploai.imports.kinds import MEMBERS
from xeploai.imports.xlsx import Workbook

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
WORKBOOK = (
    f'<?xml version="1.0"?><workbook {NS} xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Đảng viên" sheetId="1"'
    ' r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
STYLES = (  # style 1 shows a date (built-in format 14)
    f'<?xml version="1.0"?><styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>"
)
HEADER = ["Mã đảng viên", "Họ và tên", "Ngày sinh", "Giới tính", "Mã chi bộ", "Ngày vào Đảng"]
BROKEN = "<<broken"  # XML no parser reads: a file refused with another message was not read


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header() -> str:
    cells = "".join(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER))
    return f'<row r="1">{cells}</row>'


def sheet(rows: str = "", prolog: str = "", tail: str = "") -> str:
    return (
        f'<?xml version="1.0"?>{prolog}<worksheet {NS}><sheetData>{header()}{rows}</sheetData>'
        f"</worksheet>{tail}"
    )


def strings(*items: str) -> str:
    return f'<?xml version="1.0"?><sst {NS}>{"".join(items)}</sst>'


class ImportHostileXlsxTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())

    def book(
        self, sheet_xml: str, shared: str | None = None, method: int = zipfile.ZIP_DEFLATED
    ) -> Path:
        folder = Path(tempfile.mkdtemp(dir=self.tmp))  # each file its own, same name
        path = folder / "dang-vien.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", WORKBOOK)
            z.writestr("xl/_rels/workbook.xml.rels", RELS)
            z.writestr("xl/styles.xml", STYLES)
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml, compress_type=method)
            if shared is not None:
                z.writestr("xl/sharedStrings.xml", shared)
        return path

    def refusal(self, path: Path) -> str:
        """The one message of the import, which the command line prints too."""
        errors = [str(e) for e in run_import(MEMBERS, path).errors]
        self.assertEqual(len(errors), 1, errors)
        err = io.StringIO()
        with self.assertRaises(SystemExit) as exit_:
            call_command("import", "members", str(path), stderr=err)
        self.assertEqual(exit_.exception.code, 1)
        self.assertIn(errors[0], err.getvalue())
        return errors[0]

    def assertRefused(self, path: Path, reason: str) -> None:  # noqa: N802  (unittest's style)
        self.assertEqual(
            self.refusal(path), f"Tệp: Không đọc được tệp Excel dang-vien.xlsx: {reason}."
        )

    def test_it_explains_each_malformed_file(self) -> None:
        unsafe = (
            "tệp có khai báo DOCTYPE hoặc thực thể XML, điều tệp Excel không có; vì an toàn,"
            " tệp không được đọc"
        )
        outside = "nằm ngoài giới hạn của Excel (16.384 cột, 1.048.576 dòng)"
        for name, path, reason in (
            (
                "a shared string out of range",
                self.book(sheet('<row r="2"><c r="A2" t="s"><v>99</v></c></row>'), strings()),
                "ô A2 trỏ tới chuỗi dùng chung số 99, tệp chỉ có 0 chuỗi",
            ),
            (
                "column ZZZZZZZ",
                self.book(sheet(f'<row r="2">{cell("ZZZZZZZ2", "x")}</row>')),
                f"ô “ZZZZZZZ2” {outside}",
            ),
            (
                "column ZZZZZZ",
                self.book(sheet(f'<row r="2">{cell("ZZZZZZ2", "x")}</row>')),
                f"ô “ZZZZZZ2” {outside}",
            ),
            ("row 1048577", self.book(sheet('<row r="1048577"></row>')), f"ô “A1048577” {outside}"),
            ("a DOCTYPE", self.book(sheet(prolog="<!DOCTYPE worksheet>")), unsafe),
            (
                "an entity",
                self.book(
                    sheet(f'<row r="2">{cell("A2", "&e;")}</row>', '<!DOCTYPE w [<!ENTITY e "x">]>')
                ),
                unsafe,
            ),
            (
                "an external entity",
                self.book(
                    sheet(
                        f'<row r="2">{cell("A2", "&e;")}</row>',
                        '<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                    )
                ),
                unsafe,
            ),
            (
                "an entity in the shared strings",
                self.book(
                    sheet(), '<!DOCTYPE s [<!ENTITY e "x">]>' + strings("<si><t>&e;</t></si>")
                ),
                unsafe,
            ),
            (
                "a number that is none",
                self.book(sheet('<row r="2"><c r="A2"><v>abc</v></c></row>')),
                "ô A2 không phải số: tệp hỏng",
            ),
            ("broken XML", self.book(sheet(tail=BROKEN)), "tệp hỏng hoặc sai định dạng"),
            (
                "a compression Excel does not use",
                self.book(sheet(), method=zipfile.ZIP_LZMA),
                "tệp nén hoặc mã hoá theo cách Excel không dùng",
            ),
        ):
            with self.subTest(name):
                self.assertRefused(path, reason)

    def test_a_date_no_calendar_has_is_refused_in_its_row(self) -> None:
        for serial, shown in (("1e12", "1000000000000"), ("-5", "-5"), ("NaN", "nan")):
            with self.subTest(serial):
                path = self.book(sheet(f'<row r="2"><c r="C2" s="1"><v>{serial}</v></c></row>'))
                errors = [str(e) for e in run_import(MEMBERS, path).errors]
                self.assertIn(
                    f"Dòng 2, cột “Ngày sinh”: “{shown}” không phải ngày hợp lệ (dd/mm/yyyy).",
                    errors,
                )

    def test_a_part_that_says_it_unpacks_too_far_is_refused_unread(self) -> None:
        big = self.book(sheet(rows="<row/>" * 300, tail=BROKEN))  # read, it would be "broken"
        with mock.patch.object(xlsx, "MAX_SHEET_BYTES", 1 << 10):
            self.assertRefused(
                big,
                "phần xl/worksheets/sheet1.xml của tệp giải nén ra 1 MB, quá giới hạn 0 MB: tệp"
                " hỏng hoặc được tạo để làm quá tải máy chủ",
            )
        shared = self.book(sheet(), strings("<si><t>x</t></si>" * 100) + BROKEN)
        with mock.patch.object(xlsx, "MAX_STRINGS_BYTES", 1 << 10):
            self.assertIn("phần xl/sharedStrings.xml của tệp giải nén ra", self.refusal(shared))

    def test_a_run_the_parser_would_hold_whole_is_refused_as_it_comes(self) -> None:
        run = (xlsx.MAX_RUN + 1) * " "
        over = (
            "phần {part} của tệp có một đoạn dài quá 256 KB không ngắt (một ô, một thẻ hay"
            " khoảng trắng): tệp hỏng hoặc được tạo để làm quá tải máy chủ"
        )
        in_sheet = over.format(part="xl/worksheets/sheet1.xml")
        for name, path, reason in (
            ("blanks between tags", self.book(sheet(f"<row>{run}</row>", tail=BROKEN)), in_sheet),
            (
                "a text",
                self.book(sheet(f"<row>{cell('A2', run.replace(' ', 'a'))}</row>")),
                in_sheet,
            ),
            ("a tag", self.book(sheet(f'<row r="2"{run}x="1"></row>', tail=BROKEN)), in_sheet),
            (
                "a comment with tags",
                self.book(sheet(f"<!--{run.replace(' ', '<a>')}-->{BROKEN}")),
                in_sheet,
            ),
            (
                "CDATA with tags",
                self.book(sheet(f"<row><![CDATA[{run.replace(' ', '<a>')}]]></row>{BROKEN}")),
                in_sheet,
            ),
            (
                "a shared string",
                self.book(sheet(), strings(f"<si><t>{run.replace(' ', 'a')}</t></si>") + BROKEN),
                over.format(part="xl/sharedStrings.xml"),
            ),
        ):
            with self.subTest(name):
                self.assertRefused(path, reason)

    def test_a_cell_holds_at_most_excels_32767_characters(self) -> None:
        text = "a" * (xlsx.MAX_CELL_CHARS + 1)
        too_long = "dài quá 32.767 ký tự, giới hạn của Excel"
        inline = self.book(sheet(f'<row r="2">{cell("B2", text)}</row>'))
        self.assertRefused(inline, f"ô B2 {too_long}")
        runs = strings(f"<si><r><t>{text[:100]}</t></r><r><t>{text[100:]}</t></r></si>")
        shared = self.book(sheet('<row r="2"><c r="B2" t="s"><v>0</v></c></row>'), runs)
        self.assertRefused(shared, f"chuỗi dùng chung số 0 {too_long}")

    def test_the_shared_strings_and_each_row_are_bounded(self) -> None:
        shared = self.book(sheet(), strings(*(f"<si><t>{n}</t></si>" for n in range(4))))
        with mock.patch.object(xlsx, "MAX_STRINGS", 3):
            self.assertRefused(shared, "bảng chuỗi dùng chung có quá 3 chuỗi")
        too_big = "một dòng hoặc một chuỗi của tệp quá lớn (quá 50 phần tử hoặc quá 0 MB)"
        text = "y" * 10_000  # each text well within MAX_RUN
        for name, rows in (
            ("many cells", f'<row r="2">{"<c/>" * 51}</row>'),
            ("deep", f'<row r="2">{"<is>" * 51}'),
            ("many texts", f'<row r="2"><c r="A2" t="inlineStr"><is>{f"<r><t>{text}</t></r>" * 9}'),
            ("texts after the tags", f'<row r="2"><c><is>{"<r>" * 9}{f"{text}</r>" * 9}'),
        ):
            with (
                self.subTest(name),
                mock.patch.object(xlsx, "MAX_ELEMENTS", 50),
                mock.patch.object(xlsx, "MAX_ITEM_BYTES", 64 << 10),
            ):
                self.assertRefused(self.book(sheet(rows, tail=BROKEN)), too_big)

    def test_files_read_whole_are_refused_unread(self) -> None:
        for name in ("dang-vien.ods", "dang-vien.xls"):  # an .ods repeats rows as it says
            with self.subTest(name):
                path = self.tmp / name
                path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
                errors = [str(e) for e in run_import(MEMBERS, path).errors]
                self.assertEqual(len(errors), 1)
                self.assertIn(f"{name}: hãy mở tệp bằng Excel hoặc LibreOffice", errors[0])

    def test_a_part_that_unpacks_a_hundred_times_its_size_is_refused_unread(self) -> None:
        # 8 MiB of one repeated tag packs to a few KiB: no workbook part does that.
        path = self.book(sheet("<x/>" * (2 << 20)))
        self.assertIn("giải nén ra gấp hơn 100 lần kích thước nén", self.refusal(path))
        # Stored unpacked, the same part is as big as it says: it is read, and its two
        # million tags that are not rows are refused as such.
        stored = self.book(sheet("<x/>" * (2 << 20)), method=zipfile.ZIP_STORED)
        self.assertIn("phần tử không phải dòng dữ liệu", self.refusal(stored))

    def test_a_sheet_of_things_other_than_rows_is_refused(self) -> None:
        with mock.patch.object(xlsx, "MAX_ELEMENTS", 50):
            path = self.book(sheet("<x/>" * 60, tail=BROKEN))
            self.assertRefused(path, "trang tính có quá 50 phần tử không phải dòng dữ liệu")

    def test_the_height_is_looked_for_before_the_rows_only(self) -> None:
        path = self.book(sheet().replace("<sheetData>", "<x/>" * 200 + "<sheetData>"))
        book = Workbook(str(path))
        self.assertEqual(book.height("Đảng viên"), 0)
        book.close()

    def test_only_the_columns_up_to_the_headers_last_are_kept(self) -> None:
        far = cell("XFD2", "far") + cell("XFC2", "near the end")
        path = self.book(sheet(f'<row r="2">{cell("A2", "DV1")}{far}</row>'))
        book = Workbook(str(path))
        rows = book.rows("Đảng viên")
        self.assertEqual(len(next(rows)[1]), len(HEADER))
        book.narrow(len(HEADER))
        self.assertEqual(next(rows), (2, ["DV1"]))
        book.close()
