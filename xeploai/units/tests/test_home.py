from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    make_user,
)
from xeploai.cycles.models import Cycle, Level, Step
from xeploai.reviews import actions
from xeploai.reviews.models import FollowUp
from xeploai.reviews.tests.flow import DECISION, evaluation_of, meet, propose, submit
from xeploai.rules import Regime

# Before the first deadline; after the self-review's and the meeting's, before the decision's.
EARLY = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC)
# What each persona's home costs with the cycle open, whatever the size of their subtree: the
# member's own rows, the cells' rows and the subtrees' counts each in a fixed number of reads.
# One query more for each role taking part in the review of organisations (their home card).
# One each reads the superior's suggestions sent to the user or their unit (oversight); none
# for Dũng, who answers for no report and is no member.
QUERIES = {"an": 14, "binh": 23, "chi": 15, "dung": 14, "em": 23, "nobody": 5}


def past_results(p: Personas) -> None:
    """An's published 2025 result and the weaknesses found in 2024 and 2025."""
    y2024 = make_cycle(2024, Regime.QD124, closed=True)
    y2025 = make_cycle(2025, closed=True)
    make_evaluation(
        p.an_member,
        y2025,
        step=Step.PUBLISHED,
        level_final=Level.EXCELLENT,
        score_task_results=Decimal("64.8"),
    )
    for cycle, text, fixed in (
        (y2024, "Chưa tham gia đầy đủ sinh hoạt chi bộ", False),
        (y2024, "Chậm nộp đảng phí", True),  # fixed before 2025: the form no longer asks
        (y2025, "Còn chậm trễ khi báo cáo", False),
        (y2025, "Ý thức tự học chưa cao", True),
    ):
        FollowUp.objects.create(member=p.an_member, cycle=cycle, text=text, fixed=fixed)


