from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_discipline, make_member, make_personas
from xeploai.cycles.models import Level, MemberEvaluation, Status, Step
from xeploai.members.models import Discipline, DisciplineForm
from xeploai.reviews import actions, history
from xeploai.reviews.models import Action, LevelChange

from .flow import DECISION, evaluation_of, meet, propose, submit


class AppraiseTestCase(TestCase):
    """Appraisal by the superior, returns, re-opening (R31) and publication."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=self.cycle, by=p.chi)
        meet(p.cell_a, self.cycle, p.binh)
        meet(p.cell_b, self.cycle, p.em)
        assert p.binh.member is not None and p.em.member is not None
        self.rows = [
            propose(submit(evaluation_of(member, self.cycle), user), secretary, Level.GOOD)
            for member, user, secretary in (
                (p.an_member, p.an, p.binh),
                (p.binh.member, p.binh, p.binh),
                (p.em.member, p.em, p.em),
            )
        ]
        actions.decide(
            p.commune,
            cycle=self.cycle,
            by=p.chi,
            levels={e.pk: Level.GOOD for e in self.rows},
            decision=DECISION,
        )
        self.an = MemberEvaluation.objects.get(pk=self.rows[0].pk)

    def last_action(self) -> str:
        row = LevelChange.objects.filter(evaluation=self.an).last()
        assert row is not None
        return row.action

    def test_it_approves_the_decided_level(self) -> None:
        e = actions.appraise(self.an, by=self.p.dung)
        self.assertEqual((e.step, e.level_final), (Step.APPRAISED, Level.GOOD))
        self.assertEqual(self.last_action(), Action.APPROVE)

    def test_it_adjusts_only_with_a_reason(self) -> None:
        with self.assertRaisesMessage(actions.ReviewError, "lý do"):
            actions.appraise(self.an, by=self.p.dung, level=Level.COMPLETED)
        e = actions.appraise(self.an, by=self.p.dung, level=Level.COMPLETED, reason="Có đơn thư")
        self.assertEqual(e.level_final, Level.COMPLETED)
        row = LevelChange.objects.filter(evaluation=self.an).last()
        assert row is not None
        self.assertEqual((row.action, row.level_from, row.level_to), (Action.ADJUST, 2, 3))

    def test_it_refuses_an_adjustment_over_the_quota(self) -> None:
        with self.assertRaisesMessage(actions.ReviewError, "vượt tỷ lệ"):
            actions.appraise(self.an, by=self.p.dung, level=Level.EXCELLENT, reason="Thành tích")

    def test_it_returns_a_result_one_step(self) -> None:
        actions.appraise(self.an, by=self.p.dung)
        e = actions.return_to_previous(self.an, by=self.p.dung, comment="Xem lại điểm")
        self.assertEqual((e.step, e.level_final), (Step.DECIDED, None))
        e = actions.return_to_previous(e, by=self.p.dung, comment="Họp lại")
        self.assertEqual((e.step, e.level_decided), (Step.PROPOSED, None))
        self.assertEqual(self.last_action(), Action.RETURN)

    def test_it_reopens_a_published_result_only_from_above(self) -> None:
        for e in self.rows:
            actions.appraise(e, by=self.p.dung)
        self.assertEqual(actions.publish(self.p.commune, cycle=self.cycle, by=self.p.chi), 3)
        with self.assertRaises(PermissionDenied):
            actions.reopen(self.an, by=self.p.chi, reason="Khiếu nại")
        with self.assertRaisesMessage(actions.ReviewError, "lý do"):
            actions.reopen(self.an, by=self.p.dung, reason=" ")
        e = actions.reopen(self.an, by=self.p.dung, reason="Có đơn tố cáo")
        # Back to the cell, which meets and proposes again (R31).
        self.assertEqual(
            (e.step, e.status, e.level_proposed, e.level_decided, e.level_final),
            (Step.SUBMITTED, Status.PENDING, None, None, None),
        )
        self.assertEqual(self.last_action(), Action.REOPEN)
        e = propose(e, self.p.binh, Level.COMPLETED)
        self.assertEqual(e.level_proposed, Level.COMPLETED)
        self.assertEqual(list(history.verify()), [])

    def test_it_refuses_an_approval_over_the_ceiling(self) -> None:
        # A discipline decided after the decision: the ceiling drops, approving GOOD is refused.
        Discipline.objects.create(
            member=self.p.an_member,
            form=DisciplineForm.WARNING,
            decided=dt.date(2026, 12, 1),
            violated=dt.date(2026, 10, 1),
            violation_unit=self.p.cell_a,
        )
        with self.assertRaisesMessage(actions.ReviewError, "tối đa") as raised:
            actions.appraise(self.an, by=self.p.dung)
        self.assertIn("R8", [r.rule for r in raised.exception.reasons])

    def test_it_refuses_a_lowering_that_breaks_the_quota(self) -> None:
        # 1 EXCELLENT on 5 GOOD is within 20 %; lowering one GOOD to COMPLETED is not.
        levels = {}
        for cell, secretary, level in (
            (self.p.cell_a, self.p.binh, Level.GOOD),
            (self.p.cell_a, self.p.binh, Level.GOOD),
            (self.p.cell_b, self.p.em, Level.EXCELLENT),
        ):
            e = actions.enrol(make_member(cell), cycle=self.cycle)
            levels[propose(submit(e, secretary), secretary, level).pk] = level
        actions.decide(
            self.p.commune, cycle=self.cycle, by=self.p.chi, levels=levels, decision=DECISION
        )
        with self.assertRaisesMessage(actions.ReviewError, "vượt tỷ lệ"):
            actions.appraise(self.an, by=self.p.dung, level=Level.COMPLETED, reason="Đơn thư")

    def test_it_approves_everything_or_nothing(self) -> None:
        actions.return_to_previous(self.an, by=self.p.dung, comment="Xem lại")
        self.assertEqual(actions.appraise_all(self.p.commune, cycle=self.cycle, by=self.p.dung), 2)
        self.assertEqual(MemberEvaluation.objects.filter(step=Step.APPRAISED).count(), 2)

    def test_it_publishes_only_when_all_are_appraised(self) -> None:
        actions.appraise(self.an, by=self.p.dung)
        with self.assertRaisesMessage(actions.ReviewError, "chưa được thẩm định") as raised:
            actions.publish(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertEqual(sorted(raised.exception.names), ["Lê Văn Bình", "Phạm Văn Em"])

    def test_it_refuses_to_publish_a_level_the_facts_no_longer_allow(self) -> None:
        # Every result appraised GOOD, then a discipline decided before publication: R8 makes
        # An's ceiling NOT_COMPLETED, so the appraised GOOD may not be published.
        actions.appraise_all(self.p.commune, cycle=self.cycle, by=self.p.dung)
        make_discipline(self.p.an_member, dt.date(2026, 12, 22))
        with self.assertRaisesMessage(actions.ReviewError, "chỉ được xếp loại tối đa") as raised:
            actions.publish(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertIn("R8", [r.rule for r in raised.exception.reasons])
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.PUBLISHED).exists())

    def test_it_is_refused_to_anyone_but_the_superior(self) -> None:
        for user in (self.p.chi, self.p.binh, self.p.em, self.p.an, self.p.nobody):
            with self.assertRaises(PermissionDenied):
                actions.appraise(self.an, by=user)
