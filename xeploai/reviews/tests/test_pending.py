from __future__ import annotations

import datetime as dt

import time_machine
from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_member, make_personas
from xeploai.cycles.models import Cycle, Level, MemberEvaluation
from xeploai.reviews import actions

from .flow import evaluation_of, meet, propose, submit

URL = "/kiem-diem/tien-do/"
PENDING_QUERIES = 11
CELL_PENDING_QUERIES = 20


class PendingTestCase(TestCase):
    """The pending dashboard: counts per step against the deadlines, down to the names."""

    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        make_member(p.cell_b, full_name="Đỗ Văn Chậm")
        cls.cycle = make_cycle(2026, self_review_due=dt.date(2026, 12, 5))
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)
        meet(p.cell_a, cls.cycle, p.binh)
        propose(submit(evaluation_of(p.an_member, cls.cycle), p.an), p.binh, Level.GOOD)

    def get(self, user: object, code: str) -> object:
        return self.p.client(user).get(f"{URL}{code}/")  # type: ignore[arg-type]

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.get(None, "DB-XA").status_code, 302)  # type: ignore[attr-defined]
        for user, code in ((self.p.nobody, "DB-XA"), (self.p.em, "DB-XA"), (self.p.em, "CB-A")):
            self.assertEqual(self.get(user, code).status_code, 404)  # type: ignore[attr-defined]
        self.assertEqual(self.get(self.p.an, "CB-A").status_code, 404)  # type: ignore[attr-defined]
        for user in (self.p.chi, self.p.dung):
            self.assertContains(self.get(user, "DB-XA"), "Chi bộ xóm 1")  # type: ignore[arg-type]
        self.assertContains(self.get(self.p.binh, "CB-A"), "Lê Văn Bình")  # type: ignore[arg-type]

    def test_it_counts_each_step_per_sub_unit(self) -> None:
        r = self.get(self.p.chi, "DB-XA")
        cells = {u.code: c for u, c in r.context["lines"]}  # type: ignore[attr-defined]
        self.assertEqual([n for _s, n, _l in cells["CB-A"]][:3], [1, 0, 1])  # Bình; An proposed
        self.assertEqual([n for _s, n, _l in cells["CB-B"]][:1], [2])  # Em and Chậm
        self.assertEqual([n for _s, n, _l in r.context["total"]][:3], [3, 0, 1])  # type: ignore[attr-defined]

    def test_it_marks_what_is_overdue(self) -> None:
        with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)):
            self.assertNotContains(self.get(self.p.chi, "DB-XA"), '<td class="late">')  # type: ignore[arg-type]
        with time_machine.travel(dt.datetime(2026, 12, 8, tzinfo=dt.UTC)):
            self.assertContains(self.get(self.p.chi, "DB-XA"), '<td class="late">', count=3)  # type: ignore[arg-type]

    def test_it_lists_who_is_waiting_in_a_cell(self) -> None:
        r = self.get(self.p.em, "CB-B")
        self.assertContains(r, "Đỗ Văn Chậm")  # type: ignore[arg-type]
        self.assertContains(r, "Đang tự kiểm điểm")  # type: ignore[arg-type]


class OpenCyclePageTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)

    def test_it_opens_the_cycle_for_a_subtree(self) -> None:
        url = "/kiem-diem/mo-ky/DB-XA/"
        self.assertContains(self.p.client(self.p.chi).get(f"{URL}DB-XA/"), "3 đảng viên chưa có")
        self.assertEqual(self.p.client(None).post(url).status_code, 302)
        for user in (self.p.nobody, self.p.em, self.p.an):
            self.assertEqual(self.p.client(user).post(url).status_code, 404)
        self.assertEqual(self.p.client(self.p.binh).post("/kiem-diem/mo-ky/CB-A/").status_code, 403)
        self.assertFalse(MemberEvaluation.objects.exists())
        r = self.p.client(self.p.chi).post(url, follow=True)
        self.assertContains(r, "Đã mở kỳ đánh giá cho 3 đảng viên")
        self.assertNotContains(r, "chưa có phiếu đánh giá")


class PendingQueriesTestCase(TestCase):
    def test_the_dashboard_reads_a_pinned_number_of_queries_however_many_members(self) -> None:
        p = make_personas()
        cycle = make_cycle(2026, self_review_due=dt.date(2026, 12, 5))
        actions.open_cycle(p.commune, cycle=cycle, by=p.chi)
        client = p.client(p.dung)
        for code, queries in (("DB-HUYEN", PENDING_QUERIES), ("CB-A", CELL_PENDING_QUERIES)):
            client.get(f"{URL}{code}/")
            with self.assertNumQueries(queries):
                self.assertEqual(client.get(f"{URL}{code}/").status_code, 200)
        for n in range(3):
            actions.enrol(make_member(p.cell_a, full_name=f"Đảng viên {n}"), cycle=cycle)
        for code, queries in (("DB-HUYEN", PENDING_QUERIES), ("CB-A", CELL_PENDING_QUERIES)):
            with self.assertNumQueries(queries):
                self.assertEqual(client.get(f"{URL}{code}/").status_code, 200)
