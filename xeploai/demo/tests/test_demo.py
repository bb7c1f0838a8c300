from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import Client, TransactionTestCase

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle, MemberEvaluation, Status, Step
from xeploai.demo.load import PASSWORD
from xeploai.members.models import Member
from xeploai.reviews import history
from xeploai.reviews.models import SelfReview
from xeploai.rules import Level, check_quota
from xeploai.units.models import Unit, UnitKind


class DemoTestCase(TransactionTestCase):
    """Loads the whole demo district once: slow-ish (about 10 s), so one class."""

    def test_it_loads_a_realistic_district_once(self) -> None:
        out = io.StringIO()
        call_command("demo", "--no-serve", stdout=out)
        self.assertIn("an ", out.getvalue())
        self.assert_district_shape()
        self.assert_cycles_and_quota()
        self.assert_personas_see_their_scope()
        self.assert_current_cycle_part_way()
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
