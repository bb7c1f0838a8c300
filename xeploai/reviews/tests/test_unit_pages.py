from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import TestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    make_user,
)
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Status, Step, UnitEvaluation
from xeploai.members.models import Post, PostKind
from xeploai.reviews import actions
from xeploai.reviews.sheets import collective_form, spread

from .flow import DECISION, SECTIONS, proposed_commune
from .unit_flow import propose_unit, submit_unit, unit_evaluation

CELL_A = "/kiem-diem/to-chuc/2026/CB-A/"
COMMUNE = "/kiem-diem/to-chuc/2026/DB-XA/"
COLLECTIVE = "/kiem-diem/tap-the/2026/DB-XA/"
DECIDE_CELLS = "/kiem-diem/to-chuc/quyet-dinh/DB-XA/?nam=2026"
DECIDE_COMMUNES = "/kiem-diem/to-chuc/quyet-dinh/DB-HUYEN/?nam=2026"
# The access log's entry, the cells' results and their quota, what waits below them, and the
# engine's facts of all of them together (results below, members' levels, the discipline of
# who leads them, the peers' levels).
DECIDE_PAGE = 16
START = dt.date(2020, 1, 1)


class UnitPagesTestCase(TestCase):
    """The organisation's page and the deciding committee's page, for each persona."""

    p: Personas
    cycle: Cycle
    thuong: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        cls.thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, cls.p.district),))
        proposed_commune(cls.p, cls.cycle, an=Level.GOOD)

    def client_of(self, user: User | None) -> Any:
        return self.p.client(user)

    def report(self, **extra: Any) -> dict[str, Any]:
        e = unit_evaluation(self.p.cell_a, self.cycle)
        form = collective_form(self.cycle.settings.regime)
        scores = spread(Decimal(28), form.general) | spread(Decimal(65), form.task_results)
        data: dict[str, Any] = {
            "report": "1",
            "version": e.version,
            "tasks_done": "100",
            "tasks_exceeded": "40",
            "key_targets_missed": "no",
            "level_self": "2",
            **{f"section_{k}": v for k, v in SECTIONS.items()},
            **{f"score_{k}": str(v).replace(".", ",") for k, v in scores.items()},
        }
        data.update(extra)
        return data

    def test_it_follows_the_permission_matrix(self) -> None:
        for path in (CELL_A, COMMUNE, COLLECTIVE, DECIDE_CELLS):
            self.assertEqual(self.client_of(None).get(path).status_code, 302, path)
            for outsider in (self.p.nobody, self.p.an):
                self.assertEqual(self.client_of(outsider).get(path).status_code, 404, path)
        self.assertEqual(self.client_of(self.p.em).get(CELL_A).status_code, 404)  # sibling cell
        for user in (self.p.binh, self.p.chi, self.p.dung, self.thuong):
            self.assertContains(self.client_of(user).get(CELL_A), "Chi bộ xóm 1")
        # Inside the scope, writing without the power is forbidden.
        r = self.client_of(self.p.dung).post(CELL_A, self.report())
        self.assertEqual(r.status_code, 403)  # the board sees the cell's report, never writes it
        r = self.client_of(self.p.binh).post(DECIDE_CELLS, {"number": "1", "date": "2026-12-01"})
        self.assertEqual(r.status_code, 404)  # a cell's secretary does not see the commune
        r = self.client_of(self.p.dung).post(DECIDE_CELLS, {"number": "1", "date": "2026-12-01"})
        self.assertEqual(r.status_code, 403)  # the board examines, the committee decides
        self.assertEqual(unit_evaluation(self.p.cell_a, self.cycle).version, 0)

    def test_it_saves_a_draft_and_submits_the_report(self) -> None:
        binh = self.client_of(self.p.binh)
        r = binh.post(CELL_A, self.report(), headers={"X-Draft": "1"})
        self.assertEqual((r["X-Draft-Result"], r["X-Draft-Version"]), ("saved", "1"))
        self.assertContains(r, "Tổng điểm tự chấm: 93,0")
        stale = binh.post(
            CELL_A, self.report(version="0", section_plan="Khác"), headers={"X-Draft": "1"}
        )
        self.assertEqual(stale["X-Draft-Result"], "conflict")
        r = binh.post(CELL_A, self.report(version="1", submit="1"), follow=True)
        self.assertContains(r, "Đã nộp báo cáo kiểm điểm")
        self.assertEqual(unit_evaluation(self.p.cell_a, self.cycle).step, Step.SUBMITTED)
        late = binh.post(CELL_A, self.report(version="2", submit="1"), headers={"X-Draft": "1"})
        self.assertEqual(late["X-Draft-Result"], "refused")  # never "saved" once submitted

    def test_it_takes_a_cell_from_proposal_to_appraisal(self) -> None:
        submit_unit(unit_evaluation(self.p.cell_a, self.cycle), self.p.binh)
        chi = self.client_of(self.p.chi)
        r = chi.post(CELL_A, {"step": "propose", "level": "2", "note": "Thống nhất"}, follow=True)
        self.assertContains(r, "Đã ghi nhận")
        # The cell's members are not decided yet: the committee sees what it waits on.
        page = chi.get(DECIDE_CELLS)
        self.assertContains(page, "Chi bộ xóm 1")
        e = unit_evaluation(self.p.cell_a, self.cycle)
        decide = {"number": "20-QĐ/ĐU", "date": "2026-12-10", f"level_{e.pk}": "2"}
        r = chi.post(DECIDE_CELLS, decide)
        self.assertContains(r, "chưa được quyết định")
        members = MemberEvaluation.objects.filter(cycle=self.cycle, cell=self.p.cell_a)
        actions.decide(
            self.p.commune,
            cycle=self.cycle,
            by=self.p.chi,
            levels={m.pk: Level.GOOD for m in members},
            decision=DECISION,
        )
        r = chi.post(DECIDE_CELLS, decide, follow=True)
        self.assertContains(r, "Đã quyết định 1 kết quả")
        dung = self.client_of(self.p.dung)
        adjust = {"step": "appraise", "action": "adjust", "level": "3", "reason": "Sai sót"}
        r = dung.post(CELL_A, adjust, follow=True)
        self.assertContains(r, "Đã ghi nhận")
        e = unit_evaluation(self.p.cell_a, self.cycle)
        self.assertEqual((e.step, e.level_final), (Step.APPRAISED, Level.COMPLETED))
        self.assertContains(dung.get(CELL_A), "Thẩm định, điều chỉnh")  # in its history

    def test_it_refuses_a_step_taken_by_the_wrong_body(self) -> None:
        submit_unit(unit_evaluation(self.p.cell_a, self.cycle), self.p.binh)
        r = self.client_of(self.p.binh).post(
            CELL_A, {"step": "propose", "level": "1", "note": "Tự đề xuất"}
        )
        self.assertEqual(r.status_code, 403)
        self.assertEqual(unit_evaluation(self.p.cell_a, self.cycle).step, Step.SUBMITTED)

    def test_it_shows_the_communes_decider_what_it_waits_on(self) -> None:
        e = submit_unit(unit_evaluation(self.p.commune, self.cycle), self.p.chi)
        propose_unit(e, self.p.dung, Level.GOOD)
        page = self.client_of(self.thuong).get(DECIDE_COMMUNES)
        self.assertContains(page, "Đảng bộ xã Hoa Thành")
        self.assertContains(page, '<span class="error">5</span>', html=True)  # 3 members, 2 cells
        page = self.client_of(self.thuong).get(COMMUNE)
        self.assertContains(page, "Còn 5 kết quả cấp dưới chưa được quyết định")
        self.assertContains(page, "/kiem-diem/2026/DV-AN/")  # a link to the member's review

    def test_it_lists_the_members_of_the_leadership_collective(self) -> None:
        Post.objects.create(
            member=self.p.an_member,
            kind=PostKind.PARTY,
            title="Phó Bí thư Đảng ủy",
            unit=self.p.commune,
            start=dt.date(2020, 1, 1),
        )
        page = self.client_of(self.p.dung).get(COLLECTIVE)
        self.assertContains(page, "Trần Thị An — Phó Bí thư Đảng ủy")
        self.assertNotContains(self.client_of(self.p.dung).get(COMMUNE), "Phó Bí thư Đảng ủy")

    def test_it_shows_each_body_its_work_at_home(self) -> None:
        home = self.client_of(self.p.binh).get("/")
        self.assertContains(home, f'<a href="{CELL_A}">1 báo cáo kiểm điểm của đơn vị chưa nộp')
        submit_unit(unit_evaluation(self.p.cell_a, self.cycle), self.p.binh)
        home = self.client_of(self.p.chi).get("/")
        self.assertContains(home, f'<a href="{COMMUNE}">2 báo cáo kiểm điểm của đơn vị chưa nộp')
        self.assertContains(home, f'<a href="{DECIDE_CELLS}">1 báo cáo cấp dưới chờ thẩm định')
        self.assertNotContains(self.client_of(self.p.binh).get("/"), "báo cáo kiểm điểm của đơn vị")

    def test_it_is_reached_from_the_units_page(self) -> None:
        page = self.client_of(self.p.chi).get("/don-vi/DB-XA/")
        for path in (COMMUNE, COLLECTIVE, DECIDE_CELLS):
            self.assertContains(page, f'href="{path}"')
        page = self.client_of(self.p.binh).get("/don-vi/CB-A/")
        self.assertContains(page, f'href="{CELL_A}"')
        self.assertNotContains(page, "/kiem-diem/tap-the/")  # a cell's committee reports with it

    def test_it_reads_the_pages_in_a_fixed_number_of_queries(self) -> None:
        chi = self.client_of(self.p.chi)
        chi.get(CELL_A)
        # One of them writes the access log's entry; one reads the superior's suggestions.
        with self.assertNumQueries(23):
            chi.get(CELL_A)
        # The access log's entry, and the engine's facts of all the cells together.
        with self.assertNumQueries(DECIDE_PAGE):
            chi.get(DECIDE_CELLS)
        for _n in range(3):  # more cells, with members, posts and results of their own
            cell = make_unit(self.p.commune)
            member = make_member(cell)
            Post.objects.create(member=member, kind=PostKind.PARTY, unit=cell, start=START)
            UnitEvaluation.objects.create(cycle=self.cycle, unit=cell, unit_path=cell.path)
            make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=Level.GOOD)
        with self.assertNumQueries(DECIDE_PAGE):
            page = chi.get(DECIDE_CELLS)
        self.assertContains(page, cell.name)