class HomeTestCase(TestCase):
    """The 2026 cycle open in the commune: An has not started, Bình's result is decided, Muộn's
    proposed; in cell B Em has submitted and Chậm has not."""

    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        past_results(p)
        muon = make_member(p.cell_a, full_name="Hồ Văn Muộn")
        make_member(p.cell_b, full_name="Đỗ Văn Chậm")
        cls.cycle = make_cycle(
            2026,
            self_review_due=dt.date(2026, 12, 5),
            meeting_due=dt.date(2026, 12, 15),
            decision_due=dt.date(2026, 12, 25),
            appraisal_due=dt.date(2027, 1, 15),
        )
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)
        meet(p.cell_a, cls.cycle, p.binh)
        assert p.binh.member is not None and p.em.member is not None
        binh = propose(submit(evaluation_of(p.binh.member, cls.cycle), p.binh), p.binh, Level.GOOD)
        propose(submit(evaluation_of(muon, cls.cycle), p.binh), p.binh, Level.GOOD)
        actions.decide(
            p.commune, cycle=cls.cycle, by=p.chi, levels={binh.pk: Level.GOOD}, decision=DECISION
        )
        submit(evaluation_of(p.em.member, cls.cycle), p.em)

    def home(self, user: User | None) -> Any:
        return self.p.client(user).get("/")

    def test_it_sends_anonymous_users_to_login(self) -> None:
        self.assertEqual(self.home(None).status_code, 302)

    def test_it_starts_the_tree_at_the_top_of_each_scope(self) -> None:
        expected = {
            self.p.dung: "Đảng bộ huyện Yên Thành",
            self.p.chi: "Đảng bộ xã Hoa Thành",
            self.p.binh: "Chi bộ xóm 1",
            self.p.an: "Chi bộ xóm 1",
            self.p.em: "Chi bộ xóm 2",
        }
        for user, top in expected.items():
            r = self.home(user)
            self.assertEqual([u.name for u in r.context["units"]], [top])

    def test_it_shows_nothing_to_a_user_without_a_role(self) -> None:
        r = self.home(self.p.nobody)
        self.assertContains(r, "chưa được giao vai trò")
        self.assertNotContains(r, "Việc cần làm")

    def test_it_starts_a_members_home_with_their_self_review(self) -> None:
        r = self.home(self.p.an)
        self.assertContains(r, "Bản tự kiểm điểm năm 2026")
        self.assertContains(r, "Đang tự kiểm điểm")
        self.assertContains(r, "Hạn nộp: 05/12/2026")
        self.assertContains(r, '<a class="button primary" href="/kiem-diem/2026/DV-AN/">Làm</a>')
        html = r.content.decode()
        self.assertLess(html.index('id="own"'), html.index('class="tree root"'))
        # A member holds no role: nothing of the cell's review, nobody else's name.
        self.assertNotContains(r, "Lê Văn Bình")
        self.assertNotContains(r, "Hồ Văn Muộn")

    def test_it_says_when_the_member_is_late(self) -> None:
        with time_machine.travel(EARLY):
            self.assertNotContains(self.home(self.p.an), "quá hạn")
        with time_machine.travel(LATE):
            self.assertContains(self.home(self.p.an), '<span class="late">quá hạn</span>')

    def test_it_offers_to_go_on_with_a_draft_then_to_see_what_was_submitted(self) -> None:
        e = evaluation_of(self.p.an_member, self.cycle)
        draft = actions.SelfReviewData(sections={"strengths": "Hoàn thành tốt công việc"})
        e = actions.save_self_review(e, by=self.p.an, version=e.version, data=draft)
        self.assertContains(self.home(self.p.an), ">Tiếp tục</a>")
        submit(e, self.p.an)
        r = self.home(self.p.an)
        self.assertContains(r, ">Xem</a>")
        self.assertContains(r, "Đã nộp bản kiểm điểm")
        self.assertNotContains(r, "Hạn nộp")

    def test_it_shows_last_years_result_in_words(self) -> None:
        r = self.home(self.p.an)
        self.assertContains(r, "Kết quả xếp loại năm 2025")
        self.assertContains(r, "<strong>Hoàn thành xuất sắc nhiệm vụ</strong>")
        self.assertContains(r, "(92,8 điểm)")

    def test_it_lists_the_weaknesses_to_fix_and_whether_they_are_fixed(self) -> None:
        r = self.home(self.p.an)
        items = [f.text for f in r.context["work"].own.follow_ups]
        self.assertEqual(
            items,
            [
                "Chưa tham gia đầy đủ sinh hoạt chi bộ",
                "Còn chậm trễ khi báo cáo",
                "Ý thức tự học chưa cao",
            ],
        )
        self.assertContains(r, "chỉ ra năm 2024")
        self.assertContains(r, "<strong>chưa khắc phục</strong>", count=2)
        self.assertContains(r, "đã khắc phục", count=1)

    def test_it_shows_a_secretary_the_cells_review_and_who_is_late(self) -> None:
        with time_machine.travel(EARLY):
            self.assertEqual(self.home(self.p.binh).context["work"].cells[0].late, [])
        with time_machine.travel(LATE):
            r = self.home(self.p.binh)
        (cell,) = r.context["work"].cells
        self.assertEqual((cell.reviewed, cell.submitted, cell.proposed), (3, 2, 2))
        self.assertContains(r, "Kiểm điểm đảng viên — Chi bộ xóm 1")
        self.assertContains(r, "đã họp ngày 20/11/2026")
        self.assertContains(r, '<a class="button" href="/kiem-diem/chi-bo/CB-A/?nam=2026">')
        # An has not submitted by 05/12; Muộn, proposed, waits on the committee, not the cell,
        # even once the decision is late.
        self.assertEqual([(x.name, x.step) for x in cell.late], [("Trần Thị An", Step.SELF_REVIEW)])
        with time_machine.travel(dt.datetime(2026, 12, 28, tzinfo=dt.UTC)):
            (later,) = self.home(self.p.binh).context["work"].cells
        self.assertEqual([x.name for x in later.late], ["Trần Thị An"])
        self.assertContains(r, "Trần Thị An — Đang tự kiểm điểm")
        self.assertContains(r, "(hạn 05/12/2026)")

    def test_it_lists_the_tasks_of_every_role_the_user_holds(self) -> None:
        html = self.home(self.p.binh).content.decode()
        # Bình is a member of cell A and its secretary: his own review first, then the cell's.
        own, cell = html.index('id="own"'), html.index("Kiểm điểm đảng viên — Chi bộ xóm 1")
        self.assertLess(own, cell)
        self.assertLess(cell, html.index('class="tree root"'))

    def test_it_shows_em_nothing_of_cell_a(self) -> None:
        with time_machine.travel(LATE):
            r = self.home(self.p.em)
        self.assertContains(r, "Kiểm điểm đảng viên — Chi bộ xóm 2")
        self.assertContains(r, "Đỗ Văn Chậm — Đang tự kiểm điểm")
        self.assertContains(r, "Phạm Văn Em — Đã nộp bản kiểm điểm")
        self.assertContains(r, "chưa họp")
        for text in ("Chi bộ xóm 1", "CB-A", "Trần Thị An", "Lê Văn Bình", "Hồ Văn Muộn"):
            self.assertNotContains(r, text)

    def test_it_shows_a_grassroots_committee_what_waits_for_its_decision(self) -> None:
        with time_machine.travel(LATE):
            r = self.home(self.p.chi)
        (subtree,) = r.context["work"].subtrees
        self.assertEqual(subtree.unit, self.p.commune)
        self.assertEqual(
            [(w.unit.code, w.to_decide, w.to_appraise) for w in subtree.waiting],
            [("DB-XA", 1, 0)],  # Muộn's proposal; Bình's decided result waits on the district
        )
        self.assertContains(r, '<a href="/kiem-diem/quyet-dinh/DB-XA/?nam=2026">1 chờ quyết định')
        self.assertNotContains(r, "chờ thẩm định")
        # Late in the subtree, in counts: An and Chậm at their self-review, Em at the meeting.
        self.assertEqual(
            [(x.step, x.count) for x in subtree.late], [(Step.SELF_REVIEW, 2), (Step.SUBMITTED, 1)]
        )
        self.assertContains(r, "Đang tự kiểm điểm: 2 đảng viên")
        self.assertNotContains(r, "Trần Thị An")
        self.assertContains(r, '<a class="button" href="/kiem-diem/tien-do/DB-XA/?nam=2026">')

    def test_it_shows_the_district_what_waits_for_its_appraisal(self) -> None:
        with time_machine.travel(EARLY):
            r = self.home(self.p.dung)
        (subtree,) = r.context["work"].subtrees
        self.assertEqual(subtree.unit, self.p.district)
        self.assertEqual(
            [(w.unit.code, w.to_decide, w.to_appraise) for w in subtree.waiting], [("DB-XA", 0, 1)]
        )
        self.assertContains(r, '<a href="/kiem-diem/tham-dinh/DB-XA/?nam=2026">1 chờ thẩm định')
        self.assertEqual(subtree.late, [])  # before the first deadline
        self.assertNotContains(r, "Quá hạn")

    @time_machine.travel(EARLY)  # nobody late yet: a late name adds the log's INSERT
    def test_it_pins_the_query_count_of_each_persona(self) -> None:
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung, self.p.em, self.p.nobody):
            client = self.p.client(user)
            client.get("/")  # warm the session
            with self.subTest(user=user.username), self.assertNumQueries(QUERIES[user.username]):
                client.get("/")

    def test_it_costs_the_same_queries_when_the_subtree_grows(self) -> None:
        for _n in range(20):
            make_member(self.p.cell_a)
        cell = make_unit(self.p.commune, code="CB-C", name="Chi bộ xóm 3")
        members = [make_member(cell) for _n in range(30)]
        secretary = make_user("xuan", roles=((RoleKind.CELL_SECRETARY, cell),))
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        meet(cell, self.cycle, secretary, summoned=30, present=30)
        for member in members[:10]:
            propose(submit(evaluation_of(member, self.cycle), secretary), secretary, Level.GOOD)
        for user in (self.p.binh, self.p.chi, self.p.dung):
            client = self.p.client(user)
            client.get("/")
            with self.subTest(user=user.username), self.assertNumQueries(QUERIES[user.username]):
                client.get("/")
        work = self.home(self.p.dung).context["work"]
        self.assertEqual([w.to_appraise for w in work.subtrees[0].waiting], [1])
        self.assertEqual(
            [w.to_decide for w in self.home(self.p.chi).context["work"].subtrees[0].waiting], [11]
        )

    def test_it_reads_evaluations_only_by_member_cell_or_path_range(self) -> None:
        """Every read of evaluations is bound to the user's own record, their cells or a role's
        subtree by its path range: what it costs follows what the user reaches, not the table."""
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung, self.p.em):
            roles = list(user.roles.select_related("unit"))
            bounds = [f"LIKE '{r.unit.path}%'" for r in roles]
            bounds += [f'"cell_id" IN ({r.unit_id})' for r in roles]
            bounds += [f'"member_id" = {user.member_id}'] if user.member_id else []
            with CaptureQueriesContext(connection) as queries:
                self.home(user)
            reads = [q["sql"] for q in queries if 'FROM "cycles_memberevaluation"' in q["sql"]]
            self.assertTrue(reads)
            for sql in reads:
                self.assertTrue(any(b in sql for b in bounds), f"{user.username}: {sql}")


