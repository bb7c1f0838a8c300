"""The signals of the people and of the units that decide them: a commune whose decisions the
district lowers (`appraisal_changes`), a member whose own level is above the rules' ceiling
year after year (`self_inflation`), results that break a rule (`inconsistent`: a disciplined
member above NOT_COMPLETED, R8; a head above the unit they head, R16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import TestCase

from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_discipline,
    make_evaluation,
    make_personas,
    post_title,
)
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.integrity import people
from xeploai.members.models import Member, Post, PostKind, StateLevel, StateResult
from xeploai.reports import tally
from xeploai.reviews import actions
from xeploai.reviews.tests.flow import DECISION, proposed_commune
from xeploai.rules import Regime


class AppraisalChangesTestCase(TestCase):
    def test_a_commune_whose_decisions_the_district_lowers(self) -> None:
        p = make_personas()
        cycle = make_cycle(2026)
        proposed_commune(p, cycle)
        rows = MemberEvaluation.objects.filter(cycle=cycle)
        levels = {e.pk: Level.GOOD for e in rows}
        actions.decide(p.commune, cycle=cycle, by=p.chi, levels=levels, decision=DECISION)
        self.assertEqual(list(people.appraisal_changes(p.district, cycle)), [])
        for e in MemberEvaluation.objects.filter(cycle=cycle).order_by("pk")[:2]:
            actions.appraise(e, by=p.dung, level=Level.COMPLETED, reason="Chưa đủ điều kiện")
        self.assertEqual(list(people.appraisal_changes(p.district, cycle)), [])  # 2 of 3
        last = MemberEvaluation.objects.filter(cycle=cycle).order_by("pk")[2]
        actions.appraise(last, by=p.dung, level=Level.COMPLETED, reason="Chưa đủ điều kiện")
        (signal,) = people.appraisal_changes(p.district, cycle)
        self.assertEqual((signal.kind, signal.subject), ("appraisal_changes", "DB-XA"))
        self.assertEqual(signal.evidence["years"]["2026"]["lowered"], 3)
        self.assertEqual(signal.evidence["years"]["2026"]["decided"], 3)
        self.assertIn("năm 2026: hạ 3/3 kết quả", signal.text)


class SelfAndRulesTestCase(TestCase):
    p: Personas
    before: Cycle
    cycle: Cycle
    binh: Member

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.before, cls.cycle = make_cycle(2025, closed=True), make_cycle(2026)
        cls.binh = Member.objects.get(code="DV-BINH")

    def test_a_member_above_the_ceiling_year_after_year(self) -> None:
        an = self.p.an_member
        earliest = make_cycle(2024, closed=True)
        for cycle in (earliest, self.before, self.cycle):  # disciplined: NOT_COMPLETED at most
            make_evaluation(an, cycle, level_self=Level.EXCELLENT)
            make_discipline(an, dt.date(cycle.year, 6, 1))
        for cycle in (self.before, self.cycle):  # twice only
            make_evaluation(self.binh, cycle, level_self=Level.GOOD)
            make_discipline(self.binh, dt.date(cycle.year, 6, 1))
        found = list(people.self_inflation(self.p.district, self.cycle))
        self.assertEqual([(s.kind, s.subject) for s in found], [("self_inflation", "DV-AN")])
        self.assertEqual(found[0].evidence["years"], [2024, 2025, 2026])
        self.assertIn("3 năm (2024, 2025, 2026)", found[0].text)

    def test_a_disciplined_member_above_not_completed_in_imported_history(self) -> None:
        make_evaluation(self.binh, self.before, status=Status.CLASSIFIED, level_final=Level.GOOD)
        make_discipline(self.binh, dt.date(2025, 3, 1))
        make_evaluation(self.p.an_member, self.before, level_final=Level.GOOD)
        make_discipline(self.p.an_member, dt.date(2024, 3, 1))  # another year's
        (signal,) = people.inconsistent(self.p.district, self.cycle)
        self.assertEqual(
            (signal.subject, signal.evidence), ("DV-BINH", {"rule": "R8", "year": 2025})
        )
        self.assertIn("trong năm 2025 nhưng được xếp loại “Hoàn thành tốt nhiệm vụ”", signal.text)

    def test_a_head_above_the_unit_they_head(self) -> None:
        cell = self.p.cell_a
        post = Post.objects.create(
            member=self.binh,
            kind=PostKind.PARTY,
            title=post_title("Bí thư chi bộ").name,
            unit=cell,
            start=dt.date(2020, 1, 1),
        )
        LeaderEvaluation.objects.create(
            cycle=self.before, member=self.binh, post=post, unit=cell, unit_path=cell.path,
            tier=post.tier, head=True, status=Status.CLASSIFIED, level_final=Level.EXCELLENT,
            step=Step.PUBLISHED,
        )  # fmt: skip
        UnitEvaluation.objects.create(
            cycle=self.before, unit=cell, unit_path=cell.path, kind=UnitEvaluationKind.ORGANISATION,
            status=Status.CLASSIFIED, level_final=Level.GOOD, step=Step.PUBLISHED,
        )  # fmt: skip
        (signal,) = people.inconsistent(self.p.district, self.cycle)
        self.assertEqual((signal.subject, signal.evidence["rule"]), ("DV-BINH", "R16"))
        self.assertIn("cao hơn mức “Hoàn thành tốt nhiệm vụ” của đơn vị", signal.text)


class MoreRulesTestCase(TestCase):
    def test_a_level_above_its_score_band_and_an_excellent_unit_with_a_disciplined_cell(
        self,
    ) -> None:
        p = make_personas()
        before, cycle = make_cycle(2025, closed=True), make_cycle(2026)
        binh = Member.objects.get(code="DV-BINH")
        scored = {"score_general": Decimal(20), "score_task_results": Decimal(55)}  # 75: GOOD
        make_evaluation(
            binh, before, status=Status.CLASSIFIED, level_final=Level.EXCELLENT, **scored
        )
        organisation = UnitEvaluationKind.ORGANISATION
        for unit, level, disciplined in (
            (p.commune, Level.EXCELLENT, False),
            (p.cell_a, Level.GOOD, True),
            (p.cell_b, Level.GOOD, False),
        ):
            UnitEvaluation.objects.create(
                cycle=before, unit=unit, unit_path=unit.path, kind=organisation,
                status=Status.CLASSIFIED, level_final=level, disciplined=disciplined,
                step=Step.PUBLISHED,
            )  # fmt: skip
        found = sorted(people.inconsistent(p.district, cycle), key=lambda s: s.subject)
        self.assertEqual(
            [(s.subject, s.evidence) for s in found],
            [("DB-XA", {"rule": "R20", "year": 2025}), ("DV-BINH", {"rule": "R20", "year": 2025})],
        )
        self.assertIn(
            "tổng điểm tự chấm 75 chỉ thuộc khung “Hoàn thành tốt nhiệm vụ”", found[1].text
        )
        self.assertIn("có tổ chức đảng trực thuộc bị kỷ luật", found[0].text)

    def test_an_excellent_unit_with_too_few_good_cells_where_the_regime_says_so(self) -> None:
        p = make_personas()
        hd21, cycle = make_cycle(2020, Regime.HD21, closed=True), make_cycle(2026)
        organisation = UnitEvaluationKind.ORGANISATION
        for unit, level in (
            (p.commune, Level.EXCELLENT),
            (p.cell_a, Level.COMPLETED),
            (p.cell_b, Level.GOOD),
        ):
            UnitEvaluation.objects.create(
                cycle=hd21, unit=unit, unit_path=unit.path, kind=organisation,
                status=Status.CLASSIFIED, level_final=level, step=Step.PUBLISHED,
            )  # fmt: skip
        (signal,) = people.inconsistent(p.district, cycle)
        self.assertEqual((signal.subject, signal.evidence["rule"]), ("DB-XA", "R21"))
        self.assertIn(
            "chỉ 50,0 % tổ chức trực thuộc hoàn thành tốt nhiệm vụ trở lên (cần 80 %)", signal.text
        )

    def test_more_civil_servants_excellent_than_party_members(self) -> None:
        p = make_personas()
        cycle = make_cycle(2026)
        proposed_commune(p, cycle, an=Level.GOOD)
        binh = Member.objects.get(code="DV-BINH")
        binh.civil_servant = True
        binh.save()
        StateResult.objects.create(
            member=binh, year=2026, level=StateLevel.EXCELLENT, decision_date=dt.date(2026, 11, 25)
        )
        (signal,) = people.inconsistent(p.district, cycle)
        self.assertEqual(
            (signal.subject, signal.evidence), ("DB-XA", {"rule": "R28", "year": 2026})
        )
        self.assertIn(
            "(100,0 %) cao hơn tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ (0,0 %)", signal.text
        )
        # While no member has a level yet, there is nothing to compare with.
        MemberEvaluation.objects.update(level_proposed=None)
        tally.rebuild([cycle])
        self.assertEqual(list(people.inconsistent(p.district, cycle)), [])
