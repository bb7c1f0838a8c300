"""The partial the review's pages include: each sent point with its explanation, the link to
explain for the subject alone, in a fixed number of queries."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import TestCase

from xeploai.accounts.models import User
from xeploai.core.testing import make_member
from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.oversight.rules import load_points, panels
from xeploai.reviews import actions as reviews

from .scene import POINTS, Scene, answer, make_scene, suggest


class PointsTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def render(self, user: User) -> str:
        user = User.objects.get(pk=user.pk)
        return render_to_string("oversight/_points.html", load_points(self.s.an, user))

    def test_it_shows_each_point_with_its_explanation(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        answer(sent, self.s.p.an, "Đã tham gia đủ các buổi sinh hoạt.")
        html = self.render(self.s.p.an)
        self.assertIn(POINTS[0], html)
        self.assertIn("Đã tham gia đủ các buổi sinh hoạt.", html)
        self.assertIn("Chưa giải trình.", html)
        self.assertIn("Còn 1 vấn đề chưa được giải trình.", html)
        self.assertIn(f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/", html)
        # Those who decide read the same, without the link to write.
        html = self.render(self.s.p.chi)
        self.assertIn("Đã tham gia đủ các buổi sinh hoạt.", html)
        self.assertNotIn("/giai-trinh/", html)
        self.assertEqual(self.render(self.s.p.binh).strip(), "")

    def test_it_reads_any_number_of_evaluations_in_three_queries(self) -> None:
        for n in range(4):
            member = make_member(self.s.p.cell_a, full_name=f"Đảng viên {n}")
            reviews.enrol(member, cycle=self.s.cycle)
        evaluations = list(MemberEvaluation.objects.filter(cycle=self.s.cycle))
        for e in evaluations:
            suggest(self.s, e, send=True)
        dung = User.objects.get(pk=self.s.p.dung.pk)
        with self.assertNumQueries(3):  # the roles, the suggestions, their points
            found = panels(evaluations, dung)
        self.assertEqual(len(found), len(evaluations))
        self.assertEqual({p.unexplained for p in found.values()}, {2})
        with self.assertNumQueries(0):
            render_to_string("oversight/_points.html", {"oversight": found[self.s.an.pk]})

    def test_it_shows_nothing_without_a_sent_suggestion(self) -> None:
        suggest(self.s, self.s.an)
        self.assertEqual(self.render(self.s.p.dung).strip(), "")
        self.assertEqual(panels([], self.s.p.dung), {})

    def test_it_offers_no_link_to_explain_once_the_level_is_decided(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        self.assertIn("/giai-trinh/", self.render(self.s.p.an))
        MemberEvaluation.objects.filter(pk=self.s.an.pk).update(step=Step.DECIDED)
        self.s.an.refresh_from_db()
        html = self.render(self.s.p.an)
        self.assertIn(POINTS[0], html)  # still read
        self.assertNotIn("/giai-trinh/", html)
        page = self.s.p.client(self.s.p.an).get(f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/")
        self.assertNotContains(page, "Lưu giải trình")
