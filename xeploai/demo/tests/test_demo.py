from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client, TransactionTestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.demo.load import PASSWORD
from xeploai.integrity.models import Finding
from xeploai.members.models import Member, Post, PostKind
from xeploai.oversight.models import Attendance, AttendanceKind, Explanation, Suggestion
from xeploai.reports import flags
from xeploai.reports.data import leader_standings
from xeploai.reviews import history, seals
from xeploai.reviews.actions.units import unit_quota_standings
from xeploai.reviews.leaders import (
    FINAL_STEPS,
    headed_level,
    leader_facts,
    leader_verdict,
    led_of,
)
from xeploai.reviews.models import Action, LeaderLevelChange, PeerKind, PeerResult, SelfReview
from xeploai.reviews.rules import unit_verdict, waiting_below
from xeploai.rules import Level, check_quota, classify_member
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit, UnitKind

GRASSROOTS = (UnitKind.GRASSROOTS_COMMITTEE, UnitKind.GRASSROOTS_CELL)


class DemoTestCase(TransactionTestCase):
    """Loads the whole demo district once: slow (about 30 s), so one class."""

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
        self.assert_leaders_at_every_step()
        self.assert_flags_at_publication()
        self.assert_superior_steers_the_review()
        self.assert_signals_found()
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

    def assert_superior_steers_the_review(self) -> None:
        """The district's board sent the member An points to explain, which An explained,
        and directed the review of a collective with its working group (S2)."""
        cycle = Cycle.objects.get(year=2026)
        an = User.objects.get(username="an")
        suggestion = Suggestion.objects.get(cycle=cycle, member_evaluation__member=an.member)
        self.assertIsNotNone(suggestion.released)
        self.assertEqual(suggestion.issued_by.username, "dung")
        points = suggestion.points.all()
        self.assertEqual(len(points), 2)
        self.assertTrue(all(Explanation.objects.filter(point=p).exists() for p in points))
        directed = Attendance.objects.get(cycle=cycle)
        self.assertEqual(directed.kind, AttendanceKind.DIRECTED)
        self.assertTrue(directed.group and directed.conclusions)

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

    def assert_leaders_at_every_step(self) -> None:
        # Posts at every level of the district, each of a title offices keep.
        posts = Post.objects.filter(leader=True)
        self.assertFalse(posts.filter(post_title__isnull=True).exists())
        self.assertLessEqual(
            {
                "Bí thư", "Phó Bí thư Thường trực", "Chủ tịch Ủy ban nhân dân", "Bí thư chi bộ",
                "Phó Bí thư chi bộ", "Thủ trưởng cơ quan, đơn vị",
                "Chủ tịch Ủy ban Mặt trận Tổ quốc", "Người đứng đầu tổ chức chính trị - xã hội",
                "Cấp ủy viên",
            },
            set(posts.values_list("post_title__name", flat=True)),
        )  # fmt: skip
        self.assertEqual(
            set(posts.values_list("unit__kind", flat=True)),
            {UnitKind.DISTRICT, *GRASSROOTS, UnitKind.CELL},
        )
        # Past years' leaders were imported from the boards' records (all but the earliest
        # year's), none above the party organisation they head (R16).
        cycle = Cycle.objects.get(year=2026)
        years = set(LeaderEvaluation.objects.values_list("cycle__year", flat=True))
        self.assertEqual(years, {2021, 2022, 2023, 2024, 2025, 2026})
        past = LeaderEvaluation.objects.filter(cycle__closed=True)
        self.assertTrue(past.filter(level_final__isnull=False).exists())
        units = UnitEvaluation.objects.filter(
            cycle__closed=True, kind=UnitEvaluationKind.ORGANISATION
        )
        level = {(u.cycle_id, u.unit_id): u.level_final or 0 for u in units}
        heads = past.filter(head=True, post__kind=PostKind.PARTY, level_final__isnull=False)
        self.assertTrue(heads.exists())
        for e in heads:
            self.assertGreaterEqual(e.level_final or 0, level[(e.cycle_id, e.unit_id)], e)
        self.assert_past_heads_of_governments_and_mass_organisations(past)
        # Each group of equivalent posts within its quota, as its committee decided it (R26).
        district = Unit.objects.get(kind=UnitKind.DISTRICT)
        for year in (2021, 2025):
            groups = leader_standings(district, Cycle.objects.get(year=year))
            self.assertTrue(groups)
            self.assertEqual([g.name() for g in groups if not g.result.within], [], year)
        rows = LeaderEvaluation.objects.filter(cycle=cycle).select_related(
            "member", "post__post_title", "unit", "cycle"
        )
        self.assertLessEqual(
            {Step.SELF_REVIEW, Step.SUBMITTED, Step.PROPOSED, Step.DECIDED, Step.APPRAISED},
            set(rows.values_list("step", flat=True)),
        )
        # Each meeting reviewed its head first, then the deputies, then the members (R30).
        proposals = LeaderLevelChange.objects.filter(action=Action.PROPOSE).order_by("pk")
        tiers: dict[int, list[int]] = {}
        for change in proposals.select_related("evaluation"):
            tiers.setdefault(change.evaluation.unit_id, []).append(change.evaluation.tier)
        self.assertTrue(any(len(set(t)) == 3 for t in tiers.values()), tiers)
        self.assertTrue(all(t == sorted(t) for t in tiers.values()), tiers)
        # Decided by the district's standing committee and by a grassroots committee.
        deciders = LeaderLevelChange.objects.filter(action=Action.DECIDE)
        roles = set(deciders.values_list("by__username", "role"))
        self.assertIn(("thuong", RoleKind.STANDING_COMMITTEE), roles)
        self.assertIn(RoleKind.GRASSROOTS_OFFICER, {role for _user, role in roles})
        # A head capped by the level of the unit they head; one waiting for it (R16).
        decided = rows.filter(head=True, post__kind=PostKind.PARTY, level_decided__isnull=False)
        capped = [e for e in decided if self.capped(e)]
        self.assertTrue(capped)
        waiting = rows.filter(head=True, post__kind=PostKind.PARTY, step=Step.PROPOSED)
        pending = [e for e in waiting if leader_verdict(e).status is EngineStatus.PENDING]
        self.assertTrue(any(self.organisation(e).step not in FINAL_STEPS for e in pending), pending)
        self.assertEqual(list(seals.verify()), [])

    def assert_past_heads_of_governments_and_mass_organisations(
        self, past: QuerySet[LeaderEvaluation]
    ) -> None:
        """The levels of the governments, Fronts and mass organisations were imported for the
        past years as the party committees recorded them (R22), none below good beside an
        excellent party organisation; their heads were classified after them, none above
        the level of what they head (R16)."""
        peers = PeerResult.objects.filter(evaluation__cycle__closed=True)
        self.assertEqual(
            set(peers.values_list("evaluation__cycle__year", flat=True)),
            {2021, 2022, 2023, 2024, 2025},
        )
        self.assertEqual(set(peers.values_list("kind", flat=True)), set(PeerKind))
        self.assertFalse(peers.filter(entered_by__isnull=False).exists())  # imported
        self.assertFalse(
            peers.filter(evaluation__level_final=Level.EXCELLENT, level__gt=Level.GOOD).exists()
        )
        heads = past.filter(head=True, level_final__isnull=False).exclude(post__kind=PostKind.PARTY)
        self.assertEqual(
            set(heads.values_list("post__kind", flat=True)), {PostKind.GOVERNMENT, PostKind.MASS}
        )
        self.assertTrue(heads.filter(cycle__year=2025).exists())
        for e in heads.select_related("post", "cycle", "unit"):
            capped_by, final = headed_level(e, led_of(e))
            self.assertTrue(final and capped_by is not None, e)
            self.assertGreaterEqual(e.level_final or 0, capped_by or 0, e)

    def organisation(self, e: LeaderEvaluation) -> UnitEvaluation:
        return UnitEvaluation.objects.get(
            cycle=e.cycle, unit=e.unit, kind=UnitEvaluationKind.ORGANISATION
        )

    def capped(self, e: LeaderEvaluation) -> bool:
        """Decided at the level of the unit they head, which their own year would pass."""
        unit = self.organisation(e)
        facts = leader_facts(e)
        own = classify_member(
            dataclasses.replace(facts, head_of_unit_level=None), e.cycle.period, e.cycle.settings
        )
        decided = e.level_decided
        return (
            decided is not None
            and decided == (unit.level_final or unit.level_decided)
            and own.level is not None
            and own.level < decided
        )

    def assert_signals_found(self) -> None:
        """The board's list of results to look at again holds findings of the planted kinds:
        copies (of a fellow member, of one's own last year), empty weaknesses, and the paper
        record of a disciplined member imported above NOT_COMPLETED (R8)."""
        found = Finding.objects.filter(cycle__year=2026)
        kinds = set(found.values_list("kind", flat=True))
        self.assertLessEqual({"copied_text", "evasive_text", "inconsistent"}, kinds)
        years = {f.evidence["year"] for f in found.filter(kind="copied_text")}
        self.assertLessEqual({2025, 2026}, years)
        rules = {f.evidence["rule"] for f in found.filter(kind="inconsistent")}
        self.assertIn("R8", rules)
