from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import make_cycle, make_personas
from xeploai.cycles.models import Level, MemberEvaluation
from xeploai.reviews import actions

from .flow import DECISION, proposed_commune

URL = "/dang-vien/DV-AN/"


class PublicationTestCase(TestCase):
    """What the member sees of their result before and after publication."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        self.cycle = make_cycle(2026)
        proposed_commune(p, self.cycle, an=Level.GOOD)
        rows = list(MemberEvaluation.objects.filter(cycle=self.cycle))
        actions.decide(
            p.commune,
            cycle=self.cycle,
            by=p.chi,
            levels={e.pk: Level.GOOD for e in rows},
            decision=DECISION,
        )
        for e in rows:
            actions.appraise(e, by=p.dung)

    def test_it_hides_the_result_from_the_member_until_published(self) -> None:
        page = self.p.client(self.p.an).get(URL)
        self.assertNotContains(page, "Quá trình xếp loại kỳ này")
        self.assertContains(page, "Đã thẩm định")
        # The officers above follow every step meanwhile.
        self.assertContains(self.p.client(self.p.binh).get(URL), "Quá trình xếp loại kỳ này")

    def test_it_shows_the_member_their_result_and_its_history_once_published(self) -> None:
        actions.publish(self.p.commune, cycle=self.cycle, by=self.p.chi)
        page = self.p.client(self.p.an).get(URL)
        self.assertContains(page, "Quá trình xếp loại kỳ này")
        self.assertContains(page, "Quyết định xếp loại")
        self.assertContains(page, "QĐ 15-QĐ/ĐU ngày 20/12/2026")
        self.assertContains(page, "Thẩm định, thống nhất")

    def test_it_shows_the_cells_published_results_to_its_members(self) -> None:
        url = "/kiem-diem/cong-khai/CB-A/"
        self.assertNotContains(self.p.client(self.p.an).get(url), "Lê Văn Bình")
        actions.publish(self.p.commune, cycle=self.cycle, by=self.p.chi)
        for user in (self.p.an, self.p.binh, self.p.chi):
            self.assertContains(self.p.client(user).get(url), "Lê Văn Bình")
        for user in (self.p.em, self.p.nobody):
            self.assertEqual(self.p.client(user).get(url).status_code, 404)
        self.assertEqual(
            self.p.client(self.p.an).get("/kiem-diem/cong-khai/CB-B/").status_code, 404
        )
