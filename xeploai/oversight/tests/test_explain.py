from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.oversight import actions
from xeploai.oversight.models import Explanation
from xeploai.oversight.rules import unexplained

from .scene import Scene, answer, make_scene, suggest


class ExplainTestCase(TestCase):
    """The subject explains each point of a sent suggestion, until their level is decided."""

    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def test_it_keeps_each_explanation_with_who_wrote_it(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        self.assertEqual(unexplained(self.s.an), 2)
        answer(suggestion, self.s.p.an, "Đã tham gia đủ các buổi sinh hoạt.")
        self.assertEqual(unexplained(self.s.an), 1)
        answer(suggestion, self.s.p.an, "Đã tham gia đủ các buổi sinh hoạt.", "Do ốm dài ngày.")
        self.assertEqual(unexplained(self.s.an), 0)
        written = Explanation.objects.order_by("point__number")
        self.assertEqual([e.written_by for e in written], [self.s.p.an, self.s.p.an])
        self.assertEqual(Explanation.history.filter(history_user=self.s.p.an).count(), 2)

    def test_it_withdraws_an_explanation_emptied(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        answer(suggestion, self.s.p.an, "Một", "Hai")
        answer(suggestion, self.s.p.an, "Một", "  ")
        self.assertEqual(unexplained(self.s.an), 1)
        self.assertEqual(Explanation.history.filter(history_type="-").count(), 1)

    def test_it_counts_only_sent_points_of_the_evaluation(self) -> None:
        suggest(self.s, self.s.an)  # a draft: nothing to explain yet
        self.assertEqual(unexplained(self.s.an), 0)
        suggest(self.s, self.s.cell_a, send=True, points=("Một", "Hai", "Ba"))
        self.assertEqual(unexplained(self.s.an), 0)
        self.assertEqual(unexplained(self.s.cell_a), 3)
        self.assertEqual(unexplained(self.s.cell_b), 0)

    def test_it_lets_those_who_draft_a_collectives_report_explain(self) -> None:
        suggestion = suggest(self.s, self.s.cell_a, send=True)
        answer(suggestion, self.s.p.binh, "Một", "Hai")
        self.assertEqual(unexplained(self.s.cell_a), 0)

    def test_it_refuses_anyone_but_the_subject(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        p = self.s.p
        for user in (p.binh, p.chi, p.dung, p.em, p.nobody, self.s.thuong):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                answer(suggestion, user, "Thay lời")
        collective = suggest(self.s, self.s.cell_a, send=True)
        for user in (p.an, p.em):  # a member of the cell, the sibling cell's secretary
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                answer(collective, user, "Thay lời")
        self.assertFalse(Explanation.objects.exists())

    def test_it_refuses_a_draft(self) -> None:
        suggestion = suggest(self.s, self.s.an)
        with self.assertRaises(PermissionDenied):
            answer(suggestion, self.s.p.an, "Trước khi gửi")

    def test_it_refuses_once_the_level_is_decided(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        MemberEvaluation.objects.filter(pk=self.s.an.pk).update(step=Step.DECIDED)
        with self.assertRaisesMessage(actions.OversightError, "không còn chờ quyết định"):
            answer(suggestion, self.s.p.an, "Muộn")
        self.assertEqual(unexplained(self.s.an), 2)
