from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import TestCase

from xeploai.accounts.models import AccessLog
from xeploai.core.testing import Personas, make_cycle, make_evaluation, make_personas
from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.reviews import actions
from xeploai.reviews.models import SelfReview
from xeploai.rules import Regime

from .flow import SECTIONS, evaluation_of, scores_for

URL = "/kiem-diem/2026/DV-AN/"
PAGE_QUERIES = 13
DRAFT_QUERIES = 19
NEXT_DRAFT_QUERIES = 17


class SelfReviewPageTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        actions.open_cycle(cls.p.commune, cycle=cls.cycle, by=cls.p.chi)

    def evaluation(self) -> MemberEvaluation:
        return evaluation_of(self.p.an_member, self.cycle)

    def post(self, user: Any, *, follow: bool = False, **extra: Any) -> Any:
        e = self.evaluation()
        data = {
            "version": e.version,
            "tasks_done": "100",
            "tasks_exceeded": "40",
            "level_self": "1",
        }
        data.update({f"section_{k}": v for k, v in SECTIONS.items()})
        data.update({f"score_{k}": str(v) for k, v in scores_for(e).items()})
        data.update(extra)
        return self.p.client(user).post(URL, data, follow=follow)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        self.assertEqual(self.post(None).status_code, 302)
        for user in (self.p.nobody, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.post(user).status_code, 404)
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung):
            self.assertContains(self.p.client(user).get(URL), "Bản tự kiểm điểm")
        for user in (self.p.chi, self.p.dung):  # they see it, but only the cell fills it in
            self.assertEqual(self.post(user).status_code, 403)
        self.assertEqual(self.evaluation().version, 0)

    def test_it_renders_the_members_form(self) -> None:
        page = self.p.client(self.p.an).get(URL)
        self.assertContains(page, "Mẫu 2C")  # An lives and works outside the political system
        self.assertContains(page, 'name="score_citizen"')
        self.assertContains(page, 'name="section_strengths"')

    def draft(self, user: Any, **data: Any) -> Any:
        """A draft as the page sends it while the member types."""
        return self.p.client(user).post(URL, data, headers={"X-Draft": "1"})

    def test_it_saves_a_draft_in_place_and_shows_the_verdict(self) -> None:
        r = self.draft(
            self.p.an,
            version=0,
            section_strengths="Tích cực",
            score_politics="10",
            tasks_done="100",
        )
        self.assertEqual((r["X-Draft-Result"], r["X-Draft-Version"]), ("saved", "1"))
        self.assertRegex(r["X-Draft-Time"], r"^\d\d:\d\d$")  # the server's clock, not the phone's
        self.assertContains(r, "Chưa đánh giá")  # the sheet is not complete yet
        self.assertNotContains(r, "<h1>")
        self.assertEqual(self.evaluation().version, 1)

    def test_it_reports_a_conflicting_save(self) -> None:
        self.post(self.p.an)
        r = self.p.client(self.p.binh).post(URL, {"version": 0, "section_plan": "khác"})
        self.assertContains(r, "vừa được người khác lưu")

    def test_it_shows_both_copies_when_the_same_user_saved_elsewhere(self) -> None:
        # The same member in two tabs: the first saves, the second still has version 0.
        self.draft(self.p.an, version=0, section_strengths="Viết ở thẻ thứ nhất")
        r = self.draft(self.p.an, version=0, section_strengths="Viết ở thẻ thứ hai")
        self.assertEqual((r["X-Draft-Result"], r["X-Draft-Version"]), ("conflict", "1"))
        self.assertContains(r, "lưu ở một trang hoặc thiết bị khác")
        self.assertContains(r, "Viết ở thẻ thứ nhất")
        self.assertContains(r, "Viết ở thẻ thứ hai")
        review = SelfReview.objects.get(evaluation=self.evaluation())
        self.assertEqual(review.sections["strengths"], "Viết ở thẻ thứ nhất")

    def test_it_takes_a_stale_copy_identical_to_the_saved_one(self) -> None:
        # As the page sends it: every field, the untouched ones as they were shown.
        same = {"section_strengths": "Cùng một nội dung", "tasks_late": "0", "tasks_exceeded": "0"}
        self.draft(self.p.an, version=0, **same)
        r = self.draft(self.p.an, version=0, **same)
        self.assertEqual((r["X-Draft-Result"], r["X-Draft-Version"]), ("saved", "1"))
        self.assertNotContains(r, "conflict")

    def test_it_submits_a_stale_page_identical_to_the_saved_copy(self) -> None:
        self.post(self.p.an, tasks_late="0")  # saved from one page
        # The same form, as a browser sends it, from a page read before that save.
        self.post(self.p.an, submit="1", version=0, tasks_late="0")
        self.assertEqual(self.evaluation().step, Step.SUBMITTED)

    def test_it_keeps_the_pages_copy_when_the_user_chooses_it(self) -> None:
        self.draft(self.p.an, version=0, section_strengths="Viết ở thẻ thứ nhất")
        r = self.draft(self.p.an, version=0, overwrite=1, section_strengths="Viết ở thẻ thứ hai")
        self.assertEqual((r["X-Draft-Result"], r["X-Draft-Version"]), ("saved", "2"))
        review = SelfReview.objects.get(evaluation=self.evaluation())
        self.assertEqual(review.sections["strengths"], "Viết ở thẻ thứ hai")

    def test_it_carries_the_new_version_after_a_save_without_scripts(self) -> None:
        r = self.post(self.p.an, save="1")
        self.assertContains(r, 'name="version" id="id_version" value="1"')
        self.assertContains(r, "Đã lưu bản nháp.")
        r = self.post(self.p.an, save="1", section_plan="Lưu lần hai")
        self.assertNotContains(r, "vừa được lưu")
        self.assertEqual(self.evaluation().version, 2)

    def test_it_writes_and_reads_scores_the_vietnamese_way(self) -> None:
        self.draft(
            self.p.an, version=0, score_politics="7,5", score_ethics="8.5", tasks_done="92,8"
        )
        e = self.evaluation()
        self.assertEqual(e.tasks_done, Decimal("92.8"))
        review = SelfReview.objects.get(evaluation=e)
        self.assertEqual((review.scores["politics"], review.scores["ethics"]), ("7.5", "8.5"))
        page = self.p.client(self.p.an).get(URL)
        self.assertContains(page, 'name="score_politics" value="7,5"')
        self.assertContains(page, 'name="tasks_done" value="92,8"')

    def test_it_refuses_more_than_one_decimal(self) -> None:
        r = self.draft(self.p.an, version=0, score_politics="7,25")
        self.assertEqual(r["X-Draft-Result"], "invalid")
        self.assertContains(r, "Tư tưởng chính trị")  # the field's name beside its error
        self.assertEqual(self.evaluation().version, 0)

    def test_it_numbers_the_parts_without_a_gap(self) -> None:
        page = self.p.client(self.p.an).get(URL)
        # No weaknesses from last year: the tasks follow the strengths as part II.
        self.assertContains(page, "II. Kết quả thực hiện nhiệm vụ")
        self.assertContains(page, "V. Tự xếp loại")
        self.assertNotContains(page, "VI.")

    def test_it_speaks_to_a_member_in_words_and_to_officers_with_rule_codes(self) -> None:
        self.post(self.p.an, save="1", tasks_exceeded="10")  # below what EXCELLENT needs
        member = self.p.client(self.p.an).get(URL)
        self.assertContains(member, "Mẫu 2C")
        self.assertContains(member, "Tổng điểm tự chấm: 92,0")
        self.assertContains(member, "vượt 10 % nhiệm vụ")
        self.assertNotContains(member, 'class="rule"')
        secretary = self.p.client(self.p.binh).get(URL)
        self.assertContains(secretary, '<small class="rule"')

    def test_it_tells_a_secretary_she_enters_on_behalf_of_the_member(self) -> None:
        self.assertContains(self.p.client(self.p.binh).get(URL), "đang nhập bản kiểm điểm thay")
        self.assertNotContains(self.p.client(self.p.an).get(URL), "đang nhập bản kiểm điểm thay")
        # Officers who only read the form are not entering anything.
        self.assertNotContains(self.p.client(self.p.chi).get(URL), "đang nhập bản kiểm điểm thay")

    def test_it_refuses_a_score_above_the_maximum(self) -> None:
        r = self.post(self.p.an, score_politics="11")
        self.assertContains(r, "Có ô nhập chưa hợp lệ")
        self.assertEqual(self.evaluation().version, 0)

    def test_it_submits_and_locks_the_form(self) -> None:
        r = self.post(self.p.an, submit="1", follow=True)
        self.assertRedirects(r, URL)
        self.assertContains(r, "Đã nộp bản kiểm điểm. Bản kiểm điểm đã chuyển đến chi bộ")
        self.assertEqual(self.evaluation().step, Step.SUBMITTED)
        page = self.p.client(self.p.an).get(URL)
        self.assertContains(page, "<fieldset disabled>")
        self.assertNotContains(page, "Nộp bản kiểm điểm</button>")

    def test_it_shows_and_logs_an_assisted_entry(self) -> None:
        self.post(self.p.binh, submit="1")
        page = self.p.client(self.p.an).get(URL)
        self.assertContains(page, "đã nhập và nộp thay đảng viên")
        # Reading someone's form is logged once per page, not at every draft saved.
        self.assertFalse(AccessLog.objects.exists())
        self.p.client(self.p.binh).get(URL)
        self.assertEqual(
            AccessLog.objects.filter(user=self.p.binh, member=self.p.an_member).count(), 1
        )

    def test_it_asks_for_criterion_grades_under_qd124(self) -> None:
        make_evaluation(self.p.an_member, make_cycle(2024, Regime.QD124))
        page = self.p.client(self.p.an).get("/kiem-diem/2024/DV-AN/")
        self.assertContains(page, "Tự đánh giá theo tiêu chí")
        self.assertContains(page, 'name="grade_politics"')
        self.assertNotContains(page, 'name="score_politics"')

    def test_the_page_and_a_draft_read_a_pinned_number_of_queries(self) -> None:
        client = self.p.client(self.p.an)
        client.get(URL)
        # Session, user, roles; the evaluation with its member; the copy, the follow-ups, the
        # manifestations ticked; the records the verdict reads (statuses, disciplines, state
        # results); the superiors' suggestions and who sees them; the access log.
        with self.assertNumQueries(PAGE_QUERIES):
            self.assertEqual(client.get(URL).status_code, 200)
        data = {"version": 0, "section_strengths": "Tích cực", "tasks_done": "100"}
        # Session, user, roles, the evaluation, copy, posts, follow-ups; in a transaction
        # the evaluation and the copy again, the posts (this first draft creates the copy),
        # the copy written with its manifestations and follow-ups, the evaluation written;
        # the verdict's records. No suggestion, no access log: the answer is the status part.
        with self.assertNumQueries(DRAFT_QUERIES):
            r = client.post(URL, data, headers={"X-Draft": "1"})
        self.assertEqual(r["X-Draft-Result"], "saved")
        # The next drafts read no posts (the copy knows its form) and the manifestations
        # ticked only to write them.
        data["version"] = r["X-Draft-Version"]
        with self.assertNumQueries(NEXT_DRAFT_QUERIES):
            r = client.post(URL, data, headers={"X-Draft": "1"})
        self.assertEqual(r["X-Draft-Result"], "saved")
