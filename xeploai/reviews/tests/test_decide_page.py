from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_member, make_personas
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.members.models import Member, StatusKind, StatusPeriod, Transfer
from xeploai.reviews import actions
from xeploai.reviews.models import QuotaException

from .flow import evaluation_of, propose, proposed_commune, submit

URL = "/kiem-diem/quyet-dinh/DB-XA/"
MOVED = dt.date(2026, 3, 1)


class DecidePageTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(cls.p, cls.cycle)

    def levels(self, **by_code: Level) -> dict[str, str]:
        rows = MemberEvaluation.objects.filter(cycle=self.cycle).select_related("member")
        return {
            f"level_{e.pk}": str(by_code.get(e.member.code.replace("DV-", "").lower(), Level.GOOD))
            for e in rows
        }

    def post(self, user: Any, **data: Any) -> Any:
        payload = {"number": "15-QĐ/ĐU", "date": "2026-12-20", **data}
        return self.p.client(user).post(URL, payload, follow=True)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.binh, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.post(user, **self.levels()).status_code, 404)
        for user in (self.p.chi, self.p.dung):
            self.assertContains(self.p.client(user).get(URL), "Trần Thị An")
        self.assertEqual(self.post(self.p.dung, **self.levels()).status_code, 403)
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_shows_a_breach_and_refuses_to_decide(self) -> None:
        page = self.p.client(self.p.chi).get(URL)
        self.assertContains(page, "Vượt 1")
        self.assertContains(page, "Trần Thị An")
        r = self.post(self.p.chi, **self.levels(an=Level.EXCELLENT))
        self.assertContains(r, "Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ")
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_decides_once_lowered(self) -> None:
        r = self.post(self.p.chi, **self.levels(an=Level.GOOD))
        self.assertContains(r, "Đã quyết định 3 kết quả")
        self.assertEqual(MemberEvaluation.objects.filter(step=Step.DECIDED).count(), 3)

    def test_it_decides_with_a_recorded_exception(self) -> None:
        levels = self.levels(an=Level.EXCELLENT)
        r = self.post(self.p.chi, exception_reason="Thành tích cứu hộ lũ", **levels)
        self.assertContains(r, "Ngoại lệ theo quyết định 15-QĐ/ĐU")
        self.assertEqual(QuotaException.objects.get().reason, "Thành tích cứu hộ lũ")

    def test_it_asks_for_the_decision_number(self) -> None:
        r = self.post(self.p.chi, number="", **self.levels(an=Level.GOOD))
        self.assertContains(r, "Trường này là bắt buộc")
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_keeps_the_chosen_levels_when_refused(self) -> None:
        levels = self.levels(an=Level.EXCELLENT, em=Level.COMPLETED)
        r = self.post(self.p.chi, **levels)
        self.assertContains(r, "Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ")
        em = evaluation_of(self.p.em.member, self.cycle)  # type: ignore[arg-type]
        select = re.search(rf'<select name="level_{em.pk}".*?</select>', r.content.decode(), re.S)
        assert select is not None
        self.assertIn('<option value="3" selected>', select[0])  # not the proposed GOOD
        self.assertContains(r, 'value="15-QĐ/ĐU"')  # the decision number typed

    def test_it_says_when_an_exception_covers_the_breach(self) -> None:
        levels = self.levels(an=Level.EXCELLENT)
        self.post(self.p.chi, exception_reason="Thành tích cứu hộ lũ", **levels)
        page = self.p.client(self.p.chi).get(URL)
        self.assertContains(page, "Vượt 1, được phép theo ngoại lệ của quyết định 15-QĐ/ĐU")
        self.assertNotContains(page, "cần hạ")

    def test_it_previews_the_quota_as_the_levels_are_chosen(self) -> None:
        r = self.p.client(self.p.chi).post(
            URL, {"preview": "1", **self.levels(an=Level.GOOD)}, headers={"HX-Request": "true"}
        )
        self.assertContains(r, "0 xuất sắc trên 3 hoàn thành tốt")
        self.assertNotContains(r, "<h1>")
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_lists_what_is_ready_first_with_counts_by_step_and_cell(self) -> None:
        MemberEvaluation.objects.filter(member=self.p.em.member).update(step=Step.SUBMITTED)
        page = self.p.client(self.p.chi).get(URL)
        self.assertContains(page, 'id="DV-AN"')
        self.assertNotContains(page, 'id="DV-EM"')  # not proposed yet: behind its tab
        self.assertContains(page, 'aria-current="page">Chờ quyết định <span class="count">2</span>')
        self.assertContains(page, 'Chưa đến bước quyết định <span class="count">1</span>')
        later = self.p.client(self.p.chi).get(URL, {"buoc": "chua-de-xuat"})
        self.assertContains(later, 'id="DV-EM"')
        self.assertNotContains(later, "Quyết định các mức đã chọn")
        cell_b = self.p.client(self.p.chi).get(URL, {"buoc": "tat-ca", "chi_bo": "CB-B"})
        self.assertContains(cell_b, 'id="DV-EM"')
        self.assertNotContains(cell_b, 'id="DV-AN"')

    def test_it_reads_a_fixed_number_of_queries(self) -> None:
        client = self.p.client(self.p.chi)
        client.get(URL)  # the session and the user's roles, read once
        with self.assertNumQueries(QUERIES):
            client.get(URL)
        for member in ("X", "Y", "Z"):
            add_proposed(self.p, self.cycle, member)
        with self.assertNumQueries(QUERIES):
            client.get(URL)
        # Members who moved cell in the year, or stayed in another one for a time, and whose
        # review waits for that cell's comment, cost no more either.
        for moved in Member.objects.filter(full_name__startswith="Đảng viên "):
            Transfer.objects.create(
                member=moved, from_cell=self.p.cell_a, to_cell=self.p.cell_b, date=MOVED
            )
            StatusPeriod.objects.create(
                member=moved,
                kind=StatusKind.TEMPORARY,
                start=MOVED,
                temporary_cell=self.p.cell_a,
            )
        MemberEvaluation.objects.filter(member__full_name__startswith="Đảng viên ").update(
            step=Step.SUBMITTED
        )
        everything = {"buoc": "tat-ca"}
        client.get(URL, everything)
        with self.assertNumQueries(QUERIES):
            page = client.get(URL, everything)
        self.assertContains(page, "Đảng viên X")

    def test_it_counts_and_links_what_publication_waits_for(self) -> None:
        r = self.p.client(self.p.chi).post(URL + "cong-khai/", follow=True)
        self.assertContains(r, "Chưa công khai được: còn 3 kết quả chưa được thẩm định")
        self.assertContains(r, "?buoc=cho-quyet-dinh&amp;nam=2026")
        self.assertNotContains(r, "Trần Thị An, ")  # names are counted, not listed

    def test_it_links_only_the_steps_publication_waits_for(self) -> None:
        self.post(self.p.chi, **self.levels(an=Level.GOOD))
        an = evaluation_of(self.p.an_member, self.cycle)
        actions.appraise(an, by=self.p.dung)
        r = self.p.client(self.p.chi).post(URL + "cong-khai/", follow=True)
        refusal = re.search(r'<ul class="messages">.*?</ul>', r.content.decode(), re.S)
        assert refusal is not None
        self.assertIn("còn 2 kết quả chưa được thẩm định", refusal[0])
        self.assertIn("?buoc=cho-tham-dinh&amp;nam=2026", refusal[0])
        self.assertNotIn("da-tham-dinh", refusal[0])  # An's result waits on nobody


# One of them reads the signals of the members listed (integrity), shown beside each ceiling.
QUERIES = 24


def add_proposed(p: Personas, cycle: Cycle, name: str) -> None:
    member = make_member(p.cell_b, full_name=f"Đảng viên {name}")
    e = actions.enrol(member, cycle=cycle)
    propose(submit(e, p.em), p.em, Level.GOOD)
