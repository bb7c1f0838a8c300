from __future__ import annotations

import datetime as dt

from django.test import TestCase

from xeploai.core.testing import post_title
from xeploai.cycles.models import LeaderEvaluation
from xeploai.members.models import Member, Post
from xeploai.oversight.demo import seed
from xeploai.oversight.models import Attendance, AttendanceKind, Suggestion
from xeploai.oversight.rules import unexplained
from xeploai.reviews.actions.leaders import open_leaders

from .scene import Scene, make_scene


class DemoTestCase(TestCase):
    """The demo loader's call, on the personas' district."""

    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def test_it_sends_and_explains_a_suggestion_and_records_a_review_directed(self) -> None:
        suggestion = seed(self.s.cycle, board=self.s.p.dung, member=self.s.p.an)
        self.assertEqual((suggestion.superior, suggestion.subject), (self.s.p.district, self.s.an))
        self.assertTrue(suggestion.is_released)
        self.assertEqual(suggestion.points.count(), 2)
        self.assertEqual(unexplained(self.s.an), 0)
        record = Attendance.objects.get()
        self.assertEqual((record.kind, record.subject), (AttendanceKind.DIRECTED, self.s.commune))

    def test_it_sends_the_head_of_that_collective_a_point_as_a_leader(self) -> None:
        t = post_title("Bí thư")
        binh = Member.objects.get(code="DV-BINH")
        Post.objects.create(
            member=binh, kind=t.kind, title=t.name, post_title=t, unit=self.s.p.commune,
            head=True, start=dt.date(2021, 1, 1),
        )  # fmt: skip
        open_leaders(self.s.p.commune, cycle=self.s.cycle)
        seed(self.s.cycle, board=self.s.p.dung, member=self.s.p.an)
        head = LeaderEvaluation.objects.get(member=binh)
        to_head = Suggestion.objects.about(head).get()
        self.assertTrue(to_head.is_released)
        self.assertEqual(unexplained(head), 1)
