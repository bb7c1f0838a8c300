from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from xeploai.accounts.models import User
from xeploai.core.testing import (
    make_cycle,
    make_discipline,
    make_member,
    make_personas,
    make_unit,
    sign_in,
)
from xeploai.cycles.models import Cycle, MemberEvaluation, Status, Step, UnitEvaluation
from xeploai.members.models import Member, StateLevel, StateResult, StatusKind, StatusPeriod
from xeploai.reviews import actions
from xeploai.reviews.actions import opening, units
from xeploai.rules import classify_member, classify_unit
from xeploai.units.models import UnitKind


class OpenCycleTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)

    def test_it_creates_one_evaluation_per_member_in_scope(self) -> None:
        created = actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertEqual(created, 3)
        rows = MemberEvaluation.objects.filter(cycle=self.cycle)
        self.assertEqual({e.step for e in rows}, {Step.SELF_REVIEW})
        self.assertEqual(rows.get(member=self.p.an_member).unit_path, self.p.cell_a.path)
        # Opening again adds nobody twice.
        self.assertEqual(actions.open_cycle(self.p.district, cycle=self.cycle, by=self.p.dung), 0)

    def test_it_opens_a_batch_of_members_at_a_time_and_misses_none(self) -> None:
        em_member = Member.objects.get(code="DV-EM")  # the last read, in the second batch
        StatusPeriod.objects.create(
            member=em_member, kind=StatusKind.EXEMPT, start=dt.date(2020, 1, 1),
            reason="Tuổi cao",
        )  # fmt: skip
        with mock.patch.object(opening, "BATCH", 2):
            created = actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertEqual(created, 3)
        em = MemberEvaluation.objects.get(cycle=self.cycle, member=em_member)
        self.assertEqual(em.status, Status.EXEMPT)  # read with its own batch's records

    def test_it_records_at_once_who_is_not_reviewed(self) -> None:
        new = make_member(self.p.cell_a, admitted=dt.date(2026, 9, 1))
        exempt = make_member(self.p.cell_a)
        StatusPeriod.objects.create(
            member=exempt, kind=StatusKind.EXEMPT, start=dt.date(2025, 1, 1), reason="Tuổi cao"
        )
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        e = MemberEvaluation.objects.get(member=exempt)
        self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.EXEMPT))
        self.assertIn("Tuổi cao", e.status_reason)
        e = MemberEvaluation.objects.get(member=new)
        self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.NOT_CLASSIFIED))
        self.assertIn("6 tháng", e.status_reason)

    def test_units_alike_cost_one_verdict_each_kind(self) -> None:
        young = [make_unit(self.p.commune, founded=dt.date(2026, 10, 1)) for _n in range(3)]
        asked = mock.patch.object(units, "classify_unit", wraps=classify_unit)
        with asked as classify:
            actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        rows = UnitEvaluation.objects.filter(cycle=self.cycle)
        # The commune as an organisation and as a collective, the old cells, the young ones.
        self.assertEqual((classify.call_count, rows.count()), (4, 7))
        for e in rows.filter(unit__in=young):
            self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.NOT_CLASSIFIED))
            self.assertTrue(e.status_reason)
        old = rows.exclude(unit__in=young)
        self.assertEqual(
            set(old.values_list("step", "status", "status_reason")),
            {(Step.SELF_REVIEW, Status.PENDING, "")},
        )

    def test_it_lets_a_later_member_join(self) -> None:
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        late = make_member(self.p.cell_b)
        e = actions.enrol(late, cycle=self.cycle)
        self.assertEqual((e.cell, e.step), (self.p.cell_b, Step.SELF_REVIEW))
        self.assertEqual(actions.enrol(late, cycle=self.cycle), e)

    def test_its_queries_do_not_grow_with_the_members(self) -> None:
        def opening(cycle: Cycle) -> int:
            with CaptureQueriesContext(connection) as queries:
                chi = User.objects.get(pk=self.p.chi.pk)  # her roles read afresh each time
                actions.open_cycle(self.p.commune, cycle=cycle, by=chi)
            return len(queries)

        make_discipline(self.p.an_member, dt.date(2024, 3, 1))  # every prefetch has rows
        few = opening(self.cycle)
        for n in range(12):  # each with their discipline and their state result
            member = make_member(self.p.cell_b if n % 2 else self.p.cell_a)
            make_discipline(member, dt.date(2024, 3, 1))
            StateResult.objects.create(
                member=member, year=2027, level=StateLevel.GOOD, decision_number=f"{n}/QĐ",
                decision_date=dt.date(2027, 12, 1),
            )  # fmt: skip
        self.assertEqual(opening(make_cycle(2027)), few)
        self.assertEqual(MemberEvaluation.objects.filter(cycle__year=2027).count(), 15)

    def test_members_with_the_same_facts_cost_one_verdict(self) -> None:
        admitted = dt.date(2010, 5, 19)
        Member.objects.update(admitted=admitted)
        for _n in range(5):
            make_member(self.p.cell_b, admitted=admitted)
        exempt = make_member(self.p.cell_b, admitted=admitted)
        StatusPeriod.objects.create(
            member=exempt, kind=StatusKind.EXEMPT, start=dt.date(2025, 1, 1), reason="Ốm"
        )
        asked = mock.patch.object(opening, "classify_member", wraps=classify_member)
        with asked as classify:
            created = actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.assertEqual((created, classify.call_count), (9, 2))  # the plain, the exempt
        rows = MemberEvaluation.objects.filter(cycle=self.cycle)
        self.assertEqual(rows.filter(status=Status.EXEMPT).get().member, exempt)
        self.assertEqual(rows.filter(step=Step.SELF_REVIEW).count(), 8)

    def test_it_is_refused_without_the_power(self) -> None:
        for user in (self.p.binh, self.p.an, self.p.nobody):
            with self.assertRaises(PermissionDenied):
                actions.open_cycle(self.p.commune, cycle=self.cycle, by=user)
        self.assertFalse(MemberEvaluation.objects.exists())


