from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_personas, make_unit
from xeploai.cycles.models import Level, Step
from xeploai.members.models import Transfer
from xeploai.reviews import actions
from xeploai.reviews.models import FollowUp, InputKind, LevelChange
from xeploai.reviews.rules import missing_inputs
from xeploai.units.models import FieldType

from .flow import evaluation_of, meet, propose, submit


class ProposeTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.evaluation = submit(evaluation_of(self.p.an_member, self.cycle), self.p.an)

    def test_it_needs_a_meeting_with_a_quorum(self) -> None:
        with self.assertRaisesMessage(actions.ReviewError, "Chưa ghi nhận cuộc họp"):
            propose(self.evaluation, self.p.binh, Level.GOOD)
        with self.assertRaisesMessage(actions.ReviewError, "hai phần ba"):
            meet(self.p.cell_a, self.cycle, self.p.binh, summoned=3, present=1)
        with self.assertRaisesMessage(actions.ReviewError, "lý do"):
            actions.record_meeting(
                self.p.cell_a,
                cycle=self.cycle,
                by=self.p.binh,
                data=actions.MeetingData(
                    dt.date(2026, 11, 20), "Bình", 3, 2, absences=[{"member": "DV-X", "reason": ""}]
                ),
            )

    def test_it_proposes_and_records_history_and_follow_up(self) -> None:
        meet(self.p.cell_a, self.cycle, self.p.binh)
        actions.propose(
            self.evaluation,
            by=self.p.binh,
            data=actions.ProposalData(
                level=Level.GOOD,
                conclusion="Hoàn thành tốt",
                votes={Level.GOOD: 2, Level.EXCELLENT: 1},
                weaknesses=["Chưa tích cực tham gia sinh hoạt khu dân cư", " "],
            ),
        )
        self.evaluation.refresh_from_db()
        self.assertEqual(
            (self.evaluation.step, self.evaluation.level_proposed), (Step.PROPOSED, Level.GOOD)
        )
        row = LevelChange.objects.filter(evaluation=self.evaluation).last()
        assert row is not None
        self.assertEqual((row.level_from, row.level_to), (Level.EXCELLENT, Level.GOOD))
        self.assertEqual(
            list(FollowUp.objects.values_list("text", flat=True)),
            ["Chưa tích cực tham gia sinh hoạt khu dân cư"],
        )
        self.assertEqual(self.evaluation.proposal.votes, {"2": 2, "1": 1})

    def test_it_refuses_more_votes_than_members_present(self) -> None:
        meet(self.p.cell_a, self.cycle, self.p.binh)
        with self.assertRaisesMessage(actions.ReviewError, "Tổng số phiếu"):
            actions.propose(
                self.evaluation,
                by=self.p.binh,
                data=actions.ProposalData(Level.GOOD, "Tốt", votes={Level.GOOD: 4}),
            )

    def test_it_refuses_a_level_above_what_the_rules_allow(self) -> None:
        self.evaluation.tasks_exceeded = Decimal(10)  # R20: EXCELLENT needs 30 % exceeded
        self.evaluation.save()
        meet(self.p.cell_a, self.cycle, self.p.binh)
        with self.assertRaisesMessage(
            actions.ReviewError, "tối đa “Hoàn thành tốt nhiệm vụ”"
        ) as raised:
            propose(self.evaluation, self.p.binh, Level.EXCELLENT)
        self.assertIn("R20", [r.rule for r in raised.exception.reasons])

    def test_it_waits_for_every_required_input(self) -> None:
        office = make_unit(self.p.commune, code="CB-UB", field_type=FieldType.ADMINISTRATION)
        Transfer.objects.create(
            member=self.p.an_member,
            from_cell=office,
            to_cell=self.p.cell_a,
            date=dt.date(2026, 8, 1),
        )
        self.assertEqual([r.kind for r in missing_inputs(self.evaluation)], [InputKind.OLD_CELL])
        meet(self.p.cell_a, self.cycle, self.p.binh)
        with self.assertRaisesMessage(actions.ReviewError, "ý kiến tham gia") as raised:
            propose(self.evaluation, self.p.binh, Level.GOOD)
        self.assertIn(office.name, raised.exception.names[0])
        actions.add_input(
            self.evaluation,
            by=self.p.binh,
            kind=InputKind.OLD_CELL,
            source=office.name,
            text="Hoàn thành tốt nhiệm vụ",
            from_paper=True,
        )
        self.assertEqual(propose(self.evaluation, self.p.binh, Level.GOOD).step, Step.PROPOSED)

    def test_it_is_refused_to_other_cells_and_levels(self) -> None:
        meet(self.p.cell_a, self.cycle, self.p.binh)
        for user in (self.p.em, self.p.an, self.p.chi, self.p.dung):
            with self.assertRaises(PermissionDenied):
                propose(self.evaluation, user, Level.GOOD)
