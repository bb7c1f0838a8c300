from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_personas
from xeploai.cycles.models import Level, Step
from xeploai.reviews import actions
from xeploai.reviews.models import Action, FollowUp, LevelChange, SelfReview

from .flow import SECTIONS, evaluation_of, scores_for, submit


class SelfReviewTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2026)
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        self.evaluation = evaluation_of(self.p.an_member, self.cycle)

    def save(self, by: object, version: int, **data: object) -> object:
        return actions.save_self_review(
            self.evaluation,
            by=by,  # type: ignore[arg-type]
            version=version,
            data=actions.SelfReviewData(**data),  # type: ignore[arg-type]
        )

    def test_it_saves_a_draft_and_totals_the_sheet(self) -> None:
        scores = scores_for(self.evaluation)
        e = self.save(self.p.an, 0, sections=SECTIONS, scores=scores, tasks_done=Decimal(100))
        self.assertEqual((e.score_general, e.score_task_results), (28, 64))  # type: ignore[attr-defined]
        review = SelfReview.objects.get(evaluation=self.evaluation)
        # An lives and works outside the political system: Mẫu 2C.
        self.assertEqual(review.form, "2C")
        self.assertEqual(review.scores["citizen"], str(scores["citizen"]))
        self.assertEqual(review.sections["strengths"], SECTIONS["strengths"])
        self.assertEqual(e.step, Step.SELF_REVIEW)  # type: ignore[attr-defined]

    def test_it_leaves_a_part_unscored_until_every_item_is(self) -> None:
        e = self.save(self.p.an, 0, scores={"politics": Decimal(10)})
        self.assertIsNone(e.score_general)  # type: ignore[attr-defined]

    def test_it_refuses_a_score_above_the_item_maximum(self) -> None:
        with self.assertRaisesMessage(actions.ReviewError, "từ 0 đến 10"):
            self.save(self.p.an, 0, scores={"politics": Decimal(11)})

    def test_it_refuses_a_stale_version(self) -> None:
        self.save(self.p.an, 0, sections=SECTIONS)
        with self.assertRaisesMessage(actions.ReviewError, "vừa được người khác lưu"):
            self.save(self.p.binh, 0, sections={"strengths": "khác"})
        review = SelfReview.objects.get(evaluation=self.evaluation)
        self.assertEqual(review.sections["strengths"], SECTIONS["strengths"])

    def test_it_refuses_the_same_users_stale_copy(self) -> None:
        # The member's second tab or device still holds version 0 after the first saved.
        self.save(self.p.an, 0, sections=SECTIONS)
        with self.assertRaises(actions.DraftConflict) as raised:
            self.save(self.p.an, 0, sections={"strengths": "sửa ở thẻ khác"})
        self.assertEqual(raised.exception.version, 1)
        self.assertIn("trang hoặc thiết bị khác", raised.exception.message)
        review = SelfReview.objects.get(evaluation=self.evaluation)
        self.assertEqual(review.sections["strengths"], SECTIONS["strengths"])
        # Saving on the version the page last got back is no conflict.
        e = self.save(self.p.an, 1, sections={"strengths": "sửa"})
        self.assertEqual(e.version, 2)  # type: ignore[attr-defined]

    def test_it_refuses_to_submit_an_incomplete_form(self) -> None:
        self.save(self.p.an, 0, sections={"strengths": "x"})
        with self.assertRaisesMessage(actions.ReviewError, "Hạn chế, khuyết điểm") as raised:
            actions.submit_self_review(self.evaluation, by=self.p.an, version=1)
        self.assertIn("Tự xếp loại", raised.exception.message)
        self.assertIn("phiếu chấm điểm", raised.exception.message)

    def test_it_locks_the_form_on_submission(self) -> None:
        submit(self.evaluation, self.p.an)
        self.evaluation.refresh_from_db()
        self.assertEqual(self.evaluation.step, Step.SUBMITTED)
        row = LevelChange.objects.get(evaluation=self.evaluation)
        self.assertEqual(
            (row.action, row.level_to, row.role), (Action.SUBMIT, Level.EXCELLENT, "MEMBER")
        )
        with self.assertRaisesMessage(actions.ReviewError, "Đã nộp bản kiểm điểm"):
            self.save(self.p.an, self.evaluation.version, sections=SECTIONS)

    def test_it_records_an_entry_on_behalf_of_the_member(self) -> None:
        submit(self.evaluation, self.p.binh)
        review = SelfReview.objects.get(evaluation=self.evaluation)
        self.assertTrue(review.assisted)
        self.assertEqual(review.submitted_by, self.p.binh)
        self.assertEqual(LevelChange.objects.get().role, "CELL_SECRETARY")

    def test_it_is_refused_to_anyone_else(self) -> None:
        for user in (self.p.em, self.p.chi, self.p.dung, self.p.nobody):
            with self.assertRaises(PermissionDenied):
                self.save(user, 0, sections=SECTIONS)

    def test_it_reports_on_last_years_weaknesses(self) -> None:
        last = make_cycle(2025)
        item = FollowUp.objects.create(member=self.p.an_member, cycle=last, text="Chậm báo cáo")
        self.assertEqual(actions.open_follow_ups(self.evaluation), [item])
        e = self.save(self.p.an, 0, follow_ups={item.pk: ("Đã báo cáo đúng hạn", True)})
        self.assertEqual((e.weaknesses_total, e.weaknesses_fixed), (1, 1))  # type: ignore[attr-defined]
        item.refresh_from_db()
        self.assertTrue(item.fixed)

    def test_it_keeps_the_ticked_manifestations(self) -> None:
        self.save(self.p.an, 0, manifestations=[3, 12])
        review = SelfReview.objects.get(evaluation=self.evaluation)
        self.assertEqual(sorted(review.manifestations.values_list("number", flat=True)), [3, 12])
