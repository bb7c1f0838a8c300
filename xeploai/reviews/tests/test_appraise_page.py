from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.reviews import actions
from xeploai.reviews.models import Action, LevelChange

from .flow import DECISION, evaluation_of, proposed_commune

URL = "/kiem-diem/tham-dinh/DB-XA/"
PUBLISH = "/kiem-diem/quyet-dinh/DB-XA/cong-khai/"


class AppraisePageTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(p, cls.cycle, an=Level.GOOD)
        rows = MemberEvaluation.objects.filter(cycle=cls.cycle)
        levels = {e.pk: Level.GOOD for e in rows}
        actions.decide(p.commune, cycle=cls.cycle, by=p.chi, levels=levels, decision=DECISION)

    def an(self) -> MemberEvaluation:
        return evaluation_of(self.p.an_member, self.cycle)

    def post(self, user: Any, **data: Any) -> Any:
        return self.p.client(user).post(URL, data, follow=True)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.binh, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.post(user, approve_all="1").status_code, 404)
        for user in (self.p.chi, self.p.dung):
            self.assertContains(self.p.client(user).get(URL), "Trần Thị An")
        self.assertEqual(self.post(self.p.chi, approve_all="1").status_code, 403)
        self.assertEqual(self.p.client(self.p.dung).post(PUBLISH).status_code, 403)
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.APPRAISED).exists())

    def test_it_approves_all_then_the_committee_publishes(self) -> None:
        self.assertContains(self.post(self.p.dung, approve_all="1"), "Đã thống nhất 3 kết quả")
        r = self.p.client(self.p.chi).post(PUBLISH, follow=True)
        self.assertContains(r, "Đã công khai 3 kết quả")
        self.assertEqual(self.an().step, Step.PUBLISHED)

    def test_it_adjusts_with_a_reason_and_shows_refusals(self) -> None:
        pk = self.an().pk
        r = self.post(self.p.dung, evaluation=pk, action="adjust", level="3")
        self.assertContains(r, "cần ghi rõ lý do")
        r = self.post(self.p.dung, evaluation=pk, action="adjust", level="3", reason="Có đơn thư")
        self.assertEqual(self.an().level_final, Level.COMPLETED)
        row = LevelChange.objects.filter(evaluation_id=pk).last()
        assert row is not None
        self.assertEqual((row.action, row.reason), (Action.ADJUST, "Có đơn thư"))

    def test_it_returns_and_reopens(self) -> None:
        pk = self.an().pk
        self.post(self.p.dung, evaluation=pk, action="return", reason="Họp lại")
        self.assertEqual(self.an().step, Step.PROPOSED)
        actions.decide(
            self.p.commune,
            cycle=self.cycle,
            by=self.p.chi,
            levels={pk: Level.GOOD},
            decision=DECISION,
        )
        self.post(self.p.dung, evaluation=pk, action="reopen", reason="Đơn khiếu nại")
        e = self.an()
        self.assertEqual((e.step, e.level_decided), (Step.SUBMITTED, None))

    def test_it_refuses_bad_input_cleanly(self) -> None:
        r = self.post(self.p.dung, evaluation="x", action="approve")
        self.assertContains(r, "Thao tác không hợp lệ")
        self.assertEqual(
            self.post(self.p.dung, evaluation="99999", action="approve").status_code, 404
        )

    def test_it_lists_what_awaits_appraisal_first(self) -> None:
        self.post(self.p.dung, evaluation=self.an().pk, action="approve")
        page = self.p.client(self.p.dung).get(URL)
        self.assertContains(page, 'aria-current="page">Chờ thẩm định <span class="count">2</span>')
        self.assertNotContains(page, 'id="DV-AN"')  # appraised: behind its tab
        done = self.p.client(self.p.dung).get(URL, {"buoc": "da-tham-dinh"})
        self.assertContains(done, 'id="DV-AN"')

    def test_it_approves_all_only_from_the_whole_units_list(self) -> None:
        page = self.p.client(self.p.dung).get(URL)
        self.assertContains(page, "Thống nhất tất cả 3 kết quả chờ thẩm định")
        one_cell = self.p.client(self.p.dung).get(URL, {"chi_bo": "CB-B"})
        self.assertContains(one_cell, 'id="DV-EM"')
        self.assertNotContains(one_cell, 'name="approve_all"')

    def test_it_tells_the_grassroots_officer_the_page_is_read_only(self) -> None:
        page = self.p.client(self.p.chi).get(URL)
        self.assertContains(page, "trang này chỉ để theo dõi")
        self.assertNotContains(page, 'name="action"')
        self.assertNotContains(self.p.client(self.p.dung).get(URL), "chỉ để theo dõi")

    def test_it_reads_a_fixed_number_of_queries(self) -> None:
        client = self.p.client(self.p.dung)
        client.get(URL)
        with self.assertNumQueries(QUERIES):
            client.get(URL)


# One of them reads the signals of the members listed (integrity), shown beside each ceiling.
QUERIES = 19
