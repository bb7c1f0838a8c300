from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import TestCase

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import make_user
from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.oversight import actions
from xeploai.oversight.models import Point, PointLocked, Suggestion

from .scene import POINTS, Scene, make_scene, suggest


class IssueSuggestionTestCase(TestCase):
    """Drafting, editing and sending a suggestion; what is refused, and what is kept."""

    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def data(self, *points: str) -> actions.SuggestionData:
        return actions.SuggestionData(points=points, issued_on=dt.date(2026, 11, 3))

    def test_it_drafts_a_suggestion_with_numbered_points(self) -> None:
        suggestion = suggest(self.s, self.s.an)
        self.assertEqual(suggestion.subject, self.s.an)
        self.assertEqual(suggestion.superior, self.s.p.district)
        self.assertIsNone(suggestion.released)
        points = list(suggestion.points.values_list("number", "text"))
        self.assertEqual(points, [(1, POINTS[0]), (2, POINTS[1])])
        version = suggestion.history.get()
        self.assertEqual((version.history_type, version.history_user), ("+", self.s.p.dung))

    def test_it_edits_a_draft_and_renumbers_its_points(self) -> None:
        suggestion = suggest(self.s, self.s.cell_a, points=("Một", "Hai", "Ba"))
        actions.update_suggestion(suggestion, data=self.data("Hai", "", "Bốn"), by=self.s.thuong)
        points = list(suggestion.points.values_list("number", "text"))
        self.assertEqual(points, [(1, "Hai"), (2, "Bốn")])
        self.assertEqual(Point.history.filter(history_type="-").count(), 1)  # point 3, removed
        self.assertEqual(Point.history.filter(history_user=self.s.thuong).count(), 3)

    def test_it_sends_a_draft_and_keeps_who_sent_it(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        self.assertIsNotNone(suggestion.released)
        self.assertEqual(suggestion.released_by, self.s.p.dung)
        self.assertEqual(suggestion.history.count(), 2)
        with self.assertRaisesMessage(actions.OversightError, "đã được gửi"):
            actions.release_suggestion(suggestion, by=self.s.p.dung)

    def test_it_never_changes_the_points_of_a_sent_suggestion(self) -> None:
        suggestion = suggest(self.s, self.s.an, send=True)
        with self.assertRaisesMessage(actions.OversightError, "không sửa được"):
            actions.update_suggestion(suggestion, data=self.data("Khác"), by=self.s.p.dung)
        point = suggestion.points.get(number=1)
        point.text = "Sửa lén"
        with self.assertRaises(PointLocked):
            point.save()
        with self.assertRaises(PointLocked):
            point.delete()
        self.assertEqual(suggestion.points.get(number=1).text, POINTS[0])

    def test_it_refuses_those_who_do_not_act_for_the_issuing_unit(self) -> None:
        p = self.s.p
        for user in (p.an, p.binh, p.chi, p.em, p.nobody):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                suggest(self.s, self.s.an, by=user)
        # The board oversees the commune, yet never signs in the commune's name.
        with self.assertRaises(PermissionDenied):
            suggest(self.s, self.s.an, by=p.dung, superior=p.commune)
        self.assertFalse(Suggestion.objects.exists())

    def test_it_refuses_a_subject_outside_the_level_below(self) -> None:
        p = self.s.p
        ha = make_user("ha", roles=((RoleKind.STANDING_COMMITTEE, p.commune),))
        with self.assertRaisesMessage(actions.OversightError, "không thuộc cấp dưới"):
            suggest(
                self.s,
                self.s.an,
                superior=p.cell_b,
                by=make_user("khanh", roles=((RoleKind.STANDING_COMMITTEE, p.cell_b),)),
            )
        # The superior suggests to the level below, not to its own collective.
        with self.assertRaisesMessage(actions.OversightError, "không thuộc cấp dưới"):
            suggest(self.s, self.s.commune, superior=p.commune, by=ha)
        self.assertTrue(suggest(self.s, self.s.cell_a, superior=p.commune, by=ha))

    def test_it_refuses_a_second_suggestion_to_the_same_subject(self) -> None:
        suggest(self.s, self.s.an)
        with self.assertRaisesMessage(actions.OversightError, "hãy bổ sung vào gợi ý đó"):
            suggest(self.s, self.s.an, by=self.s.thuong)
        # The database holds to it too.
        first = Suggestion.objects.get()
        with transaction.atomic(), self.assertRaises(IntegrityError):
            Suggestion.objects.create(
                cycle=first.cycle,
                superior=first.superior,
                member_evaluation=first.member_evaluation,
                issued_on=first.issued_on,
                issued_by=first.issued_by,
            )

    def test_it_requires_exactly_one_subject(self) -> None:
        for subjects in ({}, {"member_evaluation": self.s.an, "unit_evaluation": self.s.cell_a}):
            with self.subTest(subjects), transaction.atomic(), self.assertRaises(IntegrityError):
                Suggestion.objects.create(
                    cycle=self.s.cycle,
                    superior=self.s.p.district,
                    issued_on=dt.date(2026, 11, 3),
                    issued_by=self.s.p.dung,
                    **subjects,
                )

    def test_it_refuses_empty_points(self) -> None:
        with self.assertRaisesMessage(actions.OversightError, "ít nhất một vấn đề"):
            suggest(self.s, self.s.an, points=("  ", ""))

    def test_it_refuses_a_subject_already_decided(self) -> None:
        MemberEvaluation.objects.filter(pk=self.s.an.pk).update(step=Step.DECIDED)
        decided = MemberEvaluation.objects.select_related("member", "cycle").get(pk=self.s.an.pk)
        with self.assertRaisesMessage(actions.OversightError, "không còn chờ quyết định"):
            suggest(self.s, decided)

    def test_it_refuses_to_send_once_the_subject_is_decided(self) -> None:
        suggestion = suggest(self.s, self.s.an)
        MemberEvaluation.objects.filter(pk=self.s.an.pk).update(step=Step.DECIDED)
        with self.assertRaisesMessage(actions.OversightError, "Đã quyết định"):
            actions.release_suggestion(suggestion, by=self.s.p.dung)
        self.assertIsNone(Suggestion.objects.get().released)

    def test_it_refuses_a_closed_cycle(self) -> None:
        self.s.cycle.closed = True
        self.s.cycle.save()
        with self.assertRaisesMessage(actions.OversightError, "Kỳ đánh giá đã kết thúc"):
            suggest(self.s, self.s.an)
