from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import TestCase

from xeploai.rules.engine import classify_member, classify_unit
from xeploai.rules.facts import Weaknesses
from xeploai.rules.levels import DisciplineForm, Grade, Level
from xeploai.rules.regimes import Regime

from .factories import PERIOD, grades, member, score, settings, tasks, unit


class GradeConditionsTestCase(TestCase):
    def level(self, regime: Regime, **changes: Grade) -> tuple[Level | None, list[str]]:
        v = classify_member(
            member(regime, grades=grades(regime, "member", **changes)), PERIOD, settings(regime)
        )
        return v.level, [r.rule for r in v.reasons]

    def test_it_needs_every_criterion_good_and_tasks_excellent_for_excellent(self) -> None:  # R18
        self.assertEqual(self.level(Regime.HD21)[0], Level.EXCELLENT)
        self.assertEqual(self.level(Regime.HD21, ethics=Grade.GOOD)[0], Level.EXCELLENT)
        level, rules = self.level(Regime.HD21, tasks=Grade.GOOD)
        self.assertEqual((level, rules), (Level.GOOD, ["R18"]))
        self.assertEqual(self.level(Regime.HD21, ethics=Grade.AVERAGE)[0], Level.GOOD)

    def test_it_needs_tasks_good_for_good(self) -> None:  # R18
        level = self.level(Regime.QD124, tasks=Grade.AVERAGE)[0]
        self.assertEqual(level, Level.COMPLETED)

    def test_it_reads_the_grade_patterns_from_the_settings(self) -> None:  # R18
        strict = dict(settings(Regime.HD21).grade_patterns)
        strict[Level.EXCELLENT] = type(strict[Level.EXCELLENT])(Grade.EXCELLENT, Grade.EXCELLENT)
        facts = member(Regime.HD21, grades=grades(Regime.HD21, ethics=Grade.GOOD))
        v = classify_member(facts, PERIOD, settings(Regime.HD21, grade_patterns=strict))
        self.assertEqual(v.level, Level.GOOD)

    def test_it_needs_all_targets_and_half_exceeded_for_an_excellent_member(self) -> None:  # R19
        facts = member(Regime.QD124, tasks=tasks(exceeded=40))
        v = classify_member(facts, PERIOD, settings(Regime.QD124))
        self.assertEqual(v.level, Level.GOOD)
        self.assertEqual([r.rule for r in v.reasons], ["R19"])
        # Not a condition under HD21.
        v = classify_member(
            member(Regime.HD21, tasks=tasks(exceeded=0)), PERIOD, settings(Regime.HD21)
        )
        self.assertEqual(v.level, Level.EXCELLENT)


