from __future__ import annotations

from unittest import TestCase

from xeploai.rules.engine import classify_unit
from xeploai.rules.facts import UnitFacts, UnitKind
from xeploai.rules.levels import DisciplineForm, Level
from xeploai.rules.regimes import Regime

from .factories import PERIOD, settings, tasks, unit


def verdict(facts: UnitFacts, regime: Regime = Regime.QD366) -> tuple[Level | None, list[str]]:
    v = classify_unit(facts, PERIOD, settings(regime))
    return v.level, [r.rule for r in v.reasons]


class CollectivesTestCase(TestCase):
    def test_it_fails_a_unit_under_half_its_targets_with_key_targets_missed(self) -> None:  # R10
        for kind in UnitKind:
            missed = tasks(done=45, key_targets_missed=True)
            facts = unit(Regime.QD124, kind=kind, tasks=missed)
            self.assertEqual(verdict(facts, Regime.QD124), (Level.NOT_COMPLETED, ["R10"]))
            self.assertEqual(
                verdict(unit(Regime.QD124, kind=kind, tasks=tasks(done=45)), Regime.QD124)[1],
                ["R10"],
            )

    def test_it_excuses_a_unit_with_force_majeure_or_key_targets_met(self) -> None:  # R10
        excused = tasks(done=45, key_targets_missed=True, force_majeure=True)
        met = tasks(done=45, key_targets_missed=False)
        for kind in UnitKind:
            for results in (excused, met):
                facts = unit(Regime.QD124, kind=kind, tasks=results)
                self.assertEqual(verdict(facts, Regime.QD124), (Level.EXCELLENT, []))

    def test_it_fails_a_collective_with_a_member_warned(self) -> None:  # R23
        warned = (DisciplineForm.WARNING,)
        facts = unit(Regime.HD21, kind=UnitKind.COLLECTIVE, leadership_discipline=warned)
        level, rules = verdict(facts, Regime.HD21)
        self.assertEqual((level, rules), (Level.NOT_COMPLETED, ["R23"]))
        reprimanded = (DisciplineForm.REPRIMAND,)
        facts = unit(Regime.HD21, kind=UnitKind.COLLECTIVE, leadership_discipline=reprimanded)
        self.assertEqual(verdict(facts, Regime.HD21)[0], Level.EXCELLENT)

    def test_it_fails_a_collective_disciplined_itself(self) -> None:  # R24
        level, rules = verdict(unit(disciplined=True))
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R24", rules)

    def test_it_fails_a_collective_with_many_units_disciplined(self) -> None:  # R24
        level, rules = verdict(
            unit(Regime.QD124, subunits=10, subunits_disciplined=3), Regime.QD124
        )
        self.assertEqual((level, rules), (Level.NOT_COMPLETED, ["R24"]))
        level = verdict(unit(Regime.QD124, subunits=10, subunits_disciplined=2), Regime.QD124)[0]
        self.assertEqual(level, Level.EXCELLENT)
        # Not a rule under HD21.
        level = verdict(unit(Regime.HD21, subunits=10, subunits_disciplined=3), Regime.HD21)[0]
        self.assertEqual(level, Level.EXCELLENT)

    def test_it_fails_a_collective_with_disunity_or_a_degraded_member(self) -> None:  # R25
        self.assertEqual(verdict(unit(disunity=True)), (Level.NOT_COMPLETED, ["R20", "R25"]))
        self.assertEqual(verdict(unit(degraded_member=True))[0], Level.NOT_COMPLETED)
        self.assertEqual(verdict(unit(Regime.HD21, disunity=True), Regime.HD21)[0], Level.EXCELLENT)
