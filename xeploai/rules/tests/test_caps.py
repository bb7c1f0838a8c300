from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import TestCase

from xeploai.rules.engine import classify_member
from xeploai.rules.facts import MemberFacts, StateLevel
from xeploai.rules.levels import Level, Status

from .factories import PERIOD, member, settings


def verdict(facts: MemberFacts, **kw: Any) -> tuple[Level | None, list[str]]:
    v = classify_member(facts, PERIOD, settings(**kw))
    return v.level, [r.rule for r in v.reasons]


class CapsTestCase(TestCase):
    def test_it_caps_long_sick_leave_at_completed(self) -> None:  # R14
        level, rules = verdict(member(sick_leave_months=Decimal(3)))
        self.assertEqual(level, Level.COMPLETED)
        self.assertIn("R14", rules)
        self.assertEqual(verdict(member(sick_leave_months=Decimal("2.9")))[0], Level.EXCELLENT)
        off = verdict(member(sick_leave_months=Decimal(4)), sick_leave_cap=False)
        self.assertEqual(off[0], Level.EXCELLENT)

    def test_it_does_not_cap_maternity_leave(self) -> None:  # R15
        level, rules = verdict(member(maternity_leave_months=Decimal(6)))
        self.assertEqual(level, Level.EXCELLENT)
        self.assertIn("R15", rules)

    def test_it_caps_a_head_at_the_level_of_their_unit(self) -> None:  # R16
        level, rules = verdict(member(head_of_unit_level=Level.GOOD))
        self.assertEqual(level, Level.GOOD)
        self.assertIn("R16", rules)

    def test_it_waits_for_the_unit_before_its_head(self) -> None:  # R16
        facts = member(head_of_unit_level=Level.GOOD, head_of_unit_final=False)
        v = classify_member(facts, PERIOD, settings())
        self.assertEqual((v.status, v.level), (Status.PENDING, None))
        self.assertEqual(v.reasons[-1].rule, "R16")

    def test_it_waits_for_a_unit_with_no_level_yet(self) -> None:  # R16
        v = classify_member(member(head_of_unit_final=False), PERIOD, settings())
        self.assertEqual((v.status, v.level), (Status.PENDING, None))
        self.assertEqual(v.reasons[-1].rule, "R16")
        self.assertIn("→ Chưa đánh giá", v.reasons[-1].text)

    def test_it_needs_an_excellent_state_rating_for_excellent(self) -> None:  # R17
        level, rules = verdict(member(civil_servant=True, state_level=StateLevel.GOOD))
        self.assertEqual(level, Level.GOOD)
        self.assertIn("R17", rules)
        ok = verdict(member(civil_servant=True, state_level=StateLevel.EXCELLENT))
        self.assertEqual(ok[0], Level.EXCELLENT)
        off = member(civil_servant=True, state_level=StateLevel.GOOD)
        self.assertEqual(verdict(off, state_excellent_required=False)[0], Level.EXCELLENT)
