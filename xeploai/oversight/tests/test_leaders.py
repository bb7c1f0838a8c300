"""Suggestions to a leader about their review as a leader (S2): issued by the level above the
post's unit, found by the member's code where they are classified, confidential until sent,
read then by the leader and by the committee that manages them, never by the unit's own
officers nor its members; explained by the leader, whose report waits for the explanations,
and shown on the leader's page beside the review. A review of a leader attended counts as an
individual's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import TestCase

from xeploai.accounts.models import User
from xeploai.core.testing import post_title
from xeploai.cycles.models import LeaderEvaluation, Level, Step
from xeploai.members.models import Member, Post
from xeploai.oversight import actions
from xeploai.oversight.forms import NewSuggestionForm
from xeploai.oversight.models import AttendanceKind, SubjectKind, Suggestion
from xeploai.oversight.rules import attendance_counts, load_points, unexplained
from xeploai.reviews.actions import ReviewError
from xeploai.reviews.actions import leaders as reviews
from xeploai.reviews.actions.self_review import ReportData
from xeploai.reviews.rules import member_form
from xeploai.reviews.sheets import spread

from .scene import POINTS, Scene, answer, attend, make_scene, suggest

SECTIONS = {
    "strengths": "Lãnh đạo hoàn thành các chỉ tiêu.",
    "weaknesses": "Có lúc chỉ đạo chưa sát.",
    "plan": "Tăng cường kiểm tra.",
}


class LeaderSuggestionsTestCase(TestCase):
    s: Scene
    binh: LeaderEvaluation  # the commune's secretary, decided by the district
    an: LeaderEvaluation  # cell A's deputy secretary, decided by the commune

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()
        p = cls.s.p
        for member, name, unit, head in (
            (Member.objects.get(code="DV-BINH"), "Bí thư", p.commune, True),
            (p.an_member, "Phó Bí thư chi bộ", p.cell_a, False),
        ):
            t = post_title(name)
            Post.objects.create(
                member=member, kind=t.kind, title=t.name, post_title=t, unit=unit, head=head,
                start=dt.date(2021, 1, 1),
            )  # fmt: skip
        reviews.open_leaders(p.commune, cycle=cls.s.cycle)
        rows = LeaderEvaluation.objects.select_related("member", "post", "unit", "cycle")
        cls.binh = rows.get(member__code="DV-BINH")
        cls.an = rows.get(member=p.an_member)

    def readers(self, suggestion: Suggestion) -> set[str]:
        users = {n: u for n, u in self.s.users().items() if u is not None}
        return {
            name
            for name, user in users.items()
            if Suggestion.objects.visible_to(User.objects.get(pk=user.pk))
            .filter(pk=suggestion.pk)
            .exists()
        }

    def form(self, code: str, superior: Any = None, **data: str) -> NewSuggestionForm:
        fields = {
            "subject_kind": SubjectKind.LEADER,
            "code": code,
            "issued_on": "2026-11-02",
            "points": "\n".join(POINTS),
        }
        return NewSuggestionForm(
            fields | data, superior=superior or self.s.p.district, cycle=self.s.cycle
        )

    def test_the_form_finds_the_leader_by_their_code_below_the_superior(self) -> None:
        form = self.form("dv-binh")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.subject, self.binh)
        # The commune reviews its secretary under the district, never under itself.
        form = self.form("DV-BINH", superior=self.s.p.commune)
        self.assertFalse(form.is_valid())
        self.assertEqual(
            form.errors["code"],
            [
                "Không tìm thấy cán bộ lãnh đạo, quản lý mã «DV-BINH» giữ chức vụ ở cấp dưới"
                " của Đảng bộ xã Hoa Thành trong năm 2026."
            ],
        )
        form = self.form("DV-EM")  # a member holding no leading post
        self.assertFalse(form.is_valid())
        self.assertIn("Không tìm thấy cán bộ lãnh đạo", form.errors["code"][0])

    def test_it_is_read_by_the_leader_and_the_committee_managing_them_only(self) -> None:
        draft = suggest(self.s, self.binh)
        self.assertEqual(self.readers(draft), {"dung", "thuong"})
        sent = actions.release_suggestion(draft, by=self.s.p.dung)
        # Chi, the commune's officer, does not decide her own secretary; An sits in his
        # collective; Em runs the sibling cell.
        self.assertEqual(self.readers(sent), {"binh", "dung", "thuong"})
        # An's, decided by the commune: Chi reads it; Bình, her cell's secretary, does not.
        deputy = suggest(self.s, self.an, send=True)
        self.assertEqual(self.readers(deputy), {"an", "chi", "dung", "thuong"})
        # Her suggestion as a leader is not her suggestion as a member.
        self.assertEqual(unexplained(self.s.an), 0)
        self.assertEqual(unexplained(self.an), 2)

    def test_the_report_waits_for_the_explanations(self) -> None:
        sent = suggest(self.s, self.binh, send=True)
        binh = self.s.p.binh
        form = member_form(self.binh.member, self.s.cycle)
        scores = spread(Decimal(28), form.general) | spread(Decimal(64), form.task_results)
        data = ReportData(
            sections=SECTIONS, scores=scores, tasks_done=Decimal(100), level_self=Level.GOOD
        )
        e = reviews.save_leader_review(self.binh, by=binh, version=self.binh.version, data=data)
        with self.assertRaisesMessage(
            ReviewError, "Bản kiểm điểm còn thiếu: giải trình 2 vấn đề cấp trên gợi ý kiểm điểm."
        ):
            reviews.submit_leader_review(e, by=binh, version=e.version)
        answer(sent, binh, "Đã chấn chỉnh sinh hoạt.", "Chỉ tiêu chậm do thiên tai.")
        self.assertEqual(unexplained(self.binh), 0)
        e = reviews.submit_leader_review(e, by=binh, version=e.version)
        self.assertEqual(e.step, Step.SUBMITTED)

    def test_the_leaders_page_shows_the_points_and_their_explanations(self) -> None:
        sent = suggest(self.s, self.binh, send=True)
        answer(sent, self.s.p.binh, "Đã chấn chỉnh sinh hoạt.")
        page = f"/kiem-diem/lanh-dao/2026/{self.s.p.commune.code}/DV-BINH/"
        for user in (self.s.p.binh, self.s.thuong, self.s.p.dung):
            response = self.s.p.client(user).get(page)
            self.assertContains(response, "Gợi ý kiểm điểm của cấp trên")
            self.assertContains(response, POINTS[0])
            self.assertContains(response, "Đã chấn chỉnh sinh hoạt.")
            self.assertContains(response, "Còn 1 vấn đề chưa được giải trình.")
        self.assertContains(self.s.p.client(self.s.p.binh).get(page), "Viết giải trình")
        self.assertNotContains(self.s.p.client(self.s.p.chi).get(page), POINTS[0])
        self.assertFalse(load_points(self.binh, self.s.p.an)["oversight"])
        # His home lists what is left to explain.
        home = self.s.p.client(self.s.p.binh).get("/")
        self.assertContains(home, "đã giải trình 1/2 vấn đề")

    def test_an_attended_review_of_a_leader_counts_as_an_individual(self) -> None:
        attend(self.s, self.binh, AttendanceKind.DIRECTED)
        attend(self.s, self.an)
        attend(self.s, self.s.cell_a)
        counts = attendance_counts(self.s.p.district, self.s.cycle)
        self.assertEqual(
            (
                counts.directed_collectives,
                counts.directed_individuals,
                counts.attended_collectives,
                counts.attended_individuals,
            ),
            (0, 1, 1, 1),
        )
