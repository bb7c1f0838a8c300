"""Each page in a pinned number of queries, whatever the number of rows it shows (STYLE.md
20). The first four of every page are the session, the user, their second factor's device
(for those who must have one) and their roles."""

from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import make_member
from xeploai.cycles.models import MemberEvaluation
from xeploai.oversight.models import AttendanceKind
from xeploai.reviews import actions as reviews

from .scene import Scene, answer, attend, make_scene, suggest


class QueryCountsTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def more_rows(self) -> None:
        """Six more members below the district, each with a sent suggestion and a record."""
        for n in range(6):
            member = make_member(self.s.p.cell_b, full_name=f"Đảng viên {n}")
            evaluation = reviews.enrol(member, cycle=self.s.cycle)
            evaluation = MemberEvaluation.objects.select_related("member", "cycle").get(
                pk=evaluation.pk
            )
            suggest(self.s, evaluation, send=n % 2 == 0)
            attend(self.s, evaluation, AttendanceKind.DIRECTED)

    def count(self, user: object, path: str, n: int) -> None:
        client = self.s.p.client(user)  # type: ignore[arg-type]
        with self.assertNumQueries(n):
            self.assertEqual(client.get(path).status_code, 200, path)

    def test_it_shows_the_superiors_list_in_eleven_queries(self) -> None:
        path = "/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026"
        suggest(self.s, self.s.an, send=True)
        attend(self.s, self.s.commune)
        # + unit, cycle, suggestions, records, the subtree's counts, the access log
        self.count(self.s.p.dung, path, 11)
        self.more_rows()
        self.count(self.s.p.dung, path, 11)

    def test_it_shows_a_suggestion_in_seven_queries(self) -> None:
        sent = suggest(self.s, self.s.an, send=True, points=[f"Vấn đề {n}" for n in range(9)])
        answer(sent, self.s.p.an, *[f"Giải trình {n}" for n in range(9)])
        # + the suggestion, its points with their explanations, the access log
        self.count(self.s.p.dung, f"/kiem-diem/cap-tren/goi-y/{sent.pk}/", 7)
        draft = suggest(self.s, self.s.cell_b, points=[f"Vấn đề {n}" for n in range(9)])
        self.count(self.s.p.dung, f"/kiem-diem/cap-tren/goi-y/{draft.pk}/", 7)

    def test_it_shows_the_explanation_page_in_five_queries(self) -> None:
        sent = suggest(self.s, self.s.an, send=True, points=[f"Vấn đề {n}" for n in range(9)])
        answer(sent, self.s.p.an, "Giải trình")
        # An has no device: session, user, roles, the suggestion, its points.
        self.count(self.s.p.an, f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/", 5)

    def test_it_lists_what_was_sent_in_four_queries(self) -> None:
        suggest(self.s, self.s.an, send=True)
        self.count(self.s.p.an, "/kiem-diem/cap-tren/goi-y/", 4)
        for subject in (self.s.cell_a, self.s.commune):
            suggest(self.s, subject, send=True)
        self.count(self.s.p.chi, "/kiem-diem/cap-tren/goi-y/", 5)  # + Chi's device
        self.more_rows()
        self.count(self.s.p.chi, "/kiem-diem/cap-tren/goi-y/", 5)

    def test_it_shows_the_forms_in_seven_queries(self) -> None:
        # + the unit seen, the unit, the cycle
        self.count(self.s.p.dung, "/kiem-diem/cap-tren/don-vi/DB-HUYEN/goi-y/moi/?nam=2026", 7)
        self.count(self.s.p.dung, "/kiem-diem/cap-tren/don-vi/DB-HUYEN/du-chi-dao/moi/?nam=2026", 7)
        record = attend(self.s, self.s.an)
        # + the record, the access log
        self.count(self.s.p.dung, f"/kiem-diem/cap-tren/du-chi-dao/{record.pk}/", 6)
