from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_member, make_personas
from xeploai.cycles.models import MemberEvaluation, Status, Step
from xeploai.members.models import StatusKind, StatusPeriod
from xeploai.reviews import actions


class OpenCycleTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)

    def test_it_creates_one_evaluation_per_member_in_scope(self) -> None:
        created = actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertEqual(created, 3)
        rows = MemberEvaluation.objects.filter(cycle=self.cycle)
        self.assertEqual({e.step for e in rows}, {Step.SELF_REVIEW})
        self.assertEqual(rows.get(member=self.p.an_member).unit_path, self.p.cell_a.path)
        # Opening again adds nobody twice.
        self.assertEqual(actions.open_cycle(self.p.district, cycle=self.cycle, by=self.p.dung), 0)

    def test_it_records_at_once_who_is_not_reviewed(self) -> None:
        new = make_member(self.p.cell_a, admitted=dt.date(2026, 9, 1))
        exempt = make_member(self.p.cell_a)
        StatusPeriod.objects.create(
            member=exempt, kind=StatusKind.EXEMPT, start=dt.date(2025, 1, 1), reason="Tuổi cao"
        )
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        e = MemberEvaluation.objects.get(member=exempt)
        self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.EXEMPT))
        self.assertIn("Tuổi cao", e.status_reason)
        e = MemberEvaluation.objects.get(member=new)
        self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.NOT_CLASSIFIED))
        self.assertIn("6 tháng", e.status_reason)

    def test_it_lets_a_later_member_join(self) -> None:
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        late = make_member(self.p.cell_b)
        e = actions.enrol(late, cycle=self.cycle)
        self.assertEqual((e.cell, e.step), (self.p.cell_b, Step.SELF_REVIEW))
        self.assertEqual(actions.enrol(late, cycle=self.cycle), e)

    def test_it_is_refused_without_the_power(self) -> None:
        for user in (self.p.binh, self.p.an, self.p.nobody):
            with self.assertRaises(PermissionDenied):
                actions.open_cycle(self.p.commune, cycle=self.cycle, by=user)
        self.assertFalse(MemberEvaluation.objects.exists())
