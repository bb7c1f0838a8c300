"""Reports count exemptions by their reason, not by each member's dates: the engine names a
member's own dates on their page (R2), the tally and the report fold them, the totals still
reconcile (R36), and a tally counted before the fold reports the same."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_member, make_personas
from xeploai.cycles.models import MemberEvaluation, Status
from xeploai.members.models import StatusKind, StatusPeriod
from xeploai.reports import tally
from xeploai.reports.data import report
from xeploai.reports.models import MEMBERS, Tally
from xeploai.reports.tables import tables
from xeploai.reviews import actions

AGE = "Tuổi cao, sức yếu"
REASON = f"Miễn công tác và sinh hoạt đảng: {AGE} (QĐ 366-QĐ/TW) → Miễn đánh giá"
ILLNESS = "Miễn công tác và sinh hoạt đảng: Chữa bệnh dài ngày (QĐ 366-QĐ/TW) → Miễn đánh giá"


class ExemptReasonsTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)
        for cell, start, end, reason in (
            (self.p.cell_a, dt.date(2019, 3, 1), None, AGE),
            (self.p.cell_a, dt.date(2021, 10, 15), None, AGE),
            (self.p.cell_b, dt.date(2025, 6, 1), dt.date(2027, 5, 31), AGE),
            (self.p.cell_b, dt.date(2026, 2, 1), None, "Chữa bệnh dài ngày"),
        ):
            member = make_member(cell)
            StatusPeriod.objects.create(
                member=member, kind=StatusKind.EXEMPT, start=start, end=end, reason=reason
            )
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)

    def test_it_counts_members_exempt_from_different_dates_under_one_reason(self) -> None:
        written = MemberEvaluation.objects.filter(status=Status.EXEMPT)
        reasons = sorted(written.values_list("status_reason", flat=True))
        self.assertEqual(len(set(reasons)), 4)  # each member's page keeps their own dates
        self.assertIn(f"từ ngày 01/06/2025 đến ngày 31/05/2027: {AGE}", " ".join(reasons))
        data = report(self.p.district, self.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["members"]["exempt_by_reason"], {ILLNESS: 1, REASON: 3})
        self.assertEqual(data["members"]["exempt"], 4)
        commune = data["children"][0]
        self.assertEqual(commune["members"]["exempt_by_reason"], {ILLNESS: 1, REASON: 3})
        cell = report(self.p.cell_a, self.cycle)["members"]
        self.assertEqual(cell["exempt_by_reason"], {REASON: 2})
        exempt = Tally.objects.filter(
            subject=MEMBERS, status=Status.EXEMPT, unit_path=self.p.cell_a.path
        )
        self.assertEqual(list(exempt.values_list("status_reason", "n")), [(REASON, 2)])
        rows = next(t for t in tables(data) if t.key == "reasons").rows
        exempt_rows = [r for r in rows if r[0] == "Miễn đánh giá"]
        self.assertEqual(exempt_rows, [["Miễn đánh giá", ILLNESS, 1], ["Miễn đánh giá", REASON, 3]])

    def test_the_tally_counted_again_agrees(self) -> None:
        before = report(self.p.district, self.cycle)
        call_command("tally", "--cycle", "2026", stdout=io.StringIO())
        after = report(self.p.district, self.cycle)
        self.assertTrue(after["reconciled"], after["problems"])
        self.assertEqual(after["members"], before["members"])
        exempt = Tally.objects.filter(status=Status.EXEMPT).order_by("unit_path", "status_reason")
        self.assertEqual(  # counted in the database, merged by what the reasons say
            list(exempt.values_list("unit_path", "status_reason", "n")),
            [
                (self.p.cell_a.path, REASON, 2),
                (self.p.cell_b.path, ILLNESS, 1),
                (self.p.cell_b.path, REASON, 1),
            ],
        )

    def test_a_tally_counted_with_the_dates_reports_the_same(self) -> None:
        Tally.objects.filter(status=Status.EXEMPT).delete()
        Tally.objects.bulk_create(  # a row for each member's own wording, as tallies once were
            Tally(
                cycle=self.cycle,
                unit_path=e.unit_path,
                subject=MEMBERS,
                status=e.status,
                status_reason=e.status_reason,
                label="",
                n=1,
            )
            for e in MemberEvaluation.objects.filter(status=Status.EXEMPT)
        )
        tally.rebuild_rollups(self.cycle.pk)
        data = report(self.p.district, self.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["members"]["exempt_by_reason"], {ILLNESS: 1, REASON: 3})
