""".csv files as offices save them: long UTF-8 files whose letters fall across the blocks
they are read in, and files in other encodings (Windows-1258, UTF-16) refused with the line
of their first bad byte, wherever it is; lines too long to be rows refused before they are
read whole."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_unit
from xeploai.imports import reader
from xeploai.imports.base import run_import
from xeploai.imports.kinds import MEMBERS
from xeploai.members.models import Member
from xeploai.units.models import UnitKind

HEADER = "Mã đảng viên,Họ và tên,Ngày sinh,Giới tính,Mã chi bộ,Ngày vào Đảng\n"


def row(n: int, name: str = "Nguyễn Văn Đức") -> str:
    return f"DV{n:07d},{name},01/02/1980,Nam,CB1,19/05/2010\n"


def rows_until(text: str, offset: int) -> str:
    """`text` and rows after it, the last of which puts the "ễ" of "Nguyễn" (three bytes)
    across byte `offset` of the file."""
    n = text.count("\n")
    while len((text + row(n + 1)).encode()) < offset - 60:
        n += 1
        text += row(n)
    start = len(text.encode()) + len(f"DV{n + 1:07d},Nguy")
    pad = offset - 1 - start  # the letter's first byte just before `offset`, the rest after
    return text + row(n + 1, "x" * pad + "Nguyễn Văn Đức")


def cp1258(text: str) -> bytes:
    """As Windows saves Vietnamese in its own code page (a letter it lacks as "?")."""
    return text.encode("cp1258", "replace")


class ImportCsvTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        make_unit(commune, code="CB1")

    def run_bytes(self, content: bytes) -> list[str]:
        path = self.tmp / "members.csv"
        path.write_bytes(content)
        return [str(e) for e in run_import(MEMBERS, path).errors]

    def test_it_reads_a_utf8_file_whose_letters_fall_across_its_blocks(self) -> None:
        text = rows_until("\ufeff" + HEADER, 64 * 1024)  # the sample read first, formerly
        text = rows_until(text, reader.CSV_BLOCK)  # each block the check reads
        content = text.encode()
        for offset in (64 * 1024, reader.CSV_BLOCK):
            self.assertEqual(content[offset - 1 : offset + 2], "ễ".encode())
        self.assertEqual(self.run_bytes(content), [])
        self.assertEqual(Member.objects.count(), text.count("\n") - 1)
        self.assertEqual(Member.objects.filter(full_name__endswith="xNguyễn Văn Đức").count(), 2)

    def test_it_names_the_line_of_a_byte_that_is_not_utf8_wherever_it_is(self) -> None:
        long = rows_until(HEADER, reader.CSV_BLOCK + 10)
        lines = long.count("\n")
        for where, content, line in (
            ("first line", cp1258(HEADER + row(1)), 1),
            ("past the first 64 KiB", (HEADER + row(1) * 3000).encode() + cp1258(row(2)), 3002),
            ("past the first block", long.encode() + cp1258(row(9)), lines + 1),
            ("cut at the end", long.encode() + "Đ".encode()[:1], lines + 1),
        ):
            with self.subTest(where):
                self.assertEqual(
                    self.run_bytes(content),
                    [
                        f"Tệp: Tệp members.csv không ở bảng mã UTF-8 (dòng {line} có ký tự không"
                        " đọc được). Hãy mở tệp bằng Excel và lưu lại dạng “CSV UTF-8 (Comma"
                        " delimited)”, hoặc nhập tệp .xlsx."
                    ],
                )
        self.assertFalse(Member.objects.exists())

    def test_it_tells_utf16_and_binary_files_apart(self) -> None:
        utf16 = self.run_bytes((HEADER + row(1)).encode("utf-16"))
        self.assertEqual(len(utf16), 1)
        self.assertIn("ở bảng mã UTF-16, không phải UTF-8", utf16[0])
        self.assertIn("không phải tệp văn bản CSV", self.run_bytes(b"PK\x03\x04\x00\x00" * 10)[0])

    def test_it_refuses_a_row_too_long_before_reading_it_whole(self) -> None:
        cells = ",".join(["x" * 100_000] * 6)  # each cell within the csv module's limit
        quoted = ('"' + "x\n" * 30_000 + '",') * 10  # one row over many lines
        row_limit = f"dài quá {reader.MAX_CSV_ROW:,} ký tự".replace(",", ".")
        for where, content, line, limit in (
            ("a line", HEADER + row(1) + cells + "\n" + row(2), 3, row_limit),
            ("a row over many lines", HEADER + quoted + "\n" + row(2), 2, row_limit),
            ("a cell past the csv module's limit", HEADER + "y" * 200_000 + ",\n", 2, "131.072"),
        ):
            with self.subTest(where):
                errors = self.run_bytes(content.encode())
                self.assertEqual(len(errors), 1)
                self.assertIn(f"Tệp members.csv, dòng {line}: dòng hoặc ô dài quá", errors[0])
                self.assertIn(limit, errors[0])
        self.assertFalse(Member.objects.exists())
