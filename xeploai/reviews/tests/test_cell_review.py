from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_member, make_personas, make_unit
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.members.models import Transfer
from xeploai.reviews import actions
from xeploai.reviews.models import Input, Meeting
from xeploai.units.models import FieldType

from .flow import evaluation_of, meet, submit

URL = "/kiem-diem/chi-bo/CB-A/"
CELL_PAGE_QUERIES = 18
MEETING = {
    "held_on": "2026-11-20",
    "chair": "Lê Văn Bình",
    "summoned": "2",
    "present": "2",
    "secret_ballot": "on",
}


class CellReviewTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        actions.open_cycle(cls.p.commune, cycle=cls.cycle, by=cls.p.chi)

    def an(self) -> MemberEvaluation:
        return evaluation_of(self.p.an_member, self.cycle)

    def proposal(self, user: Any, level: str = "2") -> Any:
        data = {
            "level": level,
            "votes_2": "2",
            "conclusion": "Hoàn thành tốt",
            "weaknesses": "Chậm",
        }
        return self.p.client(user).post("/kiem-diem/2026/DV-AN/de-xuat/", data, follow=True)

    def test_it_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.em, self.p.an):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.p.client(user).post(URL, MEETING).status_code, 404)
        for user in (self.p.binh, self.p.chi, self.p.dung):
            self.assertContains(self.p.client(user).get(URL), "Trần Thị An")
        for user in (self.p.chi, self.p.dung):  # read-only above the cell
            self.assertEqual(self.p.client(user).post(URL, MEETING).status_code, 403)
            self.assertEqual(self.proposal(user).status_code, 403)
        self.assertEqual(self.proposal(self.p.em).status_code, 404)
        self.assertFalse(Meeting.objects.exists())

    def test_it_records_the_meeting(self) -> None:
        r = self.p.client(self.p.binh).post(
            URL, {**MEETING, "summoned": "3", "absences": "Trần Văn C — đi công tác"}, follow=True
        )
        self.assertContains(r, "có mặt 2/3 đảng viên")
        self.assertContains(r, "Trần Văn C (đi công tác)")
        self.assertEqual(
            Meeting.objects.get().absences, [{"name": "Trần Văn C", "reason": "đi công tác"}]
        )

    def test_it_refuses_a_meeting_without_quorum_or_reasons(self) -> None:
        r = self.p.client(self.p.binh).post(URL, {**MEETING, "summoned": "4"})
        self.assertContains(r, "hai phần ba")
        r = self.p.client(self.p.binh).post(URL, {**MEETING, "absences": "Trần Văn C"})
        self.assertContains(r, "thiếu lý do vắng mặt")
        self.assertFalse(Meeting.objects.exists())

    def test_it_proposes_a_level(self) -> None:
        submit(self.an(), self.p.an)
        meet(self.p.cell_a, self.cycle, self.p.binh, summoned=2, present=2)
        self.assertContains(self.p.client(self.p.binh).get(URL), "Ghi nhận đề xuất")
        r = self.proposal(self.p.binh)
        self.assertNotContains(r, 'class="error"')
        e = self.an()
        self.assertEqual((e.step, e.level_proposed), (Step.PROPOSED, Level.GOOD))

    def test_it_shows_why_a_proposal_is_refused(self) -> None:
        submit(self.an(), self.p.an, exceeded=Decimal(0))  # EXCELLENT needs 30 % (R20)
        meet(self.p.cell_a, self.cycle, self.p.binh, summoned=2, present=2)
        r = self.proposal(self.p.binh, level=str(Level.EXCELLENT))
        self.assertContains(r, "chỉ được xếp loại tối đa")
        self.assertContains(r, "R20")
        self.assertEqual(self.an().step, Step.SUBMITTED)

    def test_it_keeps_what_was_typed_when_a_proposal_is_refused(self) -> None:
        submit(self.an(), self.p.an, exceeded=Decimal(0))  # EXCELLENT needs 30 % (R20)
        meet(self.p.cell_a, self.cycle, self.p.binh, summoned=2, present=2)
        data = {
            "level": str(Level.EXCELLENT),
            "votes_1": "2",
            "comments": "Đồng chí Bình góp ý: cần chủ động hơn.",
            "conclusion": "Chủ trì kết luận: hoàn thành xuất sắc.",
            "weaknesses": "Chậm báo cáo",
        }
        r = self.p.client(self.p.binh).post("/kiem-diem/2026/DV-AN/de-xuat/", data)
        self.assertContains(r, "Chưa ghi nhận đề xuất")
        self.assertContains(r, "Đồng chí Bình góp ý: cần chủ động hơn.")
        self.assertContains(r, "Chủ trì kết luận: hoàn thành xuất sắc.")
        self.assertContains(r, "Chậm báo cáo")
        self.assertContains(r, '<option value="1" selected>')

    def test_it_says_a_proposal_is_recorded(self) -> None:
        submit(self.an(), self.p.an)
        meet(self.p.cell_a, self.cycle, self.p.binh, summoned=2, present=2)
        r = self.proposal(self.p.binh)
        self.assertContains(
            r, "Đã ghi nhận đề xuất xếp loại đồng chí Trần Thị An: Hoàn thành tốt nhiệm vụ."
        )

    def test_it_shows_the_meeting_date_and_takes_it_back_unchanged(self) -> None:
        client = self.p.client(self.p.binh)
        client.post(URL, MEETING)
        page = client.get(URL).content.decode()
        self.assertIn('name="held_on" value="2026-11-20"', page)
        fields = dict(re.findall(r'name="(held_on|chair|summoned|present)" value="([^"]*)"', page))
        r = client.post(URL, {**fields, "secret_ballot": "on"}, follow=True)
        self.assertContains(r, "Đã lưu thông tin cuộc họp")
        self.assertEqual(Meeting.objects.get().held_on, dt.date(2026, 11, 20))

    def test_it_lists_and_takes_missing_inputs(self) -> None:
        office = make_unit(self.p.commune, code="CB-UB", field_type=FieldType.ADMINISTRATION)
        Transfer.objects.create(
            member=self.p.an_member,
            from_cell=office,
            to_cell=self.p.cell_a,
            date=dt.date(2026, 8, 1),
        )
        page = self.p.client(self.p.binh).get(URL)
        self.assertContains(page, "Còn thiếu ý kiến tham gia")
        self.assertContains(page, f"Chi bộ cũ (sinh hoạt từ 6 tháng trở lên): {office.name}")
        self.p.client(self.p.binh).post(
            "/kiem-diem/2026/DV-AN/y-kien/",
            {"kind": "OLD_CELL", "source": office.name, "text": "Tốt"},
        )
        self.assertTrue(Input.objects.get().from_paper)
        self.assertNotContains(self.p.client(self.p.binh).get(URL), "Còn thiếu ý kiến tham gia")

    def test_it_guards_the_input_form(self) -> None:
        url = "/kiem-diem/2026/DV-AN/y-kien/"
        data = {"kind": "RESIDENCE", "source": "Chi bộ nơi cư trú", "text": "Tốt"}
        self.assertEqual(self.p.client(None).post(url, data).status_code, 302)
        for user in (self.p.nobody, self.p.em):
            self.assertEqual(self.p.client(user).post(url, data).status_code, 404)
        for user in (self.p.an, self.p.chi, self.p.dung):
            self.assertEqual(self.p.client(user).post(url, data).status_code, 403)
        self.assertFalse(Input.objects.exists())
        self.assertEqual(self.p.client(self.p.binh).post(url, data).status_code, 302)
        self.assertTrue(Input.objects.get().from_paper)

    def test_the_page_reads_a_pinned_number_of_queries_however_many_members(self) -> None:
        client = self.p.client(self.p.binh)
        client.get(URL)
        with self.assertNumQueries(CELL_PAGE_QUERIES):
            self.assertEqual(client.get(URL).status_code, 200)
        for n in range(3):
            member = make_member(self.p.cell_a, full_name=f"Đảng viên {n}")
            submit(actions.enrol(member, cycle=self.cycle), self.p.binh)
        with self.assertNumQueries(CELL_PAGE_QUERIES):
            self.assertEqual(client.get(URL).status_code, 200)