class HomeWithoutCycleTestCase(TestCase):
    """No cycle open: the member's last result and what to fix remain; the roles wait."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        past_results(cls.p)

    def home(self, user: User) -> Any:
        return self.p.client(user).get("/")

    def test_it_shows_a_member_their_last_result_and_what_to_fix(self) -> None:
        r = self.home(self.p.an)
        self.assertContains(r, "Hiện chưa có kỳ đánh giá nào đang mở.")
        self.assertNotContains(r, 'class="button primary"')
        self.assertContains(r, "Kết quả xếp loại năm 2025")
        self.assertContains(r, "<strong>Hoàn thành xuất sắc nhiệm vụ</strong>")
        self.assertContains(r, "(92,8 điểm)")
        items = [(f.text, f.fixed) for f in r.context["work"].own.follow_ups]
        self.assertEqual(
            items,
            [
                ("Chưa tham gia đầy đủ sinh hoạt chi bộ", False),
                ("Còn chậm trễ khi báo cáo", False),
                ("Ý thức tự học chưa cao", True),
            ],
        )

    def test_it_says_the_roles_have_nothing_waiting(self) -> None:
        for user, title in (
            (self.p.binh, "Kiểm điểm đảng viên — Chi bộ xóm 1"),
            (self.p.em, "Kiểm điểm đảng viên — Chi bộ xóm 2"),
            (self.p.chi, "Đảng bộ xã Hoa Thành</h2>"),
            (self.p.dung, "Đảng bộ huyện Yên Thành</h2>"),
        ):
            r = self.home(user)
            self.assertContains(r, title)
            self.assertContains(r, "Hiện chưa có kỳ đánh giá nào đang mở.")
            self.assertNotContains(r, "/kiem-diem/")

    def test_it_says_when_the_open_cycle_has_not_reached_the_cell(self) -> None:
        make_cycle(2026)
        r = self.home(self.p.an)
        self.assertContains(r, "Kỳ đánh giá năm 2026 chưa mở cho chi bộ của đồng chí.")
        self.assertContains(r, "Kết quả xếp loại năm 2025")
        self.assertContains(self.home(self.p.binh), "Kỳ đánh giá năm 2026 chưa mở cho chi bộ này.")

    @time_machine.travel(EARLY)  # nobody late yet: a late name adds the log's INSERT
    def test_it_pins_the_query_count_of_each_persona(self) -> None:
        expected = {"an": 12, "binh": 12, "chi": 10, "dung": 10, "em": 12, "nobody": 5}
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung, self.p.em, self.p.nobody):
            client = self.p.client(user)
            client.get("/")  # warm the session
            with self.subTest(user=user.username), self.assertNumQueries(expected[user.username]):
                client.get("/")
