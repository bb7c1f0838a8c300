"""The superior's suggestions on the review's pages (oversight): shown to the subject on their
form and to who decides, never to a peer; a self-review is not submitted while a point sent
to the member is unexplained."""

from __future__ import annotations

from django.test import TestCase

from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.oversight.tests.scene import POINTS, Scene, answer, make_scene, suggest
from xeploai.reviews import actions

from .flow import submit

SELF_REVIEW = "/kiem-diem/2026/DV-AN/"
CELL_A = "/kiem-diem/to-chuc/2026/CB-A/"


class SuggestionsOnReviewPagesTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def test_it_refuses_a_self_review_while_a_point_is_unexplained(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        with self.assertRaisesMessage(actions.ReviewError, "giải trình 2 vấn đề cấp trên gợi ý"):
            submit(self.s.an, self.s.p.an)
        answer(sent, self.s.p.an, "Một", "Hai")
        evaluation = submit(MemberEvaluation.objects.get(pk=self.s.an.pk), self.s.p.an)
        self.assertEqual(evaluation.step, Step.SUBMITTED)

    def test_it_shows_the_points_to_the_member_and_who_decides_only(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        answer(sent, self.s.p.an, "Đã tham gia đủ.")
        p = self.s.p
        for user in (p.an, p.chi, p.dung):
            page = p.client(user).get(SELF_REVIEW)
            self.assertContains(page, POINTS[0], msg_prefix=user.username)
            self.assertContains(page, "Đã tham gia đủ.", msg_prefix=user.username)
        self.assertContains(p.client(p.an).get(SELF_REVIEW), "Viết giải trình")
        self.assertNotContains(p.client(p.chi).get(SELF_REVIEW), "giai-trinh")
        self.assertNotContains(p.client(p.binh).get(SELF_REVIEW), POINTS[0])  # a peer

    def test_it_shows_a_collectives_points_on_its_report(self) -> None:
        suggest(self.s, self.s.cell_a, send=True)
        p = self.s.p
        self.assertContains(p.client(p.binh).get(CELL_A), "Viết giải trình")
        self.assertContains(p.client(p.dung).get(CELL_A), POINTS[1])
        self.assertNotContains(p.client(p.dung).get(CELL_A), "Viết giải trình")

    def test_it_sends_the_member_from_home_to_explain(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        home = self.s.p.client(self.s.p.an).get("/")
        self.assertContains(home, f'href="/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/"')
        home = self.s.p.client(self.s.p.dung).get("/")
        self.assertContains(home, 'href="/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026"')
