from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_evaluation, make_personas
from xeploai.cycles.models import Cycle
from xeploai.members.models import Discipline, DisciplineForm, StatusKind, StatusPeriod
from xeploai.rules import Regime


class MemberDetailTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026, Regime.QD366)

    def get(self, user: object, code: str = "DV-AN") -> object:
        return self.p.client(user).get(f"/dang-vien/{code}/")  # type: ignore[arg-type]

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.get(None).status_code, 302)  # type: ignore[attr-defined]
        for user in (self.p.nobody, self.p.em):
            self.assertEqual(self.get(user).status_code, 404)  # type: ignore[attr-defined]
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung):
            self.assertContains(self.get(user), "Trần Thị An")  # type: ignore[arg-type]
        # A member sees their own record only.
        self.assertEqual(self.get(self.p.an, "DV-BINH").status_code, 404)  # type: ignore[attr-defined]

    def test_it_shows_what_the_engine_allows_and_why(self) -> None:
        make_evaluation(self.p.an_member, self.cycle, tasks_exceeded=Decimal(10))
        r = self.get(self.p.binh)
        self.assertContains(r, "Hoàn thành tốt nhiệm vụ")  # type: ignore[arg-type]
        self.assertContains(r, "R20")  # type: ignore[arg-type]
        self.assertContains(r, "vượt 10 % nhiệm vụ (cần ít nhất 30 %)")  # type: ignore[arg-type]

    def test_it_speaks_to_the_member_without_rule_codes(self) -> None:
        make_evaluation(self.p.an_member, self.cycle, tasks_exceeded=Decimal(10))
        r = self.get(self.p.an)
        self.assertContains(r, "vượt 10 % nhiệm vụ (cần ít nhất 30 %)")  # type: ignore[arg-type]
        self.assertContains(r, "Tổng điểm tự chấm: 92,0")  # type: ignore[arg-type]
        self.assertNotContains(r, "R20")  # type: ignore[arg-type]

    def test_it_explains_discipline_and_exemption(self) -> None:
        make_evaluation(self.p.an_member, self.cycle)
        Discipline.objects.create(
            member=self.p.an_member,
            form=DisciplineForm.REPRIMAND,
            decided=dt.date(2026, 3, 1),
            violated=dt.date(2025, 11, 1),
            violation_unit=self.p.cell_a,
        )
        r = self.get(self.p.binh)
        self.assertContains(r, "R8")  # type: ignore[arg-type]
        self.assertContains(r, "Không hoàn thành nhiệm vụ")  # type: ignore[arg-type]
        StatusPeriod.objects.create(
            member=self.p.an_member,
            kind=StatusKind.EXEMPT,
            start=dt.date(2026, 1, 1),
            reason="Tuổi cao",
        )
        r = self.get(self.p.binh)
        self.assertContains(r, "Miễn đánh giá")  # type: ignore[arg-type]
        self.assertContains(r, "Tuổi cao")  # type: ignore[arg-type]

    def test_it_says_pending_when_no_sheet_is_in(self) -> None:
        r = self.get(self.p.an)
        self.assertContains(r, "Chưa đánh giá")  # type: ignore[arg-type]
