from __future__ import annotations

import io

from django.test import TestCase
from docx import Document

from xeploai.accounts.models import AccessLog
from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, Level
from xeploai.reviews import actions

from .flow import evaluation_of, meet, submit

URL = "/kiem-diem/chi-bo/CB-A/bien-ban/"


class MinutesTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)
        meet(p.cell_a, cls.cycle, p.binh, summoned=3, present=2)
        actions.propose(
            submit(evaluation_of(p.an_member, cls.cycle), p.an),
            by=p.binh,
            data=actions.ProposalData(
                Level.GOOD, "Hoàn thành tốt nhiệm vụ", {Level.GOOD: 2}, comments="Cần chủ động"
            ),
        )

    def text(self, content: bytes) -> str:
        doc = Document(io.BytesIO(content))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
        for user in (self.p.binh, self.p.chi, self.p.dung):
            self.assertEqual(self.p.client(user).get(URL).status_code, 200)
        self.assertEqual(
            self.p.client(self.p.binh).get("/kiem-diem/chi-bo/CB-B/bien-ban/").status_code, 404
        )

    def test_it_writes_the_minutes_of_the_meeting(self) -> None:
        r = self.p.client(self.p.binh).get(URL)
        self.assertIn("bien-ban-kiem-diem-2026-CB-A.docx", r["Content-Disposition"])
        text = self.text(r.content)
        self.assertIn("CHI BỘ XÓM 1", text)
        self.assertIn("Xã Hoa Thành, ngày 20 tháng 11 năm 2026", text)
        self.assertIn("Số đảng viên được triệu tập: 3; có mặt: 2; vắng mặt: 1.", text)
        self.assertIn("Đồng chí Trần Thị An", text)
        self.assertIn("Ý kiến góp ý, phê bình: Cần chủ động", text)
        self.assertIn("Kết quả biểu quyết (bỏ phiếu kín): Hoàn thành tốt nhiệm vụ: 2.", text)
        self.assertIn("0 / 2 / 0 / 0", text)
        self.assertNotIn("{{", text)

    def test_it_logs_the_export(self) -> None:
        self.p.client(self.p.chi).get(URL)
        self.assertTrue(AccessLog.objects.filter(user=self.p.chi, action="EXPORT").exists())