class FollowMemberTestCase(TestCase):
    """Members added or moved after the cycle opened follow it (R7)."""

    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        admin = User.objects.create_superuser("quantri", password="x")  # noqa: S106
        self.admin = sign_in(Client(), admin)

    def test_it_enrols_a_member_added_in_the_admin(self) -> None:
        self.admin.post(
            "/quan-tri/members/member/add/",
            {
                "code": "DV-MOI",
                "full_name": "Hà Văn Mới",
                "birth_date": "01/02/1990",
                "gender": "M",
                "cell": self.p.cell_b.pk,
                "admitted": "01/02/2015",
                **{
                    f"{prefix}-{k}": v
                    for prefix in ("posts", "status_periods", "disciplines")
                    for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
                },
            },
        )
        e = MemberEvaluation.objects.get(member__code="DV-MOI", cycle=self.cycle)
        self.assertEqual((e.cell, e.step), (self.p.cell_b, Step.SELF_REVIEW))

    def test_it_moves_the_evaluation_with_a_transfer_before_the_proposal(self) -> None:
        self.admin.post(
            "/quan-tri/members/transfer/add/",
            {
                "member": self.p.an_member.pk,
                "from_cell": self.p.cell_a.pk,
                "to_cell": self.p.cell_b.pk,
                "date": "01/10/2026",
            },
        )
        e = MemberEvaluation.objects.get(member=self.p.an_member, cycle=self.cycle)
        self.assertEqual((e.cell, e.unit_path), (self.p.cell_b, self.p.cell_b.path))

    def test_it_leaves_a_member_of_a_subtree_not_yet_opened(self) -> None:
        other = make_unit(self.p.district, kind=UnitKind.GRASSROOTS_CELL, code="CB-CS")
        self.assertIsNone(actions.follow_member(make_member(other)))

    def test_it_takes_out_of_the_review_a_member_exempted_later(self) -> None:
        StatusPeriod.objects.create(
            member=self.p.an_member, kind=StatusKind.EXEMPT, start=dt.date(2026, 9, 1)
        )
        e = actions.follow_member(self.p.an_member)
        assert e is not None
        self.assertEqual((e.step, e.status), (Step.NOT_REVIEWED, Status.EXEMPT))
        StatusPeriod.objects.all().delete()
        e = actions.follow_member(self.p.an_member)
        assert e is not None
        self.assertEqual((e.step, e.status), (Step.SELF_REVIEW, Status.PENDING))

    def test_it_takes_out_a_member_who_left_the_party(self) -> None:
        self.p.an_member.left = dt.date(2026, 10, 1)
        self.p.an_member.save()
        e = actions.follow_member(self.p.an_member)
        assert e is not None
        self.assertEqual(e.step, Step.NOT_REVIEWED)
        self.assertIn("Ra khỏi Đảng ngày 01/10/2026", e.status_reason)
