from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.accounts.models import AccessLog
from xeploai.core.testing import Personas, make_cycle, make_evaluation, make_personas
from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.reviews import actions
from xeploai.rules import Regime

from .flow import SECTIONS, evaluation_of, scores_for

URL = "/kiem-diem/2026/DV-AN/"


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

    def post(self, user: Any, **extra: Any) -> Any:
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
        return self.p.client(user).post(URL, data)

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

    def test_it_saves_a_draft_in_place_and_shows_the_verdict(self) -> None:
        r = self.p.client(self.p.an).post(
            URL,
            {
                "version": 0,
                "section_strengths": "Tích cực",
                "score_politics": "10",
                "tasks_done": "100",
            },
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, "Đã lưu bản nháp")
        self.assertContains(r, 'name="version" id="id_version" value="1" hx-swap-oob="true"')
        self.assertContains(r, "Chưa đánh giá")  # the sheet is not complete yet
        self.assertNotContains(r, "<h1>")

    def test_it_reports_a_conflicting_save(self) -> None:
        self.post(self.p.an)
        r = self.p.client(self.p.binh).post(URL, {"version": 0, "section_plan": "khác"})
        self.assertContains(r, "vừa được người khác lưu")

    def test_it_refuses_a_score_above_the_maximum(self) -> None:
        r = self.post(self.p.an, score_politics="11")
        self.assertContains(r, "Có ô nhập chưa hợp lệ")
        self.assertEqual(self.evaluation().version, 0)

    def test_it_submits_and_locks_the_form(self) -> None:
        r = self.post(self.p.an, submit="1")
        self.assertRedirects(r, URL)
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
