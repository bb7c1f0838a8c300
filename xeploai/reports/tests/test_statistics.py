"""A unit's statistics for a cycle: members by status and level, organisations by kind,
children in tree order, shares adding up to 100, legacy labels as they were, quota groups,
and a report that does not reconcile saying where (R36)."""

from __future__ import annotations

import datetime as dt
import io
import json
from unittest import mock

from django.core.management import BaseCommand, call_command
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit, make_user
from xeploai.cycles.models import Level, MemberEvaluation, Status, UnitEvaluation
from xeploai.reports.data import report
from xeploai.reports.management.commands.report import Command as Report
from xeploai.rules import Regime
from xeploai.units.models import UnitKind


class StatisticsTestCase(TestCase):
    def setUp(self) -> None:
        self.district = make_unit(None, kind=UnitKind.DISTRICT, code="H1", name="Huyện")
        self.commune = make_unit(
            self.district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1", name="Xã 1"
        )
        self.cell_a = make_unit(self.commune, code="CA", name="Chi bộ A")
        self.cell_b = make_unit(self.commune, code="CB", name="Chi bộ B")
        self.agency = make_unit(
            self.district, kind=UnitKind.GRASSROOTS_CELL, code="C9", name="Chi bộ cơ quan"
        )
        self.cycle = make_cycle(2025, closed=True)

    def member(
        self, cell: object, level: Level | None = None, **fields: object
    ) -> MemberEvaluation:
        probationary = fields.pop("probationary", False)
        member = make_member(cell, full_member_since=None if probationary else dt.date(2011, 5, 19))  # type: ignore[arg-type]
        fields.setdefault("status", Status.CLASSIFIED if level else Status.PENDING)
        return make_evaluation(member, self.cycle, level_final=level, **fields)

    def test_the_whole_and_each_child_add_up(self) -> None:
        for level in (Level.EXCELLENT, Level.GOOD, Level.GOOD, Level.COMPLETED):
            self.member(self.cell_a, level)
        self.member(self.cell_b, Level.GOOD, probationary=True)
        self.member(self.cell_b, status=Status.EXEMPT, status_reason="Tuổi cao")
        self.member(self.cell_b, status=Status.PENDING, status_reason="Đang điều trị")
        self.member(self.agency, status=Status.NOT_CLASSIFIED)
        UnitEvaluation.objects.create(
            cycle=self.cycle,
            unit=self.commune,
            unit_path=self.commune.path,
            status=Status.CLASSIFIED,
            level_final=Level.GOOD,
        )
        data = report(self.district, self.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(
            data["members"],
            {
                "total": 8,
                "exempt": 1,
                "exempt_by_reason": {"Tuổi cao": 1},
                "pending": 1,
                "pending_by_reason": {"Đang điều trị": 1},
                "not_classified_new": 1,
                "classified": 5,
                "full": 7,
                "probationary": 1,
                "good_or_better": 4,
                "good_or_better_percent": "80,0 %",
            },
        )
        self.assertEqual(
            {name: level["percent"] for name, level in data["levels"].items()},
            {
                "EXCELLENT": "20,0 %",
                "GOOD": "60,0 %",
                "COMPLETED": "20,0 %",
                "NOT_COMPLETED": "0,0 %",
            },
        )
        self.assertEqual([c["unit"]["code"] for c in data["children"]], ["X1", "C9"])
        commune, agency = data["children"]
        self.assertEqual(
            (commune["members"]["total"], agency["members"]["not_classified_new"]), (7, 1)
        )
        self.assertEqual(data["units"]["GRASSROOTS_COMMITTEE"]["levels"]["GOOD"]["count"], 1)
        self.assertEqual(commune["units"]["GRASSROOTS_COMMITTEE"]["total"], 1)
        self.assertEqual(
            data["quota_groups"][0]["group"], "X1"
        )  # the groups under the district, each with its standing
        members = [g for g in data["quota_groups"] if g["subject"] == "members"]
        self.assertEqual({g["group"] for g in members}, {"X1", "C9"})

    def test_shares_add_up_to_100_in_two_decimals_too(self) -> None:
        for level in (Level.EXCELLENT, Level.GOOD, Level.GOOD):
            self.member(self.cell_a, level)
        data = report(self.commune, self.cycle, decimals=2)
        percents = [lvl["percent"] for lvl in data["levels"].values()]
        self.assertEqual(percents, ["33,33 %", "66,67 %", "0,00 %", "0,00 %"])

    def test_legacy_labels_keep_their_words_beside_their_rank(self) -> None:
        legacy = make_cycle(2015, Regime.LEGACY, closed=True)
        for label, ordinal in (
            ("Đủ tư cách, hoàn thành tốt nhiệm vụ", 2),
            ("Đủ tư cách, hoàn thành tốt nhiệm vụ", 2),
            ("Vi phạm tư cách", 4),
        ):
            member = make_member(self.cell_a)
            make_evaluation(member, legacy, status=Status.CLASSIFIED, label=label, ordinal=ordinal)
        data = report(self.district, legacy)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(
            data["labels"],
            [
                {
                    "label": "Đủ tư cách, hoàn thành tốt nhiệm vụ",
                    "ordinal": 2,
                    "count": 2,
                    "percent": "66,7 %",
                },
                {"label": "Vi phạm tư cách", "ordinal": 4, "count": 1, "percent": "33,3 %"},
            ],
        )
        self.assertEqual(data["levels"]["GOOD"]["count"], 0)  # never relabelled as a level
        self.assertEqual(data["quota_groups"], [])

    def test_a_report_that_does_not_reconcile_says_where(self) -> None:
        self.member(self.cell_a, Level.GOOD)
        broken = self.member(self.cell_b, Level.GOOD)
        # A row edited in the database: classified, but with neither a level nor a label,
        # and the aggregates counted again from it.
        MemberEvaluation.objects.filter(pk=broken.pk).update(level_final=None)
        call_command("tally", "--cycle", "2025", stdout=io.StringIO())
        data = report(self.commune, self.cycle)
        self.assertFalse(data["reconciled"])
        self.assertIn("Chi bộ B: 1 đã xếp loại nhưng các mức cộng lại 0.", data["problems"])
        self.assertIn("Xã 1: 2 đã xếp loại nhưng các mức cộng lại 1.", data["problems"])

    def test_the_command_runs_no_system_checks(self) -> None:
        # They import every URL configuration (0.4 s); `xeploai check --deploy` runs them.
        make_user("thongke")
        options = {"cycle": 2025, "unit": "H1", "format": "json", "decimals": 1, "output": None}
        flags = {"skip_checks": False, "no_color": False, "force_color": False}
        with mock.patch.object(BaseCommand, "check") as check:
            Report(stdout=io.StringIO()).execute(actor="thongke", **options, **flags)
        check.assert_not_called()

    def test_the_command_prints_text_and_json(self) -> None:
        self.member(self.cell_a, Level.EXCELLENT)
        make_user("thongke")
        year = ["--cycle", "2025", "--as", "thongke"]  # the account the export is logged under
        out = io.StringIO()
        call_command("report", *year, "--unit", "H1", "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        self.assertEqual(
            (data["unit"]["code"], data["levels"]["EXCELLENT"]["percent"]), ("H1", "100,0 %")
        )
        text = io.StringIO()
        call_command("report", *year, "--unit", "X1", stdout=text)
        printed = text.getvalue().splitlines()
        self.assertTrue(printed[0].endswith("năm 2025 — Xã 1"), printed[0])
        self.assertEqual(printed[1], "Số liệu khớp.")
        self.assertIn("1. Xếp loại đảng viên", printed)
        whole = next(line for line in printed if line.startswith("Tổng cộng: Xã 1")).split()
        # total, full, probationary, exempt, pending, new, classified; then EXCELLENT and its share
        self.assertEqual(whole[4:13], ["1", "1", "0", "0", "0", "0", "1", "1", "100,0"])
