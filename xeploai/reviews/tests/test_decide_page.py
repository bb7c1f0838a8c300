from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.reviews.models import QuotaException

from .flow import proposed_commune

URL = "/kiem-diem/quyet-dinh/DB-XA/"


class DecidePageTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(cls.p, cls.cycle)

    def levels(self, **by_code: Level) -> dict[str, str]:
        rows = MemberEvaluation.objects.filter(cycle=self.cycle).select_related("member")
        return {
            f"level_{e.pk}": str(by_code.get(e.member.code.replace("DV-", "").lower(), Level.GOOD))
            for e in rows
        }

    def post(self, user: Any, **data: Any) -> Any:
        payload = {"number": "15-QĐ/ĐU", "date": "2026-12-20", **data}
        return self.p.client(user).post(URL, payload, follow=True)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.binh, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.post(user, **self.levels()).status_code, 404)
        for user in (self.p.chi, self.p.dung):
            self.assertContains(self.p.client(user).get(URL), "Trần Thị An")
        self.assertEqual(self.post(self.p.dung, **self.levels()).status_code, 403)
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_shows_a_breach_and_refuses_to_decide(self) -> None:
        page = self.p.client(self.p.chi).get(URL)
        self.assertContains(page, "Vượt 1")
        self.assertContains(page, "Trần Thị An")
        r = self.post(self.p.chi, **self.levels(an=Level.EXCELLENT))
        self.assertContains(r, "Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ")
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())

    def test_it_decides_once_lowered(self) -> None:
        r = self.post(self.p.chi, **self.levels(an=Level.GOOD))
        self.assertContains(r, "Đã quyết định 3 kết quả")
        self.assertEqual(MemberEvaluation.objects.filter(step=Step.DECIDED).count(), 3)

    def test_it_decides_with_a_recorded_exception(self) -> None:
        levels = self.levels(an=Level.EXCELLENT)
        r = self.post(self.p.chi, exception_reason="Thành tích cứu hộ lũ", **levels)
        self.assertContains(r, "Ngoại lệ theo quyết định 15-QĐ/ĐU")
        self.assertEqual(QuotaException.objects.get().reason, "Thành tích cứu hộ lũ")

    def test_it_asks_for_the_decision_number(self) -> None:
        r = self.post(self.p.chi, number="", **self.levels(an=Level.GOOD))
        self.assertContains(r, "Trường này là bắt buộc")
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())
