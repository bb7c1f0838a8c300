"""On the demo district, the page, the JSON, the .xlsx, the .docx and the .pdf of a report
show the same tables figure for figure, the leaders' in 2026 (2025 has none: its results were
imported as members') and the superior's hand, recorded in 2026 only; each distribution adds
up to exactly 100; legacy labels of 2017 appear in the trends with their own words."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import docx
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import User
from xeploai.core.testing import sign_in
from xeploai.demo import load
from xeploai.reports.percent import parse
from xeploai.reports.tables import Percent, Table, printed, tables
from xeploai.rules import Level

Printed = list[tuple[str, list[str], list[list[str]]]]  # title, headers, rows as printed


def as_printed(found: list[Table]) -> Printed:
    return [(t.title, t.headers, [[printed(c) for c in row] for row in t.rows]) for t in found]


class _Tables(HTMLParser):
    """The report's tables of a page: headers and cells as the reader sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[str], list[list[str]]]] = []
        self.titles: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "figures") in attrs:
            self.found.append((self.titles[-1], [], []))
        elif self.found and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._in_h2, self._cell = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._cell is not None:
            self.titles.append("".join(self._cell).split(". ", 1)[1])
            self._in_h2, self._cell = False, None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            _title, headers, rows = self.found[-1]
            if headers:
                rows.append(self._row)
            else:
                headers.extend(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _bare(text: str) -> str:
    return "".join(text.split())


def pdf_text(path: Path) -> str:
    """A PDF's text in reading order, without spaces."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is missing: make system-packages"
    argv = [pdftotext, "-raw", str(path), "-"]
    done = subprocess.run(argv, capture_output=True, check=True, text=True)  # noqa: S603
    return _bare(done.stdout)


class FormatsAgreeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load.load("district", 2026, progress=lambda _line: None)

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())

    def command(self, year: int, fmt: str) -> Path:
        path = self.tmp / f"{year}.{fmt}"
        unit = ["--unit", "H01", "--as", "dung"]  # the demo's officer, whom the log names
        call_command("report", "--cycle", str(year), *unit, "--format", fmt, "--output", str(path))
        return path

    def test_every_format_prints_the_same_figures(self) -> None:
        for year in (2025, 2026):
            with self.subTest(year=year):
                self.check_year(year)

    def check_year(self, year: int) -> None:
        data = json.loads(self.command(year, "json").read_text(encoding="utf-8"))
        self.assertTrue(data["reconciled"], data["problems"])
        expected = tables(data)
        keys = {t.key for t in expected}
        self.assertTrue({"members", "quota", "trend-members"} <= keys, keys)
        self.assertTrue("units-GRASSROOTS_COMMITTEE" in keys if year == 2025 else "changes" in keys)
        leaders = {"leaders", "leader-posts"}
        self.assertEqual(leaders & keys, leaders)  # past years' imported, this year's reviewed
        self.assertEqual("oversight" in keys, year == 2026)  # recorded this year only
        self.assertEqual(self.page(year), as_printed(expected))
        self.check_xlsx(self.command(year, "xlsx"), expected)
        self.assertEqual(self.word(self.command(year, "docx")), as_printed(expected))
        self.check_pdf(self.command(year, "pdf"), expected)

    def page(self, year: int) -> Printed:
        client = self.client
        sign_in(client, User.objects.get(username="dung"))
        response = client.get(reverse("reports:report", args=["H01", year]))
        parser = _Tables()
        parser.feed(response.content.decode())
        return parser.found

    def check_xlsx(self, path: Path, expected: list[Table]) -> None:
        with zipfile.ZipFile(path) as archive:  # percentages shown with the report's decimals
            self.assertIn(b'formatCode="0.0%"', archive.read("xl/styles.xml"))
        book = CalamineWorkbook.from_path(str(path))
        for table in expected:
            sheet = book.get_sheet_by_name(table.sheet).to_python()
            self.assertEqual(sheet[0][0], table.title)
            self.assertEqual(sheet[2], table.headers)
            self.assertEqual(len(sheet) - 3, len(table.rows), table.key)
            for stored, row in zip(sheet[3:], table.rows, strict=True):
                for value, cell in zip(stored, row, strict=True):
                    if isinstance(cell, Percent):  # a number shown as a percentage
                        assert isinstance(value, float), (table.key, value)
                        self.assertAlmostEqual(value, float(cell.value), places=9)
                    elif isinstance(cell, int):
                        self.assertIsInstance(value, int | float)
                        self.assertEqual(value, cell)
                    else:
                        self.assertEqual(value, cell)

    def word(self, path: Path) -> Printed:
        document = docx.Document(str(path))
        titles = [
            p.text.split(". ", 1)[1]
            for p in document.paragraphs
            if p.style is not None and p.style.name == "Heading 2"
        ]
        found = []
        for title, table in zip(titles, document.tables[1:], strict=True):  # after the letterhead
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            found.append((title, rows[0], rows[1:]))
        return found

    def check_pdf(self, path: Path, expected: list[Table]) -> None:
        """The PDF's text in reading order holds each title, then each row's cells in order
        (compared without spaces: a long cell wraps where the page needs)."""
        text = pdf_text(path)
        for i, (title, _headers, rows) in enumerate(as_printed(expected), start=1):
            self.assertIn(_bare(f"{i}. {title}"), text)
            for row in rows:
                self.assertIn(_bare("".join(row)), text, title)

    def test_distributions_add_up_to_100_and_legacy_labels_keep_their_words(self) -> None:
        data = json.loads(self.command(2025, "json").read_text(encoding="utf-8"))
        blocks = [data, *data["children"], *data["trend"]]
        blocks += [
            b["units"][kind] for b in blocks[: 1 + len(data["children"])] for kind in b["units"]
        ]
        for block in blocks:
            shares = [parse(block["levels"][level.name]["percent"]) for level in Level]
            shares += [parse(label["percent"]) for label in block["labels"]]
            total = sum(block["levels"][level.name]["count"] for level in Level)
            total += sum(label["count"] for label in block["labels"])
            self.assertEqual(sum(shares), Decimal(100) if total else Decimal(0))
        legacy = next(y for y in data["trend"] if y["year"] == 2017)
        self.assertEqual([legacy["levels"][level.name]["count"] for level in Level], [0] * 4)
        self.assertEqual(
            [(x["label"], x["ordinal"]) for x in legacy["labels"]],
            [
                ("Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", 1),
                ("Đủ tư cách, hoàn thành tốt nhiệm vụ", 2),
                ("Đủ tư cách, hoàn thành nhiệm vụ", 3),
                ("Vi phạm tư cách", 4),
            ],
        )
        trend = next(t for t in tables(data) if t.key == "trend-members")
        row = next(r for r in trend.rows if r[0] == "2017")
        self.assertEqual(row[4], "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ")

    def test_a_file_format_needs_an_output_file(self) -> None:
        with self.assertRaisesMessage(CommandError, "Định dạng pdf cần --output FILE."):
            call_command("report", "--cycle", "2025", "--unit", "H01", "--format", "pdf")
