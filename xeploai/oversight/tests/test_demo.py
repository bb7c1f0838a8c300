from __future__ import annotations

from django.test import TestCase

from xeploai.oversight.demo import seed
from xeploai.oversight.models import Attendance, AttendanceKind
from xeploai.oversight.rules import unexplained

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
