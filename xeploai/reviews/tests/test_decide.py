from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_discipline, make_personas
from xeploai.cycles.models import Level, MemberEvaluation, Status, Step
from xeploai.reviews import actions
from xeploai.reviews.models import LevelChange, QuotaException

from .flow import DECISION, evaluation_of, meet, propose, submit


class DecideTestCase(TestCase):
    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=self.cycle, by=p.chi)
        meet(p.cell_a, self.cycle, p.binh)
        meet(p.cell_b, self.cycle, p.em)
        self.an = propose(submit(self.evaluation("an"), p.an), p.binh, Level.EXCELLENT)
        self.binh = propose(submit(self.evaluation("binh"), p.binh), p.binh, Level.GOOD)
        self.em = propose(submit(self.evaluation("em"), p.em), p.em, Level.GOOD)

    def evaluation(self, persona: str) -> MemberEvaluation:
        return evaluation_of(getattr(self.p, persona).member, self.cycle)

    def decide(self, levels: dict[int, Level], **kw: object) -> list[MemberEvaluation]:
        return actions.decide(
            self.p.commune,
            cycle=self.cycle,
            by=kw.pop("by", self.p.chi),  # type: ignore[arg-type]
            levels=levels,
            decision=DECISION,
            **kw,  # type: ignore[arg-type]
        )

    def test_it_refuses_while_the_group_is_over_its_quota(self) -> None:
        # Two GOOD allow no EXCELLENT (20 %, rounded down): An's proposal is one too many.
        with self.assertRaises(actions.QuotaBreach) as raised:
            self.decide({self.binh.pk: Level.GOOD})
        self.assertEqual((raised.exception.result.allowed, raised.exception.result.breach), (0, 1))
        self.assertEqual(raised.exception.names, ("Trần Thị An",))
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_decides_once_the_proposal_is_lowered(self) -> None:
        decided = self.decide(
            {self.an.pk: Level.GOOD, self.binh.pk: Level.GOOD, self.em.pk: Level.GOOD}
        )
        self.assertEqual({e.step for e in decided}, {Step.DECIDED})
        self.an.refresh_from_db()
        self.assertEqual((self.an.level_decided, self.an.status), (Level.GOOD, Status.CLASSIFIED))
        row = LevelChange.objects.filter(evaluation=self.an).last()
        assert row is not None
        self.assertEqual((row.level_from, row.level_to, row.decision_number), (1, 2, "15-QĐ/ĐU"))
        self.assertEqual(row.role, "GRASSROOTS_OFFICER")

    def test_it_decides_over_the_quota_with_a_recorded_exception(self) -> None:
        exemption = actions.QuotaExemption("Thành tích đột xuất trong phòng chống lũ", DECISION)
        self.decide({self.an.pk: Level.EXCELLENT}, exemption=exemption)
        exception = QuotaException.objects.get()
        self.assertEqual((exception.excellent, exception.allowed), (1, 0))
        self.assertEqual(exception.decision_number, "15-QĐ/ĐU")

    def test_it_refuses_a_level_the_rules_do_not_allow(self) -> None:
        MemberEvaluation.objects.filter(pk=self.binh.pk).update(tasks_exceeded=0)
        with self.assertRaisesMessage(actions.ReviewError, "tối đa"):
            self.decide({self.binh.pk: Level.EXCELLENT, self.an.pk: Level.GOOD})

    def test_it_refuses_a_proposal_the_facts_no_longer_allow(self) -> None:
        # Proposed GOOD, then disciplined before the decision (R8): deciding GOOD is refused
        # by the ceiling alone, the quota being kept (no EXCELLENT at all).
        make_discipline(self.p.an_member, dt.date(2026, 12, 10))
        levels = {self.an.pk: Level.GOOD, self.binh.pk: Level.GOOD, self.em.pk: Level.GOOD}
        with self.assertRaisesMessage(actions.ReviewError, "chỉ được xếp loại tối đa") as raised:
            self.decide(levels)
        self.assertIn("R8", [r.rule for r in raised.exception.reasons])
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_refuses_what_is_not_yet_proposed_or_not_in_the_group(self) -> None:
        self.decide({self.binh.pk: Level.GOOD, self.an.pk: Level.GOOD})
        with self.assertRaisesMessage(actions.ReviewError, "Đã quyết định"):
            self.decide({self.binh.pk: Level.COMPLETED})
        with self.assertRaisesMessage(actions.ReviewError, "không thuộc đơn vị"):
            self.decide({10**6: Level.GOOD})

    def test_it_is_refused_below_the_grassroots_committee(self) -> None:
        for user in (self.p.binh, self.p.em, self.p.an, self.p.dung):
            with self.assertRaises(PermissionDenied):
                self.decide({self.binh.pk: Level.GOOD}, by=user)
