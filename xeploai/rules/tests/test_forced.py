from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import TestCase

from xeploai.rules.engine import classify_member
from xeploai.rules.facts import Discipline, MemberFacts, StateLevel
from xeploai.rules.levels import DisciplineForm, Grade, Level, Status
from xeploai.rules.regimes import Regime

from .factories import PERIOD, grades, member, score, settings, tasks


def level_and_rules(
    facts: MemberFacts, regime: Regime = Regime.QD366, **kw: Any
) -> tuple[Level | None, list[str]]:
    v = classify_member(facts, PERIOD, settings(regime, **kw))
    return v.level, [r.rule for r in v.reasons]


class ForcedNotCompletedTestCase(TestCase):
    def test_it_forces_not_completed_for_discipline_in_the_year(self) -> None:  # R8
        d = Discipline(DisciplineForm.REPRIMAND, dt.date(2026, 3, 5))
        level, rules = level_and_rules(member(discipline=(d,)))
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R8", rules)

    def test_it_ignores_discipline_decided_in_another_year(self) -> None:  # R8
        d = Discipline(DisciplineForm.WARNING, dt.date(2025, 12, 30))
        self.assertEqual(level_and_rules(member(discipline=(d,)))[0], Level.EXCELLENT)

    def test_it_counts_one_violation_once(self) -> None:  # R8
        d = Discipline(DisciplineForm.WARNING, dt.date(2026, 2, 1), counted_in_year=2025)
        level, rules = level_and_rules(member(discipline=(d,)))
        self.assertEqual(level, Level.EXCELLENT)
        self.assertEqual(rules.count("R8"), 1)  # explained, not counted

    def test_it_counts_a_violation_counted_in_this_same_year(self) -> None:  # R8
        # Only a classification of an earlier year has already counted it.
        d = Discipline(DisciplineForm.REPRIMAND, dt.date(2026, 2, 1), counted_in_year=2026)
        level, rules = level_and_rules(member(discipline=(d,)))
        self.assertEqual((level, rules), (Level.NOT_COMPLETED, ["R20", "R8"]))

    def test_it_applies_the_self_remedied_exception_only_when_set(self) -> None:  # R8
        d = Discipline(DisciplineForm.REPRIMAND, dt.date(2026, 2, 1), self_remedied=True)
        facts = member(Regime.QD124, discipline=(d,))
        self.assertEqual(level_and_rules(facts, Regime.QD124)[0], Level.NOT_COMPLETED)
        on = level_and_rules(facts, Regime.QD124, self_remedied_exception=True)
        self.assertEqual(on[0], Level.EXCELLENT)

    def test_it_forces_not_completed_for_degradation(self) -> None:  # R9
        level, rules = level_and_rules(member(degraded=True))
        self.assertEqual((level, rules[-1]), (Level.NOT_COMPLETED, "R9"))

    def test_it_forces_not_completed_below_half_the_targets(self) -> None:  # R10
        level, rules = level_and_rules(member(tasks=tasks(done=49)))
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R10", rules)
        self.assertNotIn("R10", level_and_rules(member(tasks=tasks(done=50)))[1])

    def test_it_forces_not_completed_for_a_leader_whose_unit_failed(self) -> None:  # R10
        led = tasks(done=40, key_targets_missed=True)
        level, rules = level_and_rules(member(leader=True, led_units_tasks=led))
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R10", rules)
        excused = tasks(done=40, key_targets_missed=True, force_majeure=True)
        self.assertNotIn("R10", level_and_rules(member(leader=True, led_units_tasks=excused))[1])
        met = tasks(done=40, key_targets_missed=False)
        self.assertNotIn("R10", level_and_rules(member(leader=True, led_units_tasks=met))[1])

    def test_it_holds_a_leader_to_key_targets_missed(self) -> None:
        # R10 for a leader: under 50 % with key targets missed; not known is not missed.
        rules = level_and_rules(member(leader=True, led_units_tasks=tasks(done=40)))[1]
        self.assertNotIn("R10", rules)

    def test_it_forces_not_completed_for_a_poor_criterion(self) -> None:  # R11
        for regime in (Regime.HD21, Regime.QD124):
            facts = member(regime, grades=grades(regime, ethics=Grade.POOR))
            level, rules = level_and_rules(facts, regime)
            self.assertEqual((level, rules), (Level.NOT_COMPLETED, ["R11"]))

    def test_it_follows_the_state_evaluation_of_civil_servants(self) -> None:  # R12
        facts = member(civil_servant=True, state_level=StateLevel.NOT_COMPLETED)
        level, rules = level_and_rules(facts)
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R12", rules)
        self.assertEqual(level_and_rules(facts, state_level_forces=False)[0], Level.GOOD)

    def test_it_forces_not_completed_below_fifty_points(self) -> None:  # R13
        level, rules = level_and_rules(member(score=score(20, "29.5")))
        self.assertEqual((level, rules), (Level.NOT_COMPLETED, ["R13"]))
        v = classify_member(member(score=score(20, "29.5")), PERIOD, settings())
        self.assertIn("Tổng điểm 49,5 dưới 50 điểm", v.reasons[0].text)

    def test_it_answers_pending_when_the_sheet_is_missing(self) -> None:
        v = classify_member(member(score=None), PERIOD, settings())
        self.assertEqual((v.status, v.missing), (Status.PENDING, ("score",)))
        facts = member(Regime.HD21, grades={"politics": Grade.GOOD})
        v = classify_member(facts, PERIOD, settings(Regime.HD21))
        self.assertEqual(v.missing, ("grades.ethics", "grades.discipline", "grades.tasks"))
