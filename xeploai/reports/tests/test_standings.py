"""A report's members' quota groups and state shares are read from the roll-ups; they stay
equal to the standing a decision computes from the evaluations, through the proposal, the
decision and the state results recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, Level
from xeploai.members.models import StateLevel, StateResult
from xeploai.reports.data import report
from xeploai.reports.standings import grassroots
from xeploai.reviews import actions
from xeploai.reviews.tests.flow import DECISION, evaluation_of, proposed_commune


class StandingsTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(cls.p, cls.cycle)  # An proposed EXCELLENT, Bình and Em GOOD

    def members_group(self) -> dict[str, Any]:
        groups = report(self.p.district, self.cycle)["quota_groups"]
        (group,) = [g for g in groups if g["subject"] == "members"]
        found: dict[str, Any] = group
        return found

    def assert_in_step(self) -> None:
        group = self.members_group()
        live, _drop = actions.quota_standing(self.p.commune, self.cycle)
        self.assertEqual(group["group"], self.p.commune.code)
        found = (group["good"], group["excellent"], group["allowed"], group["breach"])
        self.assertEqual(found, (live.good, live.excellent, live.allowed, live.breach))

    def test_proposed_levels_count_before_any_decision(self) -> None:
        self.assertEqual((self.members_group()["good"], self.members_group()["excellent"]), (2, 1))
        self.assert_in_step()

    def test_a_decision_that_lowers_a_level_is_counted_at_once(self) -> None:
        an = evaluation_of(self.p.an_member, self.cycle)
        actions.decide(
            self.p.commune,
            cycle=self.cycle,
            by=self.p.chi,
            levels={an.pk: Level.GOOD},
            decision=DECISION,
        )
        self.assertEqual((self.members_group()["good"], self.members_group()["excellent"]), (3, 0))
        self.assert_in_step()

    def test_the_counts_are_read_per_grassroots_unit_in_two_queries(self) -> None:
        an = self.p.an_member
        an.civil_servant = True
        an.save()
        with self.assertNumQueries(2):
            (commune,) = grassroots(self.p.district, self.cycle)
        self.assertEqual(commune.unit, self.p.commune)
        counts = (commune.excellent, commune.good, commune.classified)
        self.assertEqual(counts, (1, 2, 3))
        self.assertEqual((commune.servants, commune.rated), (1, 0))  # in the review, not rated
        rated = StateResult.objects.create(
            member=an, year=2026, level=StateLevel.EXCELLENT, decision_date=dt.date(2026, 11, 25)
        )
        (commune,) = grassroots(self.p.district, self.cycle)
        self.assertEqual((commune.servants, commune.rated, commune.state_excellent), (1, 1, 1))
        rated.delete()
        (commune,) = grassroots(self.p.district, self.cycle)
        self.assertEqual((commune.servants, commune.rated, commune.state_excellent), (1, 0, 0))
