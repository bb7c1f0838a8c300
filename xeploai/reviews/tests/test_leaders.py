"""Leaders reviewed as leaders (R10, R16, R20 leader, R26 leader groups, R30 order, R32):
where each is reviewed and classified, the facts computed from the units they lead, the
collective's meeting in order, the decision by the committee that manages the cadre, and the
history of it all."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_member,
    make_personas,
    make_unit,
    make_user,
    post_title,
)
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Post, PostKind, PostTier, PostTitle
from xeploai.reviews import actions, history, seals
from xeploai.reviews.actions import leaders, units
from xeploai.reviews.actions.self_review import ReportData
from xeploai.reviews.leaders import (
    decider_of,
    leader_facts,
    leader_form,
    leader_verdict,
    quota_key,
)
from xeploai.reviews.models import LeaderLevelChange, LeaderSelfReview, QuotaException
from xeploai.reviews.rules import member_form
from xeploai.reviews.sheets import spread
from xeploai.rules import LeaderGroup
from xeploai.units.models import Unit, UnitKind

from .flow import DECISION, SECTIONS

DAY = dt.date(2021, 1, 1)


def title(name: str) -> PostTitle:
    return post_title(name)


class LeadersTestCase(TestCase):
    p: Personas
    cycle: Cycle
    thuong: User

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        binh = p.binh.member
        em = p.em.member
        assert binh is not None and em is not None
        # Bình heads the commune's committee and his cell; An is his deputy in the cell; Em
        # chairs the commune's People's Committee.
        for member, name, unit, head in (
            (binh, "Bí thư", p.commune, True),
            (binh, "Bí thư chi bộ", p.cell_a, True),
            (p.an_member, "Phó Bí thư chi bộ", p.cell_a, False),
            (em, "Chủ tịch Ủy ban nhân dân", p.commune, True),
        ):
            t = title(name)
            Post.objects.create(
                member=member, kind=t.kind, title=t.name, post_title=t, unit=unit, head=head,
                start=DAY, organisation="UBND xã" if t.kind == PostKind.GOVERNMENT else "",
            )  # fmt: skip
        cls.thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
        cls.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)

    def of(self, code: str, unit: Unit) -> LeaderEvaluation:
        rows = LeaderEvaluation.objects.select_related(
            "member", "post__post_title", "unit", "cycle"
        )
        return rows.get(member__code=code, unit=unit)

    def organisation(self, unit: Unit) -> UnitEvaluation:
        return UnitEvaluation.objects.get(unit=unit, kind=UnitEvaluationKind.ORGANISATION)

    def set_unit(self, unit: Unit, **fields: object) -> None:
        UnitEvaluation.objects.filter(unit=unit, kind=UnitEvaluationKind.ORGANISATION).update(
            **fields
        )

    def report(self, e: LeaderEvaluation, general: int = 28, tasks: int = 64) -> LeaderEvaluation:
        form = member_form(e.member, e.cycle)
        data = ReportData(
            sections=SECTIONS,
            scores=spread(Decimal(general), form.general)
            | spread(Decimal(tasks), form.task_results),
            tasks_done=Decimal(100),
            tasks_exceeded=Decimal(40),
            level_self=Level.GOOD,
        )
        user = User.objects.get(member=e.member)
        e = leaders.save_leader_review(e, by=user, version=e.version, data=data)
        return leaders.submit_leader_review(e, by=user, version=e.version)

    # --- Where each leader is reviewed (R32) ----------------------------------------------------

    def test_each_leading_post_is_reviewed_and_the_highest_classifies(self) -> None:
        rows = LeaderEvaluation.objects.filter(cycle=self.cycle).select_related("member", "unit")
        seen = {(e.member.code, e.unit.code): (e.classified, e.tier, e.head) for e in rows}
        self.assertEqual(
            seen,
            {
                ("DV-BINH", "DB-XA"): (True, PostTier.HEAD, True),
                ("DV-BINH", "CB-A"): (False, PostTier.HEAD, True),
                ("DV-AN", "CB-A"): (True, PostTier.DEPUTY, False),
                ("DV-EM", "DB-XA"): (True, PostTier.HEAD, True),
            },
        )
        cell = self.of("DV-BINH", self.p.cell_a)
        self.assertEqual(cell.status, Status.NOT_CLASSIFIED)
        self.assertIn("Đảng bộ xã Hoa Thành", cell.status_reason)
        # Opening again adds nothing.
        self.assertEqual(leaders.open_leaders(self.p.district, cycle=self.cycle), 0)

    def test_the_committee_above_decides_unless_the_title_says_otherwise(self) -> None:
        self.assertEqual(decider_of(self.of("DV-BINH", self.p.commune)), self.p.district)
        self.assertEqual(decider_of(self.of("DV-AN", self.p.cell_a)), self.p.commune)
        PostTitle.objects.filter(name="Phó Bí thư chi bộ").update(decided_levels_up=2)
        self.assertEqual(decider_of(self.of("DV-AN", self.p.cell_a)), self.p.district)
        district_decides = [e.member.code for e in leaders.decided_by(self.p.district, self.cycle)]
        self.assertEqual(sorted(district_decides), ["DV-AN", "DV-BINH", "DV-EM"])

    def test_the_cadres_the_centre_manages_write_its_framework(self) -> None:
        centre = make_unit(None, kind=UnitKind.CENTRE, code="TW")
        province = make_unit(centre, kind=UnitKind.PROVINCE, code="T01")
        member = make_member(make_unit(province, kind=UnitKind.CELL), code="DV-TINH")
        t = title("Bí thư")
        Post.objects.create(
            member=member, kind=t.kind, title=t.name, post_title=t, unit=province, head=True,
            start=DAY,
        )  # fmt: skip
        leaders.open_leaders(province, cycle=self.cycle)
        secretary = self.of("DV-TINH", province)
        self.assertEqual(decider_of(secretary), centre)
        self.assertEqual(leader_form(secretary).code, "2B-TW")
        make_user("tinh", member=member)
        self.report(secretary)
        self.assertEqual(LeaderSelfReview.objects.get(evaluation=secretary).form, "2B-TW")
        self.assertEqual(leader_form(self.of("DV-BINH", self.p.commune)).code, "2B")

    # --- Facts from the units they lead (R10, R16, R20) -----------------------------------------

    def test_a_head_waits_for_the_unit_then_is_capped_by_it(self) -> None:
        e = self.report(self.of("DV-BINH", self.p.commune), general=29, tasks=66)
        self.set_unit(self.p.commune, tasks_done=100, tasks_late=0, tasks_exceeded=40)
        verdict = leader_verdict(e)
        self.assertEqual(verdict.status, Status.PENDING)
        self.assertIn("R16", [r.rule for r in verdict.reasons])
        self.set_unit(self.p.commune, step=Step.DECIDED, level_decided=Level.COMPLETED)
        verdict = leader_verdict(e)
        self.assertEqual(verdict.level, Level.COMPLETED)
        self.assertIn("R16", [r.rule for r in verdict.reasons])

    def test_a_government_head_is_capped_by_the_level_recorded_for_the_government(self) -> None:
        e = self.report(self.of("DV-EM", self.p.commune))
        self.set_unit(self.p.commune, tasks_done=100, tasks_late=0, tasks_exceeded=40)
        self.assertFalse(leader_facts(e).head_of_unit_final)
        from xeploai.reviews.models import PeerKind, PeerResult

        PeerResult.objects.create(
            evaluation=self.organisation(self.p.commune),
            kind=PeerKind.GOVERNMENT,
            name="UBND xã",
            level=Level.COMPLETED,
            source="Quyết định 1/QĐ-UBND huyện",
            entered_by=self.p.chi,
        )
        facts = leader_facts(e)
        self.assertEqual(
            (facts.head_of_unit_level, facts.head_of_unit_final), (Level.COMPLETED, True)
        )

    def test_the_units_results_bind_the_leader(self) -> None:
        e = self.report(self.of("DV-AN", self.p.cell_a), general=29, tasks=66)
        # Not a head: the cell's level caps nothing; its results do (R20 leader).
        self.assertIn("led_units_tasks", leader_verdict(e).missing)
        self.set_unit(self.p.cell_a, tasks_done=100, tasks_late=10, tasks_exceeded=40)
        verdict = leader_verdict(e)
        self.assertEqual(verdict.level, Level.COMPLETED)  # GOOD needs the unit on time
        self.set_unit(self.p.cell_a, tasks_done=40, tasks_late=0, key_targets_missed=True)
        verdict = leader_verdict(e)
        self.assertEqual(verdict.level, Level.NOT_COMPLETED)
        self.assertIn("R10", [r.rule for r in verdict.reasons])
        self.set_unit(self.p.cell_a, force_majeure=True)
        self.assertNotEqual(leader_verdict(e).level, Level.NOT_COMPLETED)

    # --- The collective's meeting (R30) ------------------------------------------------------

    def test_the_head_is_reviewed_before_the_deputy(self) -> None:
        self.set_unit(self.p.cell_a, tasks_done=100, tasks_late=0, tasks_exceeded=40)
        an = self.report(self.of("DV-AN", self.p.cell_a))
        head = self.report(self.of("DV-BINH", self.p.cell_a))
        with self.assertRaisesMessage(actions.ReviewError, "người đứng đầu") as refused:
            leaders.propose_leader(an, by=self.p.binh, level=Level.GOOD, conclusion="Tốt")
        self.assertIn("Lê Văn Bình", refused.exception.names[0])
        leaders.propose_leader(head, by=self.p.binh, level=Level.GOOD, conclusion="Tốt")
        an = leaders.propose_leader(an, by=self.p.binh, level=Level.GOOD, conclusion="Tốt")
        self.assertEqual((an.step, an.level_proposed), (Step.PROPOSED, Level.GOOD))
        with self.assertRaises(PermissionDenied):
            leaders.propose_leader(
                self.report(self.of("DV-EM", self.p.commune)), by=self.p.em, level=Level.GOOD,
                conclusion="Tốt",
            )  # fmt: skip

    def test_the_collective_is_reviewed_before_its_leaders(self) -> None:
        e = self.report(self.of("DV-BINH", self.p.commune))
        with self.assertRaisesMessage(actions.ReviewError, "tập thể lãnh đạo"):
            leaders.propose_leader(e, by=self.p.chi, level=Level.GOOD, conclusion="Tốt")
        UnitEvaluation.objects.filter(
            unit=self.p.commune, kind=UnitEvaluationKind.COLLECTIVE
        ).update(step=Step.SUBMITTED)
        self.set_unit(self.p.commune, tasks_done=100, tasks_late=0, tasks_exceeded=40)
        e = leaders.propose_leader(e, by=self.p.chi, level=Level.GOOD, conclusion="Tốt")
        self.assertEqual(e.step, Step.PROPOSED)

    def test_only_the_leader_writes_their_report(self) -> None:
        e = self.of("DV-AN", self.p.cell_a)
        with self.assertRaisesMessage(actions.ReviewError, "Chỉ đồng chí"):
            leaders.save_leader_review(e, by=self.p.binh, version=0, data=ReportData())

    # --- The decision (R16 every path, R26 leader groups) --------------------------------------

    def proposed_head(self) -> LeaderEvaluation:
        UnitEvaluation.objects.filter(unit=self.p.commune).update(step=Step.SUBMITTED)
        self.set_unit(self.p.commune, tasks_done=100, tasks_late=0, tasks_exceeded=40)
        e = self.report(self.of("DV-BINH", self.p.commune), general=29, tasks=66)
        # The meeting may propose before the unit's level is known: its opinion.
        UnitEvaluation.objects.filter(
            unit=self.p.commune, kind=UnitEvaluationKind.ORGANISATION
        ).update(step=Step.DECIDED, level_decided=Level.GOOD)
        return leaders.propose_leader(e, by=self.p.chi, level=Level.GOOD, conclusion="Tốt")

    def test_a_head_is_never_decided_above_the_unit_or_before_it_is_final(self) -> None:
        e = self.proposed_head()
        self.set_unit(
            self.p.commune, step=Step.PROPOSED, level_decided=None, level_proposed=Level.GOOD
        )
        with self.assertRaisesMessage(actions.ReviewError, "Chưa xếp loại được") as refused:
            leaders.decide_leaders(
                self.p.district, cycle=self.cycle, by=self.thuong, levels={e.pk: Level.GOOD},
                decision=DECISION,
            )  # fmt: skip
        self.assertIn("R16", [r.rule for r in refused.exception.reasons])
        self.set_unit(self.p.commune, step=Step.DECIDED, level_decided=Level.COMPLETED)
        with self.assertRaisesMessage(actions.ReviewError, "tối đa"):
            leaders.decide_leaders(
                self.p.district, cycle=self.cycle, by=self.thuong, levels={e.pk: Level.GOOD},
                decision=DECISION,
            )  # fmt: skip
        (decided,) = leaders.decide_leaders(
            self.p.district, cycle=self.cycle, by=self.thuong, levels={e.pk: Level.COMPLETED},
            decision=DECISION,
        )  # fmt: skip
        self.assertEqual((decided.step, decided.level_decided), (Step.DECIDED, Level.COMPLETED))
        # Appraised above the unit: refused there too.
        with self.assertRaisesMessage(actions.ReviewError, "tối đa"):
            leaders.appraise_leader(decided, by=self.p.dung, level=Level.GOOD, reason="Nâng")

    def test_the_unit_s_level_holds_under_its_decided_head(self) -> None:
        e = self.proposed_head()
        (head,) = leaders.decide_leaders(
            self.p.district, cycle=self.cycle, by=self.thuong, levels={e.pk: Level.GOOD},
            decision=DECISION,
        )  # fmt: skip
        unit = self.organisation(self.p.commune)
        refused = "Kết quả của Đảng bộ xã Hoa Thành chưa thay đổi được: đồng chí"
        # Lowered below the head's level, sent back or re-opened: refused while he stands.
        with self.assertRaisesMessage(actions.ReviewError, refused):
            units.appraise_unit(unit, by=self.p.dung, level=Level.COMPLETED, reason="Hạ")
        with self.assertRaisesMessage(actions.ReviewError, refused):
            units.return_unit(unit, by=self.p.dung, comment="Xem lại")
        with self.assertRaisesMessage(actions.ReviewError, refused):
            units.reopen_unit(unit, by=self.p.dung, reason="Có đơn thư")
        self.assertEqual(self.organisation(self.p.commune).step, Step.DECIDED)
        # Once his result is sent back, the unit's may move again.
        leaders.return_leader(head, by=self.p.dung, comment="Chờ kết quả đơn vị")
        unit = units.return_unit(unit, by=self.p.dung, comment="Xem lại")
        self.assertEqual(unit.step, Step.PROPOSED)

    def test_only_the_managing_committee_decides_and_only_where_classified(self) -> None:
        e = self.proposed_head()
        with self.assertRaises(PermissionDenied):
            leaders.decide_leaders(
                self.p.district, cycle=self.cycle, by=self.p.chi, levels={e.pk: Level.GOOD},
                decision=DECISION,
            )  # fmt: skip
        cell = self.of("DV-BINH", self.p.cell_a)
        with self.assertRaisesMessage(actions.ReviewError, "không thuộc"):
            leaders.decide_leaders(
                self.p.commune, cycle=self.cycle, by=self.p.chi, levels={cell.pk: Level.GOOD},
                decision=DECISION,
            )  # fmt: skip

    def test_an_excellent_leader_counts_in_the_group_of_equivalent_posts(self) -> None:
        e = self.proposed_head()
        self.set_unit(self.p.commune, level_decided=Level.EXCELLENT)
        LeaderEvaluation.objects.filter(pk=e.pk).update(level_proposed=Level.EXCELLENT)
        levels = {e.pk: Level.EXCELLENT}
        with self.assertRaises(actions.QuotaBreach):
            leaders.decide_leaders(
                self.p.district, cycle=self.cycle, by=self.thuong, levels=levels, decision=DECISION
            )
        exemption = actions.QuotaExemption("Đồng chí hoàn thành xuất sắc nhiều chỉ tiêu", DECISION)
        leaders.decide_leaders(
            self.p.district, cycle=self.cycle, by=self.thuong, levels=levels, decision=DECISION,
            exemption=exemption,
        )  # fmt: skip
        exception = QuotaException.objects.get()
        self.assertEqual(
            (exception.subject, exception.field_type),
            ("leaders", quota_key(e, self.cycle.settings)),
        )

    def test_the_regime_says_which_leaders_share_a_quota(self) -> None:
        deputy, head = self.of("DV-AN", self.p.cell_a), self.of("DV-BINH", self.p.cell_a)
        posts = self.cycle.settings
        self.assertEqual(posts.leader_quota_group, LeaderGroup.POST)  # every regime's default
        self.assertEqual((quota_key(head, posts), quota_key(deputy, posts)), ("1/3", "2/3"))
        by_level = dataclasses.replace(posts, leader_quota_group=LeaderGroup.LEVEL)
        self.assertEqual((quota_key(head, by_level), quota_key(deputy, by_level)), ("0/3", "0/3"))

    # --- History ---------------------------------------------------------------------------------

    def test_every_step_is_in_the_leaders_history_and_verifies(self) -> None:
        e = self.proposed_head()
        leaders.decide_leaders(
            self.p.district, cycle=self.cycle, by=self.thuong, levels={e.pk: Level.GOOD},
            decision=DECISION,
        )  # fmt: skip
        e = leaders.appraise_leader(self.of("DV-BINH", self.p.commune), by=self.p.dung)
        rows = LeaderLevelChange.objects.filter(evaluation=e).order_by("seq")
        self.assertEqual(
            [(r.action, r.level_to) for r in rows],
            [(a, Level.GOOD) for a in ("SUBMIT", "PROPOSE", "DECIDE", "APPROVE")],
        )
        # The units' levels were set directly above: only the leader's chain is checked here.
        problems = [p for p in history.verify() if p.startswith("leader evaluation")]
        self.assertEqual(problems, [])
        LeaderEvaluation.objects.filter(pk=e.pk).update(level_final=Level.EXCELLENT)
        problems = [p for p in history.verify() if p.startswith("leader evaluation")]
        self.assertTrue(any("level_final" in p for p in problems), problems)

    def test_seals_cover_the_leaders_chains(self) -> None:
        e = self.proposed_head()
        with self.captureOnCommitCallbacks(execute=True):
            made = seals.seal()
        assert made is not None
        self.assertGreater(made.through_leader, 0)
        self.assertEqual(list(seals.verify()), [])
        last = LeaderLevelChange.objects.filter(evaluation=e).order_by("-seq").first()
        assert last is not None
        LeaderLevelChange.objects.filter(pk=last.pk)._raw_delete("default")
        self.assertTrue(any("leader evaluation" in p for p in seals.verify()))
