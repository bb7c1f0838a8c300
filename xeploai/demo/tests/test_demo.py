from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import Client, TransactionTestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.demo.load import PASSWORD
from xeploai.members.models import Member
from xeploai.reports import flags
from xeploai.reviews import history
from xeploai.reviews.actions.units import unit_quota_standings
from xeploai.reviews.models import Action, SelfReview
from xeploai.reviews.rules import unit_verdict, waiting_below
from xeploai.rules import Level, check_quota
from xeploai.units.models import Unit, UnitKind

GRASSROOTS = (UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL)


class DemoTestCase(TransactionTestCase):
    """Loads the whole demo district once: slow-ish (about 10 s), so one class."""

    def test_it_loads_a_realistic_district_once(self) -> None:
        out = io.StringIO()
        call_command("demo", "--no-serve", stdout=out)
        self.assertIn("an ", out.getvalue())
        # Those who decide sign in with a second factor: the standing committee too.
        self.assertIn("Tài khoản chi, dung, thuong, quantri nhập thêm mã", out.getvalue())
        self.assert_district_shape()
        self.assert_cycles_and_quota()
        self.assert_personas_see_their_scope()
        self.assert_current_cycle_part_way()
        self.assert_organisations_at_every_step()
        self.assert_flags_at_publication()
        counts = (Unit.objects.count(), Member.objects.count(), MemberEvaluation.objects.count())
        again = io.StringIO()
        call_command("demo", "--no-serve", stdout=again)
        self.assertIn("đã có sẵn", again.getvalue())
        self.assertEqual(
            counts, (Unit.objects.count(), Member.objects.count(), MemberEvaluation.objects.count())
        )

    def assert_district_shape(self) -> None:
        grassroots = Unit.objects.filter(
            kind__in=[UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL]
        )
        self.assertEqual(grassroots.count(), 59)
        cells = Unit.objects.filter(kind=UnitKind.CELL).count()
        self.assertTrue(240 <= cells <= 300, cells)
        members = Member.objects.count()
        self.assertTrue(5000 <= members <= 6200, members)
        probationary = Member.objects.filter(full_member_since__isnull=True).count()
        self.assertTrue(0.04 < probationary / members < 0.09)

    def assert_cycles_and_quota(self) -> None:
        years = list(Cycle.objects.order_by("year").values_list("year", "regime"))
        self.assertEqual(
            years,
            [
                (2017, "LEGACY"),
                (2021, "HD21"),
                (2022, "HD21"),
                (2023, "QD124"),
                (2024, "QD124"),
                (2025, "QD366"),
                (2026, "QD366"),
            ],
        )
        cycle_2025 = Cycle.objects.get(year=2025)
        for unit in Unit.objects.filter(kind=UnitKind.GRASSROOTS_COMMITTEE):
            finals = MemberEvaluation.objects.for_cycle(cycle_2025).in_subtree(unit)
            good = finals.filter(level_final=Level.GOOD).count()
            excellent = finals.filter(level_final=Level.EXCELLENT).count()
            self.assertTrue(check_quota(unit.code, good, excellent, cycle_2025.settings).within)
        current = MemberEvaluation.objects.for_cycle(Cycle.objects.get(year=2026))
        self.assertTrue(current.filter(status=Status.PENDING, level_self__isnull=False).exists())
        self.assertTrue(current.filter(status=Status.PENDING, level_self__isnull=True).exists())
        self.assertTrue(current.filter(status=Status.EXEMPT).exists())
        self.assertTrue(current.filter(status=Status.NOT_CLASSIFIED).exists())

    def assert_flags_at_publication(self) -> None:
        """The published results of 2025 raise every kind of flag somewhere in the district
        (R35, R38), on the page its organisation board reads."""
        district = User.objects.get(username="dung").roles.get().unit
        found = {f.kind for f in flags.flags(district, Cycle.objects.get(year=2025))}
        self.assertEqual(found, set(flags.FlagKind))

    def assert_personas_see_their_scope(self) -> None:
        an, em = User.objects.get(username="an"), User.objects.get(username="em")
        assert an.member is not None
        client = Client()
        self.assertTrue(client.login(username="an", password=PASSWORD))
        self.assertEqual(client.get(f"/dang-vien/{an.member.code}/").status_code, 200)
        client = Client()
        self.assertTrue(client.login(username="em", password=PASSWORD))
        self.assertEqual(client.get(f"/dang-vien/{an.member.code}/").status_code, 404)
        self.assertEqual(client.get(f"/don-vi/{an.member.cell.code}/").status_code, 404)
        assert em.member is not None
        self.assertEqual(client.get(f"/dang-vien/{em.member.code}/").status_code, 200)

    def assert_current_cycle_part_way(self) -> None:
        current = MemberEvaluation.objects.for_cycle(Cycle.objects.get(year=2026))
        self.assertEqual(set(current.values_list("step", flat=True)), set(Step))
        self.assertEqual(list(history.verify()), [])
        # The personas' commune is left at the start, for them to take through the cycle.
        commune = User.objects.get(username="chi").roles.get().unit
        steps = set(current.in_subtree(commune).values_list("step", flat=True))
        self.assertEqual(steps, {Step.SELF_REVIEW, Step.NOT_REVIEWED})
        # Drafts carry their form, with item scores that add up to the sheet's totals.
        draft = current.filter(step=Step.SELF_REVIEW, score_general__isnull=False).first()
        assert draft is not None
        scores = SelfReview.objects.get(evaluation=draft).scores
        self.assertEqual(
            sum(Decimal(v) for v in scores.values()),
            draft.score_general + draft.score_task_results,  # type: ignore[operator]
        )

    def assert_organisations_at_every_step(self) -> None:
        cycle = Cycle.objects.get(year=2026)
        thuong = User.objects.get(username="thuong")
        role = thuong.roles.get()
        self.assertEqual((role.kind, role.unit.kind), (RoleKind.STANDING_COMMITTEE, "DISTRICT"))
        rows = UnitEvaluation.objects.filter(cycle=cycle).select_related("unit", "cycle")
        steps = set(rows.values_list("step", flat=True))
        self.assertLessEqual(
            {Step.SELF_REVIEW, Step.SUBMITTED, Step.PROPOSED, Step.DECIDED, Step.APPRAISED}, steps
        )
        # A group of organisations with as many excellent as its quota allows, and no more.
        standings = unit_quota_standings(role.unit, cycle)
        self.assertTrue(all(r.within for _d, _k, r in standings), standings)
        self.assertTrue(any(r.allowed and r.excellent == r.allowed for _d, _k, r in standings))
        # One grassroots organisation decided by the standing committee, after all below it.
        grassroots = rows.filter(kind=UnitEvaluationKind.ORGANISATION, unit__kind__in=GRASSROOTS)
        decided = grassroots.get(step=Step.DECIDED)
        self.assertEqual(waiting_below(decided)[1], 0)
        decision = decided.history.get(action=Action.DECIDE)
        self.assertEqual(decision.by, thuong)
        # One proposed while results below it still wait: its decision shows what it waits on.
        proposed = [e for e in grassroots.filter(step=Step.PROPOSED) if waiting_below(e)[1]]
        self.assertTrue(proposed)
        # Conclusions recorded with their document show in the reasons of the verdict.
        concluded = rows.filter(conclusions__isnull=False).distinct()
        rules = {r.rule for e in concluded for r in unit_verdict(e).reasons}
        self.assertLessEqual({"R24", "R25"}, rules)
        collectives = concluded.filter(kind=UnitEvaluationKind.COLLECTIVE)
        self.assertTrue(collectives.filter(level_proposed=Level.NOT_COMPLETED).exists())
        # Past years' organisations are published, as their members are.
        past = UnitEvaluation.objects.filter(cycle__year=2025)
        self.assertEqual(set(past.values_list("step", flat=True)), {Step.PUBLISHED})
