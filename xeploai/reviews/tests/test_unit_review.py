from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import (
    make_cycle,
    make_discipline,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    make_user,
)
from xeploai.cycles.models import (
    Level,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import DisciplineForm, Post, PostKind
from xeploai.reports import data as reports
from xeploai.reviews import actions, history
from xeploai.reviews.actions import units
from xeploai.reviews.models import Action, ConclusionKind, PeerKind, QuotaException
from xeploai.reviews.rules import unit_verdict
from xeploai.rules import SETTINGS, Regime, UnitGroup
from xeploai.units.models import FieldType, Unit, UnitKind

from .flow import DECISION, proposed_commune
from .unit_flow import propose_unit, report, submit_unit, unit_evaluation

ORGANISATION, COLLECTIVE = UnitEvaluationKind.ORGANISATION, UnitEvaluationKind.COLLECTIVE


def rules_of(evaluation: UnitEvaluation) -> set[str]:
    """The rules behind the engine's verdict on the evaluation as it is saved now."""
    saved = UnitEvaluation.objects.select_related("unit", "cycle").get(pk=evaluation.pk)
    return {r.rule for r in unit_verdict(saved).reasons}


class UnitReviewTestCase(TestCase):
    """Organisations and collectives go through the steps of the member review, one level up:
    the cell's committee reports, the commune's committee examines and decides its cells, the
    district's standing committee decides the commune after everything below it (R30)."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        # The district's standing committee: decides the district's grassroots organisations.
        self.thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
        proposed_commune(p, self.cycle, an=Level.GOOD)
        self.cell_a = unit_evaluation(p.cell_a, self.cycle)
        self.cell_b = unit_evaluation(p.cell_b, self.cycle)
        self.commune = unit_evaluation(p.commune, self.cycle)

    def decide_members(self) -> None:
        rows = MemberEvaluation.objects.filter(cycle=self.cycle)
        actions.decide(
            self.p.commune,
            cycle=self.cycle,
            by=self.p.chi,
            levels={e.pk: Level.GOOD for e in rows},
            decision=DECISION,
        )

    def decided_cells(self, a: Level = Level.GOOD, b: Level = Level.GOOD) -> None:
        self.decide_members()
        p = self.p
        propose_unit(submit_unit(self.cell_a, p.binh), p.chi, a)
        propose_unit(submit_unit(self.cell_b, p.em), p.chi, b)
        units.decide_units(
            p.commune,
            cycle=self.cycle,
            by=p.chi,
            levels={self.cell_a.pk: a, self.cell_b.pk: b},
            decision=DECISION,
        )

    def test_it_opens_organisations_and_collectives(self) -> None:
        opened = UnitEvaluation.objects.filter(cycle=self.cycle)
        self.assertEqual(
            sorted((e.unit.code, e.kind) for e in opened),
            [
                ("CB-A", ORGANISATION),
                ("CB-B", ORGANISATION),
                ("DB-XA", COLLECTIVE),
                ("DB-XA", ORGANISATION),
            ],
        )
        self.assertTrue(all(e.step == Step.SELF_REVIEW for e in opened))

    def test_it_does_not_classify_a_unit_founded_within_six_months(self) -> None:
        new = make_unit(self.p.commune, code="CB-MOI", founded=dt.date(2026, 9, 1))
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        evaluation = unit_evaluation(new, self.cycle)
        self.assertEqual(
            (evaluation.step, evaluation.status), (Step.NOT_REVIEWED, "NOT_CLASSIFIED")
        )
        self.assertIn("6 tháng", evaluation.status_reason)  # R5

    def test_it_lets_only_the_units_committee_draft_its_report(self) -> None:
        data = report(regime_cycle=self.cycle)
        for outsider in (self.p.em, self.p.an, self.p.nobody):
            with self.subTest(outsider.username), self.assertRaises(PermissionDenied):
                units.save_unit_review(self.cell_a, by=outsider, version=0, data=data)
        saved = units.save_unit_review(self.cell_a, by=self.p.binh, version=0, data=data)
        self.assertEqual(saved.total_score, Decimal(93))
        with self.assertRaises(actions.DraftConflict):  # a copy read before that save
            units.save_unit_review(self.cell_a, by=self.p.binh, version=0, data=data)

    def test_it_refuses_to_submit_an_incomplete_report(self) -> None:
        empty = units.UnitReviewData()
        e = units.save_unit_review(self.cell_a, by=self.p.binh, version=0, data=empty)
        with self.assertRaises(actions.ReviewError) as refused:
            units.submit_unit_review(e, by=self.p.binh, version=e.version)
        self.assertIn("Ưu điểm", refused.exception.message)
        self.assertIn("Tự xếp loại", refused.exception.message)

    def test_it_decides_an_organisation_only_after_everything_below(self) -> None:
        p = self.p
        propose_unit(submit_unit(self.commune, p.chi), p.dung, Level.GOOD)
        with self.assertRaises(actions.ReviewError) as refused:
            units.decide_units(
                p.district,
                cycle=self.cycle,
                by=self.thuong,
                levels={self.commune.pk: Level.GOOD},
                decision=DECISION,
            )
        self.assertIn("còn 5 kết quả cấp dưới", refused.exception.message)  # 3 members, 2 cells
        self.assertIn("Chi bộ xóm 1", refused.exception.names)
        self.decided_cells()
        decided = units.decide_units(
            p.district,
            cycle=self.cycle,
            by=self.thuong,
            levels={self.commune.pk: Level.GOOD},
            decision=DECISION,
        )
        self.assertEqual(decided[0].level_decided, Level.GOOD)
        self.assertEqual(decided[0].status, Status.CLASSIFIED)

    def test_it_gives_each_step_to_its_body(self) -> None:
        p = self.p
        submit_unit(self.cell_a, p.binh)
        for outsider in (p.binh, p.em, self.thuong):  # the cell cannot propose its own level
            with self.subTest(outsider.username), self.assertRaises(PermissionDenied):
                propose_unit(self.cell_a, outsider, Level.GOOD)
        self.decide_members()
        propose_unit(self.cell_a, p.chi, Level.GOOD)
        with self.assertRaises(PermissionDenied):  # the district board examines, never decides
            units.decide_units(
                p.commune,
                cycle=self.cycle,
                by=p.dung,
                levels={self.cell_a.pk: Level.GOOD},
                decision=DECISION,
            )

    def test_it_keeps_organisation_groups_within_the_quota(self) -> None:
        self.decide_members()
        p = self.p
        propose_unit(submit_unit(self.cell_a, p.binh), p.chi, Level.EXCELLENT)
        propose_unit(submit_unit(self.cell_b, p.em), p.chi, Level.GOOD)
        both = {self.cell_a.pk: Level.EXCELLENT, self.cell_b.pk: Level.GOOD}
        with self.assertRaises(actions.QuotaBreach) as refused:  # 1 GOOD allows no EXCELLENT
            units.decide_units(
                p.commune, cycle=self.cycle, by=p.chi, levels=both, decision=DECISION
            )
        self.assertEqual(refused.exception.names, ("Chi bộ xóm 1",))
        exemption = actions.QuotaExemption("Chi bộ tiêu biểu của huyện", DECISION)
        units.decide_units(
            p.commune,
            cycle=self.cycle,
            by=p.chi,
            levels=both,
            decision=DECISION,
            exemption=exemption,
        )
        recorded = QuotaException.objects.get()
        self.assertEqual(
            (recorded.subject, recorded.field_type, recorded.excellent, recorded.allowed),
            (ORGANISATION, "COMMUNE", 1, 0),
        )
        # The members' quota of the commune is another group: its exception does not cover it.
        self.assertFalse(QuotaException.objects.covering(self.cycle, p.commune, 1).exists())
        groups = reports.report(p.district, self.cycle)["quota_groups"]
        self.assertEqual(
            [(g["subject"], g["group"], g["excellent"], g["exceptions"]) for g in groups],
            [("units", "DB-XA", 1, [DECISION.number]), ("members", "DB-XA", 0, [])],
        )
        standings = units.unit_quota_standings(p.district, self.cycle)
        self.assertEqual(
            [(d.code, key, r.good, r.excellent, r.allowed) for d, key, r in standings],
            [("DB-XA", (ORGANISATION, "COMMUNE"), 1, 1, 0)],
        )

    def test_the_regime_says_which_organisations_share_a_quota(self) -> None:
        self.decide_members()
        p = self.p
        Unit.objects.filter(pk=p.cell_b.pk).update(field_type=FieldType.ENTERPRISE)
        propose_unit(submit_unit(self.cell_a, p.binh), p.chi, Level.EXCELLENT)
        propose_unit(submit_unit(self.cell_b, p.em), p.chi, Level.GOOD)

        def standings() -> list[tuple[tuple[str, str], int, int]]:
            found = units.unit_quota_standings(p.district, self.cycle)
            return sorted((key, r.good, r.excellent) for _d, key, r in found)

        self.assertEqual(self.cycle.settings.unit_quota_group, UnitGroup.FIELD)
        self.assertEqual(
            standings(), [((ORGANISATION, "COMMUNE"), 0, 1), ((ORGANISATION, "ENTERPRISE"), 1, 0)]
        )
        regime = Regime(self.cycle.regime)
        every = dataclasses.replace(SETTINGS[regime], unit_quota_group=UnitGroup.ALL)
        with mock.patch.dict(SETTINGS, {regime: every}):
            self.assertEqual(standings(), [((ORGANISATION, ""), 1, 1)])
            groups = reports.report(p.district, self.cycle)["quota_groups"]
            self.assertIn("Đảng bộ xã Hoa Thành: Tổ chức đảng", [g["name"] for g in groups])
            with self.assertRaises(actions.QuotaBreach):  # one good allows no excellent
                units.decide_units(
                    p.commune,
                    cycle=self.cycle,
                    by=p.chi,
                    levels={self.cell_a.pk: Level.EXCELLENT, self.cell_b.pk: Level.GOOD},
                    decision=DECISION,
                )

    def test_it_lets_the_superior_appraise_adjust_and_reopen(self) -> None:
        self.decided_cells(a=Level.GOOD)
        p = self.p
        with self.assertRaises(PermissionDenied):  # the deciding committee does not appraise
            units.appraise_unit(self.cell_a, by=p.chi)
        with self.assertRaises(actions.ReviewError):
            units.appraise_unit(self.cell_a, by=p.dung, level=Level.COMPLETED)  # no reason
        e = units.appraise_unit(self.cell_a, by=p.dung, level=Level.COMPLETED, reason="Sai sót")
        self.assertEqual((e.step, e.level_final), (Step.APPRAISED, Level.COMPLETED))
        e = units.reopen_unit(e, by=p.dung, reason="Đơn khiếu nại của đảng viên")
        self.assertEqual((e.step, e.level_proposed, e.level_final), (Step.SUBMITTED, None, None))
        actions_taken = list(e.history.order_by("seq").values_list("action", flat=True))
        self.assertEqual(
            actions_taken,
            [Action.SUBMIT, Action.PROPOSE, Action.DECIDE, Action.ADJUST, Action.REOPEN],
        )
        self.assertEqual(list(history.verify()), [])

    def test_it_publishes_once_every_result_is_appraised(self) -> None:
        self.decided_cells()
        p = self.p
        with self.assertRaises(actions.ReviewError):
            units.publish_units(p.commune, cycle=self.cycle, by=p.chi)
        units.appraise_unit(self.cell_a, by=p.dung)
        units.appraise_unit(self.cell_b, by=p.dung)
        self.assertEqual(units.publish_units(p.commune, cycle=self.cycle, by=p.chi), 2)
        self.assertEqual(unit_evaluation(p.cell_a, self.cycle).step, Step.PUBLISHED)

    def test_history_verify_finds_a_unit_level_changed_without_a_row(self) -> None:
        self.decided_cells()
        UnitEvaluation.objects.filter(pk=self.cell_a.pk).update(level_decided=Level.EXCELLENT)
        problems = list(history.verify())
        self.assertTrue(any("level_decided" in line for line in problems), problems)


class UnitFactsTestCase(TestCase):
    """The facts below an organisation are computed from the records, never typed."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=self.cycle, by=p.chi)

    def drafted(self, unit_kind: UnitEvaluationKind = ORGANISATION, **fields: object) -> None:
        e = unit_evaluation(self.p.commune, self.cycle, unit_kind)
        data = report(general=29, task_results=66, regime_cycle=self.cycle, **fields)
        units.save_unit_review(e, by=self.p.chi, version=e.version, data=data)

    def test_it_forces_not_completed_when_sub_units_are_disciplined(self) -> None:  # R24
        self.drafted()
        cell = unit_evaluation(self.p.cell_a, self.cycle)
        units.record_conclusion(
            cell,
            by=self.p.chi,
            kind=ConclusionKind.DISCIPLINED,
            document_number="12-QĐ/UBKT",
            document_date=dt.date(2026, 6, 1),
            reason="Vi phạm quy định về quản lý tài chính",
        )
        verdict = unit_verdict(unit_evaluation(self.p.commune, self.cycle))
        self.assertEqual(verdict.level, Level.NOT_COMPLETED)
        self.assertIn("R24", {r.rule for r in verdict.reasons})

    def test_it_counts_the_discipline_of_the_leadership(self) -> None:  # R20
        self.drafted(COLLECTIVE)
        member = make_member(self.p.cell_a)
        Post.objects.create(
            member=member,
            kind=PostKind.PARTY,
            title="Phó Bí thư Đảng ủy",
            unit=self.p.commune,
            start=dt.date(2020, 1, 1),
        )
        make_discipline(member, dt.date(2026, 5, 1), DisciplineForm.REPRIMAND)
        verdict = unit_verdict(unit_evaluation(self.p.commune, self.cycle, COLLECTIVE))
        self.assertEqual(verdict.level, Level.GOOD)  # 95 points, but not EXCELLENT
        self.assertIn("R20", {r.rule for r in verdict.reasons})

    def test_it_forces_not_completed_on_a_concluded_disunity(self) -> None:  # R25
        self.drafted(COLLECTIVE)
        e = unit_evaluation(self.p.commune, self.cycle, COLLECTIVE)
        with self.assertRaises(PermissionDenied):  # the unit itself cannot record it
            units.record_conclusion(
                e,
                by=self.p.chi,
                kind=ConclusionKind.DISUNITY,
                document_number="5-KL/HU",
                document_date=dt.date(2026, 8, 1),
                reason="Mất đoàn kết trong Ban Thường vụ",
            )
        units.record_conclusion(
            e,
            by=make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, self.p.district),)),
            kind=ConclusionKind.DISUNITY,
            document_number="5-KL/HU",
            document_date=dt.date(2026, 8, 1),
            reason="Mất đoàn kết trong Ban Thường vụ",
        )
        self.assertIn("R25", rules_of(e))
        self.assertEqual(
            unit_verdict(unit_evaluation(self.p.commune, self.cycle, COLLECTIVE)).level,
            Level.NOT_COMPLETED,
        )

    def test_it_reads_key_targets_and_force_majeure(self) -> None:  # R10
        self.drafted(tasks_done=Decimal(40), key_targets_missed=True)
        e = unit_evaluation(self.p.commune, self.cycle)
        self.assertEqual(unit_verdict(e).level, Level.NOT_COMPLETED)
        self.assertIn("R10", rules_of(e))
        self.drafted(tasks_done=Decimal(40), key_targets_missed=True, force_majeure=True)
        self.assertNotIn("R10", rules_of(e))

    def test_it_reads_sub_results_and_peer_levels_under_hd21(self) -> None:  # R21, R22
        cycle = make_cycle(2018, Regime.HD21)
        cell = self.p.cell_a
        for level in (Level.GOOD, Level.COMPLETED, Level.COMPLETED):
            make_evaluation(make_member(cell), cycle, status=Status.CLASSIFIED, level_decided=level)
        grades = dict.fromkeys(cycle.settings.unit_criteria, "EXCELLENT")
        e = UnitEvaluation.objects.create(
            cycle=cycle,
            unit=cell,
            unit_path=cell.path,
            grades=grades,
            tasks_done=Decimal(100),
            tasks_exceeded=Decimal(40),
        )
        self.assertIn("R21", rules_of(e))  # 1 of 3 members GOOD or better: not 80 %
        units.record_peer_result(
            e,
            by=self.p.binh,
            kind=PeerKind.MASS,
            name="Chi hội Nông dân xóm 1",
            level=Level.COMPLETED,
            source="QĐ 3/QĐ-HND ngày 20/12/2018",
        )
        self.assertIn("R22", rules_of(e))
        self.assertEqual(unit_verdict(e).level, Level.GOOD)

    def test_it_forces_not_completed_on_a_leader_warned_under_hd21(self) -> None:  # R23
        cycle = make_cycle(2018, Regime.HD21)
        member = make_member(self.p.cell_a)
        Post.objects.create(
            member=member,
            kind=PostKind.PARTY,
            title="Bí thư Đảng ủy",
            unit=self.p.commune,
            start=dt.date(2015, 1, 1),
            end=dt.date(2018, 3, 1),  # left the post in the year: still counts for it
        )
        make_discipline(member, dt.date(2018, 2, 1), DisciplineForm.WARNING)
        e = UnitEvaluation.objects.create(
            cycle=cycle,
            unit=self.p.commune,
            kind=COLLECTIVE,
            unit_path=self.p.commune.path,
            grades=dict.fromkeys(cycle.settings.unit_criteria, "EXCELLENT"),
            tasks_done=Decimal(100),
            tasks_exceeded=Decimal(40),
        )
        self.assertIn("R23", rules_of(e))
        self.assertEqual(unit_verdict(e).level, Level.NOT_COMPLETED)

    def test_it_decides_after_the_peer_organisations_where_they_bind(self) -> None:  # R30
        cycle = make_cycle(2018, Regime.HD21)
        e = UnitEvaluation.objects.create(
            cycle=cycle, unit=self.p.commune, unit_path=self.p.commune.path
        )
        with self.assertRaises(actions.ReviewError) as refused:
            units.check_ordered(e)
        self.assertIn("Mặt trận Tổ quốc", refused.exception.message)
        units.record_peer_result(
            e,
            by=self.p.chi,
            kind=PeerKind.GOVERNMENT,
            name="Ủy ban nhân dân xã",
            level=Level.GOOD,
            source="QĐ 12/QĐ-UBND",
        )
        units.check_ordered(e)  # nothing below it waits in 2018 either
        with self.assertRaises(actions.ReviewError) as refused:  # QD366: R22 does not bind
            units.check_ordered(unit_evaluation(self.p.commune, self.cycle))
        self.assertIn("kết quả cấp dưới", refused.exception.message)

    def test_it_does_not_open_a_collective_for_a_cell_under_a_committee(self) -> None:
        kinds = set(
            UnitEvaluation.objects.filter(unit__kind=UnitKind.CELL).values_list("kind", flat=True)
        )
        self.assertEqual(kinds, {ORGANISATION})
