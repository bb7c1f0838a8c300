from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from django.test import TestCase
from docx import Document

from xeploai.accounts.models import AccessLog
from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, Level
from xeploai.members.models import Member
from xeploai.reviews import actions
from xeploai.reviews.models import Proposal
from xeploai.units.models import Unit

from .flow import evaluation_of, meet, submit

URL = "/kiem-diem/chi-bo/CB-A/bien-ban/"

# Every field a person types that reaches the minutes: plain, then as an attacker (or a
# careless paste) would type it: markup of the document itself, the template's own tags,
# characters XML escapes, and control characters Word cannot read or docxtpl turns into
# paragraphs (\a), pages (\f) and tabs. Multi-line fields have as many lines in both.
PLAIN = {
    "commune": "Đảng bộ xã Hoa Thành",
    "cell": "Chi bộ xóm 1",
    "chair": "Lê Văn Bình",
    "taker": "Phạm Thị Thư",
    "absent": "Ngô Văn Vắng",
    "reason": "Đi công tác",
    "member": "Trần Thị An",
    "comments": "Dòng một\nDòng hai",
    "conclusion": "Kết luận\nthứ hai",
}
HOSTILE = {
    "commune": 'Đảng bộ xã <Hoa> & "Thành"',
    "cell": "Chi bộ 'xóm' </w:t></w:r></w:p><w:p>1",
    "chair": (
        'X</w:t></w:r></w:p><w:p><w:r><w:rPr><w:b/><w:color w:val="FF0000"/></w:rPr><w:t>GIẢ MẠO'
    ),
    "taker": "A & B <c> {{ chair }} {%p if 1 %}",
    "absent": "Lê <Văn> & Tư",
    "reason": "ốm</w:t></w:r><w:r><w:t>\a{_{ x }_}",
    "member": "Trần & <Thị> An",
    "comments": "Dòng 1 & <2>\x0b\nDòng 2 {_% x %_}\a\f\tcuối",
    "conclusion": "Kết luận\n<w:br/> & =1+1",
}


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

    def typed(self, values: dict[str, str]) -> bytes:
        """The minutes once these values are typed in every field that reaches them."""
        p = self.p
        Unit.objects.filter(pk=p.commune.pk).update(name=values["commune"])
        Unit.objects.filter(pk=p.cell_a.pk).update(name=values["cell"])
        Member.objects.filter(pk=p.an_member.pk).update(full_name=values["member"])
        data = actions.MeetingData(
            held_on=dt.date(2026, 11, 20),
            chair=values["chair"],
            minutes_taker=values["taker"],
            summoned=3,
            present=2,
            absences=[{"name": values["absent"], "reason": values["reason"]}],
        )
        actions.record_meeting(p.cell_a, cycle=self.cycle, by=p.binh, data=data)
        Proposal.objects.filter(evaluation__member=p.an_member).update(
            comments=values["comments"], conclusion=values["conclusion"]
        )
        response = p.client(p.binh).get(URL)
        self.assertEqual(response.status_code, 200)
        return response.content

    def skeleton(self, content: bytes) -> str:
        """The document's XML without its text: its paragraphs, runs and their formats."""
        xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
        return re.sub(r"<w:t(?: [^>]*)?>[^<]*</w:t>", "<w:t/>", xml)

    def test_it_prints_what_was_typed_and_nothing_more(self) -> None:
        plain, hostile = self.typed(PLAIN), self.typed(HOSTILE)
        self.assertEqual(self.skeleton(hostile), self.skeleton(plain))
        lines = self.text(hostile).splitlines()
        for expected in (
            'ĐẢNG BỘ XÃ <HOA> & "THÀNH"',
            "CHI BỘ 'XÓM' </W:T></W:R></W:P><W:P>1",
            'Xã <Hoa> & "Thành", ngày 20 tháng 11 năm 2026',
            "Ngày 20/11/2026, Chi bộ 'xóm' </w:t></w:r></w:p><w:p>1 tổ chức hội nghị kiểm điểm,"
            " đánh giá, xếp loại chất lượng đảng viên năm 2026 theo"
            f" {self.cycle.get_regime_display()}.",
            f"Chủ trì hội nghị: đồng chí {HOSTILE['chair']}. Thư ký: đồng chí {HOSTILE['taker']}.",
            "- Đồng chí Lê <Văn> & Tư: ốm</w:t></w:r><w:r><w:t> {_{ x }_}.",
            "1. Đồng chí Trần & <Thị> An",
            "Ý kiến góp ý, phê bình: Dòng 1 & <2>",
            "Dòng 2 {_% x %_}   cuối",
            "Kết luận của chủ trì: Kết luận",
            "<w:br/> & =1+1",
            "Trần & <Thị> An",  # the summary table
            HOSTILE["taker"],  # the signatures
            HOSTILE["chair"],
        ):
            self.assertIn(expected, lines)

    def test_it_logs_the_export(self) -> None:
        self.p.client(self.p.chi).get(URL)
        self.assertTrue(AccessLog.objects.filter(user=self.p.chi, action="EXPORT").exists())
