"""The pages of the review of leaders as leaders: each leader's page (report, the unit's
facts, the meeting in order, the later steps) and the decision page of the committee that
manages the cadres; who sees and does what on them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import TestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_member,
    make_personas,
    make_user,
    post_title,
)
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member, Post
from xeploai.reviews import actions
from xeploai.reviews.rules import member_form
from xeploai.reviews.sheets import spread

from .flow import SECTIONS

ORGANISATION = UnitEvaluationKind.ORGANISATION


class LeaderPagesTestCase(TestCase):
    p: Personas
    cycle: Cycle
    thuong: User

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        for member, name, unit, head in (
            (Member.objects.get(code="DV-BINH"), "Bí thư", p.commune, True),
            (p.an_member, "Phó Bí thư chi bộ", p.cell_a, False),
        ):
            t = post_title(name)
            Post.objects.create(
                member=member, kind=t.kind, title=t.name, post_title=t, unit=unit, head=head,
                start=dt.date(2021, 1, 1),
            )  # fmt: skip
        cls.thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
        cls.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)

    HEAD = "/kiem-diem/lanh-dao/2026/DB-XA/DV-BINH/"
    DEPUTY = "/kiem-diem/lanh-dao/2026/CB-A/DV-AN/"
    DECIDE = "/kiem-diem/lanh-dao/quyet-dinh/DB-HUYEN/?nam=2026"

    def report_payload(self, code: str, *, submit: bool = True) -> dict[str, Any]:
        e = LeaderEvaluation.objects.get(member__code=code)
        form = member_form(e.member, self.cycle)
        scores = spread(Decimal(28), form.general) | spread(Decimal(64), form.task_results)
        payload = {
            "report": "1",
            "version": str(e.version),
            "tasks_done": "100",
            "tasks_late": "0",
            "tasks_exceeded": "40",
            "level_self": str(Level.GOOD),
            **{f"section_{k}": v for k, v in SECTIONS.items()},
            **{f"score_{k}": str(v).replace(".", ",") for k, v in scores.items()},
        }
        if submit:
            payload["submit"] = "1"
        return payload

    def test_the_leaders_page_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(self.DEPUTY).status_code, 302)
        for user in (self.p.nobody, self.p.em):
            self.assertEqual(self.p.client(user).get(self.DEPUTY).status_code, 404)
            self.assertEqual(self.p.client(user).get(self.HEAD).status_code, 404)
        # An, her own; not her secretary's review at the commune.
        self.assertContains(self.p.client(self.p.an).get(self.DEPUTY), "Phó Bí thư chi bộ")
        self.assertEqual(self.p.client(self.p.an).get(self.HEAD).status_code, 404)
        for user in (self.p.binh, self.p.chi, self.p.dung, self.thuong):
            self.assertEqual(self.p.client(user).get(self.DEPUTY).status_code, 200, user)
        for user in (self.p.chi, self.p.dung, self.thuong, self.p.binh):
            self.assertEqual(self.p.client(user).get(self.HEAD).status_code, 200, user)
        # Only the leader writes the report; the page says nothing was saved to the others.
        r = self.p.client(self.p.binh).post(self.DEPUTY, self.report_payload("DV-AN"))
        self.assertContains(r, "Chỉ đồng chí Trần Thị An")
        self.assertEqual(LeaderEvaluation.objects.get(member__code="DV-AN").step, Step.SELF_REVIEW)

    def test_the_leader_writes_and_the_collective_proposes(self) -> None:
        client = self.p.client(self.p.an)
        r = client.post(self.DEPUTY, self.report_payload("DV-AN"), follow=True)
        self.assertContains(r, "Đã nộp bản kiểm điểm.")
        UnitEvaluation.objects.filter(unit=self.p.cell_a, kind=ORGANISATION).update(
            tasks_done=100, tasks_late=0, tasks_exceeded=40
        )
        proposal = {"step": "propose", "level": str(Level.GOOD), "conclusion": "Thống nhất"}
        self.assertEqual(self.p.client(self.p.an).post(self.DEPUTY, proposal).status_code, 403)
        self.assertEqual(LeaderEvaluation.objects.get(member__code="DV-AN").step, Step.SUBMITTED)
        r = self.p.client(self.p.binh).post(self.DEPUTY, proposal, follow=True)
        self.assertContains(r, "Đã ghi nhận.")
        e = LeaderEvaluation.objects.get(member__code="DV-AN")
        self.assertEqual((e.step, e.level_proposed), (Step.PROPOSED, Level.GOOD))
        self.assertContains(self.p.client(self.p.an).get(self.DEPUTY), "Thống nhất")

    def test_the_decision_page_shows_a_head_waiting_for_the_unit(self) -> None:
        self.p.client(self.p.binh).post(self.HEAD, self.report_payload("DV-BINH"))
        UnitEvaluation.objects.filter(unit=self.p.commune).update(step=Step.SUBMITTED)
        UnitEvaluation.objects.filter(unit=self.p.commune, kind=ORGANISATION).update(
            tasks_done=100, tasks_late=0, tasks_exceeded=40
        )
        proposal = {"step": "propose", "level": str(Level.GOOD), "conclusion": "Thống nhất"}
        self.p.client(self.p.chi).post(self.HEAD, proposal)
        head = LeaderEvaluation.objects.get(member__code="DV-BINH")
        self.assertEqual(head.step, Step.PROPOSED)
        page = self.p.client(self.thuong).get(self.DECIDE)
        self.assertContains(page, "Lê Văn Bình")
        self.assertContains(page, "Chưa có kết quả chính thức của đơn vị do đồng chí đứng đầu")
        decision = {"number": "15-QĐ/HU", "date": "2026-11-28", f"level_{head.pk}": "2"}
        r = self.p.client(self.thuong).post(self.DECIDE, decision)
        self.assertContains(r, "Chưa xếp loại được")
        self.assertEqual(LeaderEvaluation.objects.get(pk=head.pk).step, Step.PROPOSED)
        self.assertEqual(self.p.client(self.p.dung).post(self.DECIDE, decision).status_code, 403)
        UnitEvaluation.objects.filter(unit=self.p.commune, kind=ORGANISATION).update(
            step=Step.DECIDED, level_decided=Level.GOOD
        )
        r = self.p.client(self.thuong).post(self.DECIDE, decision, follow=True)
        self.assertContains(r, "Đã quyết định 1 kết quả.")
        self.assertEqual(LeaderEvaluation.objects.get(pk=head.pk).level_decided, Level.GOOD)
        # Bình's home links his review as a leader.
        home = self.p.client(self.p.binh).get("/")
        self.assertContains(home, "Kiểm điểm cán bộ lãnh đạo, quản lý: Bí thư")
        self.assertContains(home, self.HEAD)

    def test_the_pages_read_a_fixed_number_of_queries(self) -> None:
        client = self.p.client(self.p.chi)
        client.get(self.HEAD)
        with self.assertNumQueries(LEADER_PAGE):
            client.get(self.HEAD)
        decider = self.p.client(self.thuong)
        decider.get(self.DECIDE)
        with self.assertNumQueries(DECIDE_PAGE):
            decider.get(self.DECIDE)
        t = post_title("Phó Bí thư")
        for name in ("Đặng Văn Phó", "Hồ Thị Phó"):  # two deputies the district decides too
            deputy = make_member(self.p.cell_a, full_name=name)
            Post.objects.create(
                member=deputy, kind=t.kind, title=t.name, post_title=t, unit=self.p.commune,
                start=dt.date(2021, 1, 1),
            )  # fmt: skip
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        with self.assertNumQueries(DECIDE_PAGE):
            page = decider.get(self.DECIDE)
        self.assertContains(page, "Hồ Thị Phó")


LEADER_PAGE = 17  # with the released suggestions about the leader (S2)
DECIDE_PAGE = 16  # however many leaders are listed
