"""The superior's hand in the yearly report: the reviews of the level below that the subtree's
committees directed or attended, each once, and the members and collectives they sent
suggestions to, with the points and the explanations; drafts never counted (S2); a year with
nothing recorded counts zeros and prints no table; every format prints the same table under
the same sentence."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import docx
from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import make_cycle, make_user
from xeploai.oversight import actions
from xeploai.oversight.models import AttendanceKind
from xeploai.oversight.tests.scene import Scene, answer, attend, make_scene, suggest
from xeploai.reports import exports, text
from xeploai.reports.data import report
from xeploai.reports.tables import Table, printed, tables

from .test_formats_agree import _bare, _Tables, pdf_text

DIRECTED, ATTENDED = AttendanceKind.DIRECTED, AttendanceKind.ATTENDED
TITLE = "Cấp ủy dự, chỉ đạo kiểm điểm và gợi ý kiểm điểm cấp dưới"


def pair(collectives: int, individuals: int) -> dict[str, int]:
    return {"collectives": collectives, "individuals": individuals}


class OversightReportTestCase(TestCase):
    s: Scene
    ha: User  # of the commune's standing committee: acts for the commune, not the district

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()
        cls.ha = make_user("ha", roles=((RoleKind.STANDING_COMMITTEE, cls.s.p.commune),))

    def record(self) -> None:
        """The district directs the commune's collective's review and attends it too, directs
        An's, attends cell A's; the commune attends cell B's. The district sends An two points
        (one explained) and cell A one (explained); the commune sends An one more."""
        s, commune = self.s, self.s.p.commune
        attend(s, s.commune, DIRECTED)
        attend(s, s.commune, ATTENDED)  # directed too: counted once, as directed
        attend(s, s.an, DIRECTED)
        attend(s, s.cell_a, ATTENDED)
        attend(s, s.cell_b, ATTENDED, superior=commune, by=self.ha)
        answer(suggest(s, s.an, send=True), s.p.an, "Đã tham gia đủ các buổi sinh hoạt.")
        answer(suggest(s, s.cell_a, send=True, points=("Một",)), s.p.binh, "Đã khắc phục.")
        suggest(s, s.an, send=True, points=("Ba",), superior=commune, by=self.ha)

    def test_it_counts_the_subtree_and_a_child(self) -> None:
        self.record()
        self.assertEqual(
            report(self.s.p.district, self.s.cycle)["oversight"],
            {
                "directed": pair(1, 1),
                "attended": pair(2, 0),
                "suggestions": pair(1, 1),  # An once, however many superiors wrote to her
                "points": pair(1, 3),
                "explained": pair(1, 1),
                "text": "Thành lập tổ công tác chỉ đạo kiểm điểm 1 tập thể, 1 cá nhân; dự kiểm"
                " điểm 2 tập thể khác; gợi ý kiểm điểm đối với 1 tập thể, 1 cá nhân (4 vấn đề,"
                " đã giải trình 2).",
            },
        )
        self.assertEqual(
            report(self.s.p.commune, self.s.cycle)["oversight"],
            {
                "directed": pair(0, 0),
                "attended": pair(1, 0),
                "suggestions": pair(0, 1),
                "points": pair(0, 1),
                "explained": pair(0, 0),
                "text": "Dự kiểm điểm 1 tập thể; gợi ý kiểm điểm đối với 1 cá nhân (1 vấn đề, đã"
                " giải trình 0).",
            },
        )

    def test_it_never_counts_a_draft(self) -> None:
        draft = suggest(self.s, self.s.cell_b, points=("Một", "Hai", "Ba"))
        data = report(self.s.p.district, self.s.cycle)
        found = data["oversight"]
        self.assertEqual((found["suggestions"], found["points"]), (pair(0, 0), pair(0, 0)))
        self.assertEqual(found["text"], "Chưa ghi nhận cuộc kiểm điểm nào được dự hoặc chỉ đạo.")
        self.assertNotIn("oversight", {t.key for t in tables(data)})
        actions.release_suggestion(draft, by=self.s.p.dung)
        found = report(self.s.p.district, self.s.cycle)["oversight"]
        self.assertEqual((found["suggestions"], found["points"]), (pair(1, 0), pair(3, 0)))

    def test_a_year_with_nothing_recorded_counts_zeros_and_prints_no_table(self) -> None:
        self.record()
        earlier = make_cycle(2025, closed=True)
        data = report(self.s.p.district, earlier)
        self.assertEqual(
            {k: v for k, v in data["oversight"].items() if k != "text"},
            dict.fromkeys(
                ("directed", "attended", "suggestions", "points", "explained"), pair(0, 0)
            ),
        )
        self.assertNotIn("oversight", {t.key for t in tables(data)})

    def test_every_format_prints_the_table_under_its_sentence(self) -> None:
        self.record()
        data = report(self.s.p.district, self.s.cycle)
        table = next(t for t in tables(data) if t.key == "oversight")
        rows = [[printed(c) for c in row] for row in table.rows]
        self.assertEqual(
            rows,
            [
                ["Thành lập tổ công tác chỉ đạo kiểm điểm", "1", "1", "2"],
                ["Dự kiểm điểm (ngoài các cuộc đã chỉ đạo)", "2", "0", "2"],
                ["Được gợi ý kiểm điểm", "1", "1", "2"],
                ["Vấn đề gợi ý", "1", "3", "4"],
                ["Vấn đề đã giải trình", "1", "1", "2"],
            ],
        )
        self.assertEqual(table.note, data["oversight"]["text"])
        expected = (table.note, [table.headers, *rows])
        for name, found in (
            ("page", self.page()),
            ("text", self.text(data)),
            ("xlsx", self.xlsx(data, table)),
            ("docx", self.word(data)),
        ):
            with self.subTest(name):
                self.assertEqual(found, expected)
        pdf = self.pdf(data)  # in reading order; a long cell wraps where the page needs
        for line in (table.title, table.note, *("".join(row) for row in rows)):
            self.assertIn(_bare(line), pdf)

    def page(self) -> tuple[str, list[list[str]]]:
        client = self.s.p.client(self.s.p.dung)
        page = client.get(reverse("reports:report", args=[self.s.p.district.code, 2026]))
        html = page.content.decode()
        parser = _Tables()
        parser.feed(html)
        headers, rows = next((h, r) for t, h, r in parser.found if t == TITLE)
        section = html.split('id="oversight-title"')[1]
        note = section.split('<p class="table-note">')[1].split("</p>")[0]
        return note, [headers, *rows]

    def text(self, data: dict[str, Any]) -> tuple[str, list[list[str]]]:
        lines = text.render(data).splitlines()
        at = next(i for i, line in enumerate(lines) if line.endswith(f". {TITLE}"))
        found = [line.split("  ") for line in lines[at + 2 : at + 8]]
        return lines[at + 1], [[cell.strip() for cell in row if cell.strip()] for row in found]

    def xlsx(self, data: dict[str, Any], table: Table) -> tuple[str, list[list[str]]]:
        book = CalamineWorkbook.from_filelike(io.BytesIO(exports.xlsx(data)))
        sheet = book.get_sheet_by_name(table.sheet).to_python()
        figures = [[printed(int(c)) if isinstance(c, float) else str(c) for c in r] for r in sheet]
        return figures[1][0], figures[2:]

    def word(self, data: dict[str, Any]) -> tuple[str, list[list[str]]]:
        document = docx.Document(io.BytesIO(exports.docx(data)))
        paragraphs = [p.text for p in document.paragraphs]
        at = next(i for i, p in enumerate(paragraphs) if p.endswith(TITLE))
        index = [t.key for t in tables(data)].index("oversight")
        table = document.tables[1 + index]  # after the letterhead
        return paragraphs[at + 1], [[cell.text for cell in row.cells] for row in table.rows]

    def pdf(self, data: dict[str, Any]) -> str:
        path = Path(tempfile.mkdtemp()) / "report.pdf"
        path.write_bytes(exports.pdf(data))
        return pdf_text(path)
