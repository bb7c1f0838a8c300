from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit
from xeploai.cycles.rules import member_facts, member_verdict
from xeploai.members.models import Discipline, DisciplineForm, StatusKind, StatusPeriod
from xeploai.rules import Level, MemberFacts, Regime, Status, classify_member
from xeploai.rules.regimes import ExemptBasis


class MemberFactsTestCase(TestCase):
    def setUp(self) -> None:
        self.cell = make_unit(make_unit(None))
        self.member = make_member(self.cell)
        self.cycle_2025 = make_cycle(2025, Regime.QD366, closed=True)
        self.cycle = make_cycle(2026, Regime.QD366)
        self.evaluation = make_evaluation(self.member, self.cycle)

    def status(self, kind: StatusKind, start: dt.date, end: dt.date | None = None) -> None:
        StatusPeriod.objects.create(member=self.member, kind=kind, start=start, end=end)

    def verdict(self) -> tuple[Status, Level | None, list[str]]:
        v = member_verdict(self.member, self.evaluation, self.cycle)
        return v.status, v.level, [r.rule for r in v.reasons]

    def facts(self) -> MemberFacts:
        statuses = self.member.status_periods.all()
        return member_facts(
            self.member,
            self.evaluation,
            self.cycle,
            statuses=statuses,
            disciplines=(),
            state_results=(),
        )

    def months(self, kind: StatusKind) -> Decimal:
        facts = self.facts()
        if kind == StatusKind.SICK_LEAVE:
            return facts.sick_leave_months
        return facts.maternity_leave_months

    def test_it_reads_the_sheet(self) -> None:
        self.assertEqual(self.verdict(), (Status.CLASSIFIED, Level.EXCELLENT, ["R20"]))

    def test_it_counts_sick_leave_in_months_of_the_period(self) -> None:
        self.status(StatusKind.SICK_LEAVE, dt.date(2025, 11, 1), dt.date(2026, 2, 15))
        self.assertEqual(self.verdict()[1], Level.EXCELLENT)  # 1.5 months in 2026
        self.status(StatusKind.SICK_LEAVE, dt.date(2026, 6, 1), dt.date(2026, 7, 31))
        self.assertEqual(self.verdict()[1], Level.COMPLETED)  # 3.5 months

    def test_it_caps_three_calendar_months_of_sick_leave(self) -> None:  # R14
        self.status(StatusKind.SICK_LEAVE, dt.date(2026, 2, 1), dt.date(2026, 4, 30))  # 89 days
        self.assertEqual(self.months(StatusKind.SICK_LEAVE), Decimal(3))
        self.assertEqual(self.verdict()[1:], (Level.COMPLETED, ["R20", "R14"]))

    def test_it_counts_overlapping_leave_once(self) -> None:  # R14, R15
        for kind in (StatusKind.SICK_LEAVE, StatusKind.MATERNITY_LEAVE):
            self.status(kind, dt.date(2026, 3, 1), dt.date(2026, 4, 30))
            self.status(kind, dt.date(2026, 4, 1), dt.date(2026, 4, 30))  # entered twice
            self.status(kind, dt.date(2026, 3, 15), dt.date(2026, 4, 15))
            self.assertEqual(self.months(kind), Decimal(2), kind)
        self.assertEqual(self.verdict()[1], Level.EXCELLENT)

    def test_it_exempts_a_member_exempt_for_part_of_the_period(self) -> None:  # R2
        self.status(StatusKind.EXEMPT, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        v = member_verdict(self.member, self.evaluation, self.cycle)
        self.assertEqual((v.status, v.level), (Status.EXEMPT, None))
        self.assertIn("từ ngày 01/01/2026 đến ngày 30/06/2026", v.reasons[0].text)
        # An exemption that ended before the period does not count.
        StatusPeriod.objects.update(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
        self.assertEqual(self.verdict()[0], Status.CLASSIFIED)

    def test_it_judges_exemptions_by_the_regime_setting(self) -> None:  # R2
        self.status(StatusKind.EXEMPT, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        for basis, status in (
            (ExemptBasis.ANY_PART, Status.EXEMPT),
            (ExemptBasis.WHOLE_PERIOD, Status.CLASSIFIED),
            (ExemptBasis.REFERENCE_DATE, Status.CLASSIFIED),  # exemption ended mid-year
        ):
            settings = dataclasses.replace(self.cycle.settings, exempt_basis=basis)
            verdict = classify_member(self.facts(), self.cycle.period, settings)
            self.assertEqual(verdict.status, status, basis)

    def test_it_takes_suspensions_at_the_reference_date(self) -> None:
        self.status(StatusKind.SUSPENDED_COMMITTEE, dt.date(2026, 9, 1))
        self.assertEqual(self.verdict()[:2], (Status.CLASSIFIED, Level.EXCELLENT))
        self.status(StatusKind.SUSPENDED, dt.date(2026, 10, 1))
        self.assertEqual(self.verdict()[0], Status.NOT_CLASSIFIED)

    def test_it_passes_discipline_once_counted(self) -> None:
        discipline = Discipline.objects.create(
            member=self.member,
            form=DisciplineForm.WARNING,
            decided=dt.date(2026, 2, 1),
            violated=dt.date(2025, 6, 1),
            violation_unit=self.cell,
        )
        self.assertEqual(self.verdict()[1], Level.NOT_COMPLETED)
        discipline.counted_in = self.cycle_2025
        discipline.save()
        self.assertEqual(self.verdict()[1], Level.EXCELLENT)

    def test_it_counts_discipline_counted_in_this_cycle(self) -> None:  # R8
        Discipline.objects.create(
            member=self.member,
            form=DisciplineForm.REPRIMAND,
            decided=dt.date(2026, 2, 1),
            violated=dt.date(2025, 6, 1),
            violation_unit=self.cell,
            counted_in=self.cycle,
        )
        self.assertEqual(self.verdict()[1:], (Level.NOT_COMPLETED, ["R20", "R8"]))

    def test_it_answers_pending_without_a_sheet(self) -> None:
        self.evaluation.score_general = None
        self.evaluation.tasks_done = None
        self.evaluation.tasks_exceeded = Decimal(0)
        self.assertEqual(self.verdict()[0], Status.PENDING)
