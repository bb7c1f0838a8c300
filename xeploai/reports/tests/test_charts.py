"""The report's charts: the four levels named alike in every chart, a year of earlier rules in
its own words (R34), children in charts a printed page holds, each chart fitted to the page
of the Word document."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import docx
from django.test import TestCase
from docx.section import Section

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_personas
from xeploai.cycles.models import MemberEvaluation, Status
from xeploai.reports import exports
from xeploai.reports.charts import ROWS_PER_CHART, charts, svg
from xeploai.reports.data import report
from xeploai.rules import Level, Regime

LEGACY_LABEL = "Đủ tư cách, hoàn thành tốt nhiệm vụ"


def texts(chart: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart)]


def inside_margins(page: Section) -> tuple[int, int]:
    sizes = (page.page_width, page.page_height, page.left_margin, page.right_margin)
    width, height, left, right = (int(size or 0) for size in sizes)
    top, bottom = int(page.top_margin or 0), int(page.bottom_margin or 0)
    return width - left - right, height - top - bottom


class ChartsTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        legacy, self.cycle = make_cycle(2016, Regime.LEGACY, closed=True), make_cycle(2025)
        # Two levels of four in 2025: the other two have no bar but keep their names.
        for level in (Level.EXCELLENT, Level.GOOD, Level.GOOD):
            member = make_member(self.p.cell_a, full_member_since=dt.date(2011, 5, 19))
            make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=level)
            MemberEvaluation.objects.create(
                member=member,
                cycle=legacy,
                cell=self.p.cell_a,
                unit_path=self.p.cell_a.path,
                status=Status.CLASSIFIED,
                label=LEGACY_LABEL,
                ordinal=2,
            )
        self.legacy = legacy

    def drawn(self, data: dict[str, Any]) -> dict[str, list[str]]:
        return {title: texts(svg(figure)) for title, figure in charts(data)}

    def test_it_names_the_four_levels_alike_in_every_chart(self) -> None:
        drawn = self.drawn(report(self.p.district, self.cycle))
        self.assertEqual(len(drawn), 3)
        for title, words in drawn.items():
            for level in Level:
                self.assertIn(level.label, words, title)
            self.assertFalse([w for w in words if w.startswith("Hạng")], title)
        self.assertIn(LEGACY_LABEL, drawn["Xếp loại đảng viên qua các năm"])

    def test_it_keeps_the_words_of_earlier_rules(self) -> None:
        drawn = self.drawn(report(self.p.district, self.legacy))
        levels = drawn["Cơ cấu xếp loại đảng viên"]
        self.assertIn(LEGACY_LABEL, levels)
        current = {name for level in Level for name in (level.label, level.short)}
        self.assertFalse(current & set(levels))
        self.assertFalse([w for w in levels if w.startswith("Hạng")])

    def test_it_draws_children_in_charts_a_printed_page_holds(self) -> None:
        data = report(self.p.district, self.cycle)
        data["children"] = data["children"] * (ROWS_PER_CHART + 1)
        titles = [title for title, _figure in charts(data)]
        self.assertIn("Xếp loại đảng viên theo đơn vị trực thuộc (1/2)", titles)
        self.assertIn("Xếp loại đảng viên theo đơn vị trực thuộc (2/2)", titles)

    def test_it_fits_each_chart_on_a_page_of_the_word_document(self) -> None:
        data = report(self.p.district, self.cycle)
        data["children"] = data["children"] * ROWS_PER_CHART
        document = docx.Document(io.BytesIO(exports.docx(data)))
        across, down = inside_margins(document.sections[0])
        shapes = document.inline_shapes
        self.assertEqual(len(shapes), 3)
        for shape in shapes:
            self.assertLessEqual(shape.width, across)
            self.assertLessEqual(shape.height, down)