class ScoreConditionsTestCase(TestCase):
    def level(self, **changes: Any) -> tuple[Level | None, list[str]]:
        v = classify_member(member(**changes), PERIOD, settings())
        return v.level, [r.rule for r in v.reasons]

    def test_it_takes_the_band_of_the_score(self) -> None:  # R20
        self.assertEqual(self.level(score=score(30, 60))[0], Level.EXCELLENT)
        self.assertEqual(self.level(score=score(30, "59.5"))[0], Level.GOOD)
        self.assertEqual(self.level(score=score(20, 50))[0], Level.GOOD)
        self.assertEqual(self.level(score=score(20, "49.75"))[0], Level.COMPLETED)
        self.assertEqual(self.level(score=score(20, 30))[0], Level.COMPLETED)

    def test_it_drops_an_excellent_score_without_enough_exceeded_tasks(self) -> None:  # R20
        level, rules = self.level(tasks=tasks(exceeded=29))
        self.assertEqual((level, rules), (Level.GOOD, ["R20", "R20"]))

    def test_it_drops_an_excellent_score_with_weaknesses_not_fixed(self) -> None:  # R20, R37
        self.assertEqual(self.level(weaknesses=Weaknesses(3, 2))[0], Level.GOOD)
        self.assertEqual(self.level(weaknesses=Weaknesses(3, 3))[0], Level.EXCELLENT)

    def test_it_drops_to_completed_when_tasks_were_late(self) -> None:  # R20
        level, rules = self.level(tasks=tasks(late=10))
        self.assertEqual(level, Level.COMPLETED)
        self.assertEqual(rules, ["R20", "R20", "R20"])

    def test_it_checks_the_units_a_leader_leads(self) -> None:  # R20
        led = tasks(exceeded=10)
        self.assertEqual(self.level(leader=True, led_units_tasks=led)[0], Level.GOOD)
        late = tasks(late=5)
        self.assertEqual(self.level(leader=True, led_units_tasks=late)[0], Level.COMPLETED)

    def test_it_needs_a_collective_to_finish_its_tasks_for_completed(self) -> None:  # R20
        facts = unit(score=score(20, 40), tasks=tasks(done=100, late=25))
        self.assertEqual(classify_unit(facts, PERIOD, settings()).level, Level.NOT_COMPLETED)
        facts = unit(score=score(20, 40), tasks=tasks(done=100, late=20))
        self.assertEqual(classify_unit(facts, PERIOD, settings()).level, Level.COMPLETED)

    def test_it_bars_excellent_for_a_collective_with_discipline_below(self) -> None:  # R20
        v = classify_unit(unit(subunits=10, subunits_disciplined=1), PERIOD, settings())
        self.assertEqual(v.level, Level.GOOD)
        facts = unit(leadership_discipline=(DisciplineForm.REPRIMAND,))
        self.assertEqual(classify_unit(facts, PERIOD, settings()).level, Level.GOOD)

    def test_it_reads_the_bands_from_the_settings(self) -> None:  # R20
        bands = {
            Level.EXCELLENT: Decimal(95),
            Level.GOOD: Decimal(70),
            Level.COMPLETED: Decimal(50),
        }
        v = classify_member(member(), PERIOD, settings(score_bands=bands))
        self.assertEqual(v.level, Level.GOOD)


class OrganisationConditionsTestCase(TestCase):
    def test_it_needs_good_sub_results_for_an_excellent_cell(self) -> None:  # R21
        ok = (Level.GOOD,) * 8 + (Level.COMPLETED,) * 2
        facts = unit(Regime.HD21, sub_results=ok)
        self.assertEqual(classify_unit(facts, PERIOD, settings(Regime.HD21)).level, Level.EXCELLENT)
        few_good = (Level.GOOD,) * 7 + (Level.COMPLETED,) * 3
        v = classify_unit(unit(Regime.HD21, sub_results=few_good), PERIOD, settings(Regime.HD21))
        self.assertEqual((v.level, v.reasons[-1].rule), (Level.GOOD, "R21"))
        one_failed = (Level.EXCELLENT,) * 9 + (Level.NOT_COMPLETED,)
        v = classify_unit(unit(Regime.HD21, sub_results=one_failed), PERIOD, settings(Regime.HD21))
        self.assertEqual(v.level, Level.GOOD)

    def test_it_applies_the_sub_results_rule_to_qd366_only_when_set(self) -> None:  # R21
        few_good = (Level.COMPLETED,) * 5
        facts = unit(sub_results=few_good)
        self.assertEqual(classify_unit(facts, PERIOD, settings()).level, Level.EXCELLENT)
        on = settings(sub_results_rule=True)
        self.assertEqual(classify_unit(facts, PERIOD, on).level, Level.GOOD)

    def test_it_needs_peer_organisations_good_for_excellent(self) -> None:  # R22
        facts = unit(Regime.HD21, peer_levels=(Level.GOOD, Level.COMPLETED))
        v = classify_unit(facts, PERIOD, settings(Regime.HD21))
        self.assertEqual((v.level, v.reasons[-1].rule), (Level.GOOD, "R22"))
        facts = unit(Regime.HD21, peer_levels=(Level.GOOD, Level.EXCELLENT))
        self.assertEqual(classify_unit(facts, PERIOD, settings(Regime.HD21)).level, Level.EXCELLENT)
