"""The state evaluation beside the party's (R12, R17, R28): entered or imported by the
personnel office with its decision, never typed by the member; read by the rules from those
entries; due before the party's decision; compared with the party's levels."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.test import TestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import Personas, make_cycle, make_personas, make_user
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.imports.base import run_import
from xeploai.imports.kinds import STATE_RESULTS
from xeploai.imports.report import Report
from xeploai.members import state
from xeploai.members.models import Member, StateLevel, StateResult
from xeploai.reports.data import report
from xeploai.reports.standings import grassroots, state_standings
from xeploai.reports.tables import tables
from xeploai.reviews import actions
from xeploai.reviews.state import state_standing
from xeploai.reviews.tests.flow import DECISION, evaluation_of, proposed_commune

URL = "/dang-vien/danh-gia-cong-chuc/DB-XA/"
HEADERS = ["Mã đảng viên", "Năm đánh giá", "Mức xếp loại", "Số quyết định", "Ngày quyết định"]


def entry(level: StateLevel, year: int = 2026) -> state.StateResultData:
    return state.StateResultData(year, level, "125/QĐ-UBND", dt.date(year, 11, 25))


class StateResultsTestCase(TestCase):
    p: Personas
    cycle: Cycle
    office: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(cls.p, cls.cycle)  # An proposed EXCELLENT, Bình and Em GOOD
        Member.objects.filter(code__in=["DV-AN", "DV-BINH"]).update(civil_servant=True)
        cls.office = make_user("van_phong", roles=((RoleKind.PERSONNEL_OFFICE, cls.p.commune),))

    def member(self, code: str = "DV-AN") -> Member:
        return Member.objects.get(code=code)

    def ceiling(self, code: str = "DV-AN") -> tuple[int | None, list[str]]:
        e = MemberEvaluation.objects.get(member__code=code, cycle=self.cycle)
        v = member_verdict(e.member, e, self.cycle)
        return v.level, [r.rule for r in v.reasons]

    # --- The rules read the entries ---------------------------------------------------------

    def test_without_an_entry_a_civil_servant_is_not_excellent(self) -> None:
        level, rules = self.ceiling()
        self.assertEqual(level, Level.GOOD)
        self.assertIn("R17", rules)

    def test_an_excellent_entry_lifts_the_cap(self) -> None:
        state.record(self.member(), entry(StateLevel.EXCELLENT), by=self.office)
        self.assertEqual(self.ceiling()[0], Level.EXCELLENT)

    def test_a_not_completed_entry_forces_not_completed(self) -> None:
        state.record(self.member(), entry(StateLevel.NOT_COMPLETED), by=self.office)
        level, rules = self.ceiling()
        self.assertEqual(level, Level.NOT_COMPLETED)
        self.assertIn("R12", rules)

    def test_an_entry_of_another_year_does_not_count(self) -> None:
        state.record(self.member(), entry(StateLevel.EXCELLENT, 2025), by=self.office)
        self.assertEqual(self.ceiling()[0], Level.GOOD)

    # --- Who enters it, and when it can no longer change ------------------------------------

    def test_only_the_personnel_office_enters_it(self) -> None:
        for user in (self.p.an, self.p.binh, self.p.chi, self.p.dung):
            with self.assertRaises(state.StateResultRefused):
                state.record(self.member(), entry(StateLevel.EXCELLENT), by=user)
        self.assertFalse(StateResult.objects.exists())
        result = state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        self.assertEqual(result.history.get().history_user, self.office)
        self.assertEqual(result.decree, "Nghị định 335/2025/NĐ-CP")

    def test_it_is_refused_for_a_member_who_is_not_a_civil_servant(self) -> None:
        with self.assertRaisesMessage(state.StateResultRefused, "không được ghi là cán bộ"):
            state.record(self.member("DV-EM"), entry(StateLevel.GOOD), by=self.office)

    def test_a_decided_result_keeps_the_state_result_it_was_decided_on(self) -> None:
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        an = evaluation_of(self.p.an_member, self.cycle)
        actions.decide(
            self.p.commune, cycle=self.cycle, by=self.p.chi, levels={an.pk: Level.GOOD},
            decision=DECISION,
        )  # fmt: skip
        with self.assertRaisesMessage(state.StateResultRefused, "mở lại"):
            state.record(self.member(), entry(StateLevel.NOT_COMPLETED), by=self.office)
        self.assertEqual(StateResult.objects.get().level, StateLevel.GOOD)

    # --- Due before the decision ------------------------------------------------------------

    def levels(self) -> dict[int, Level]:
        return {e.pk: Level.GOOD for e in MemberEvaluation.objects.filter(cycle=self.cycle)}

    def test_by_default_a_civil_servant_without_it_is_decided_with_a_warning(self) -> None:
        page = self.p.client(self.p.chi).get("/kiem-diem/quyet-dinh/DB-XA/")
        self.assertContains(page, "0/2 đảng viên là công chức, viên chức đã có kết quả")
        self.assertContains(page, "Lê Văn Bình, Trần Thị An")
        decided = actions.decide(
            self.p.commune, cycle=self.cycle, by=self.p.chi, levels=self.levels(),
            decision=DECISION,
        )  # fmt: skip
        self.assertEqual(len(decided), 3)

    def test_a_cycle_may_block_the_decision_until_it_is_entered(self) -> None:
        Cycle.objects.filter(pk=self.cycle.pk).update(state_result_required=True)
        self.cycle.refresh_from_db()
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        with self.assertRaisesMessage(actions.ReviewError, "Chưa quyết định được") as refused:
            actions.decide(
                self.p.commune, cycle=self.cycle, by=self.p.chi, levels=self.levels(),
                decision=DECISION,
            )  # fmt: skip
        self.assertEqual(refused.exception.names, ("Lê Văn Bình",))
        self.assertFalse(MemberEvaluation.objects.filter(step=Step.DECIDED).exists())
        state.record(self.member("DV-BINH"), entry(StateLevel.GOOD), by=self.office)
        decided = actions.decide(
            self.p.commune, cycle=self.cycle, by=self.p.chi, levels=self.levels(),
            decision=DECISION,
        )  # fmt: skip
        self.assertEqual(len(decided), 3)

    # --- R28 ----------------------------------------------------------------------------------

    def test_r28_compares_the_shares_of_excellent(self) -> None:
        state.record(self.member(), entry(StateLevel.EXCELLENT), by=self.office)
        state.record(self.member("DV-BINH"), entry(StateLevel.GOOD), by=self.office)
        # Proposed: An EXCELLENT, Bình and Em GOOD: a third of the members; half the servants.
        standing = state_standing(self.p.commune, self.cycle)
        self.assertEqual((standing.rated, standing.state_excellent), (2, 1))
        self.assertEqual((standing.classified, standing.party_excellent), (3, 1))
        self.assertTrue(standing.exceeds)
        self.assertEqual(standing.printed(), ("50,0 %", "33,3 %"))
        page = self.p.client(self.p.chi).get("/kiem-diem/quyet-dinh/DB-XA/")
        self.assertContains(page, "50,0 % (1/2)")
        self.assertContains(page, "không được cao hơn")
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        self.assertFalse(state_standing(self.p.commune, self.cycle).exceeds)

    def test_the_standings_of_a_subtree_count_as_the_standing_of_each_unit(self) -> None:
        state.record(self.member(), entry(StateLevel.EXCELLENT), by=self.office)
        with self.assertNumQueries(2):
            (commune,) = state_standings(grassroots(self.p.district, self.cycle))
        one = state_standing(self.p.commune, self.cycle)
        self.assertEqual(commune.unit, self.p.commune)
        for field in ("servants", "rated", "state_excellent", "classified", "party_excellent"):
            self.assertEqual(getattr(commune, field), getattr(one, field), field)

    def test_the_report_shows_r28_per_unit_in_every_format(self) -> None:
        state.record(self.member(), entry(StateLevel.EXCELLENT), by=self.office)
        data = report(self.p.district, self.cycle)
        (row,) = data["state_shares"]
        self.assertEqual(row["group"], "DB-XA")
        self.assertEqual((row["state_share"], row["party_share"]), ("100,0 %", "33,3 %"))
        self.assertTrue(row["exceeds"])
        (table,) = [t for t in tables(data) if t.key == "state"]
        self.assertEqual(table.rows[0][5].value, 1)  # type: ignore[union-attr]
        self.assertEqual(table.rows[0][-1], "Có")
        page = self.p.client(self.p.dung).get("/bao-cao/DB-HUYEN/2026/")
        self.assertContains(page, "100,0 %")

    # --- The member never types it ----------------------------------------------------------

    def test_the_self_review_has_no_field_for_it_and_shows_the_entry(self) -> None:
        MemberEvaluation.objects.filter(member__code="DV-AN").update(step=Step.SELF_REVIEW)
        url = "/kiem-diem/2026/DV-AN/"
        page = self.p.client(self.p.an).get(url)
        self.assertNotContains(page, 'name="state_level"')
        self.assertContains(page, "Chưa có kết quả đánh giá, xếp loại công chức")
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        page = self.p.client(self.p.an).get(url)
        self.assertContains(page, "Hoàn thành tốt nhiệm vụ (quyết định số 125/QĐ-UBND")

    # --- The office's page --------------------------------------------------------------------

    def post(self, user: User | None, **data: Any) -> Any:
        payload = {
            "member_code": "DV-AN",
            "year": "2026",
            "level": "EXCELLENT",
            "decision_number": "125/QĐ-UBND",
            "decision_date": "2026-11-25",
            **data,
        }
        return self.p.client(user).post(f"{URL}?nam=2026", payload, follow=True)

    def test_the_page_follows_the_permission_matrix(self) -> None:
        self.assertEqual(self.p.client(None).get(URL).status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.binh, self.p.em):
            self.assertEqual(self.p.client(user).get(URL).status_code, 404)
            self.assertEqual(self.post(user).status_code, 404)
        for user in (self.p.chi, self.p.dung):
            page = self.p.client(user).get(URL)
            self.assertContains(page, "Trần Thị An")
            self.assertNotContains(page, 'name="decision_number"')
            self.assertEqual(self.post(user).status_code, 403)
        self.assertFalse(StateResult.objects.exists())
        # The cell's secretary sees their own cell's civil servants, read-only.
        page = self.p.client(self.p.binh).get("/dang-vien/danh-gia-cong-chuc/CB-A/")
        self.assertContains(page, "Trần Thị An")
        self.assertNotContains(page, "Phạm Văn Em")
        page = self.p.client(self.office).get(URL)
        self.assertContains(page, 'name="decision_number"')
        self.assertContains(self.post(self.office), "Trần Thị An: đã lưu.")
        self.assertEqual(StateResult.objects.get().level, StateLevel.EXCELLENT)

    def test_the_page_refuses_bad_input_with_a_message(self) -> None:
        r = self.post(self.office, level="BEST", decision_date="2027-13-01", decision_number="")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Trần Thị An:")
        self.assertContains(r, "BEST không phải là một trong các lựa chọn")
        self.assertFalse(StateResult.objects.exists())
        r = self.post(self.office, member_code="DV-EM")
        self.assertContains(r, "không được ghi là cán bộ")
        self.assertEqual(self.post(self.office, member_code="DV-NOBODY").status_code, 404)

    def test_the_offices_home_counts_those_still_to_enter(self) -> None:
        home = self.p.client(self.office).get("/")
        self.assertContains(home, "2 công chức, viên chức chưa có kết quả đánh giá năm 2026")
        self.assertContains(home, f"{URL}?nam=2026&amp;chua=1")
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        state.record(self.member("DV-BINH"), entry(StateLevel.GOOD), by=self.office)
        self.assertContains(self.p.client(self.office).get("/"), "Đã nhập đủ kết quả")

    def test_the_page_reads_a_fixed_number_of_queries(self) -> None:
        client = self.p.client(self.office)
        client.get(URL)  # the session's first read
        with self.assertNumQueries(11):
            page = client.get(URL)
        self.assertContains(page, "Lê Văn Bình")
        self.assertContains(page, "2 người")
        missing = client.get(f"{URL}?chua=1")
        state.record(self.member(), entry(StateLevel.GOOD), by=self.office)
        self.assertContains(missing, "Trần Thị An")
        self.assertNotContains(client.get(f"{URL}?chua=1"), "Trần Thị An")


class StateResultsImportTestCase(TestCase):
    """Import kind `state_results`: all rows or none, every fault of a row reported."""

    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        actions.open_cycle(cls.p.commune, cycle=cls.cycle, by=cls.p.chi)
        Member.objects.filter(code__in=["DV-AN", "DV-BINH"]).update(civil_servant=True)

    def run_file(self, rows: list[list[object]]) -> Report:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "cong-chuc.csv"
        lines: list[list[object]] = [list(HEADERS), *rows]
        path.write_text("\n".join(";".join(str(c) for c in r) for r in lines), encoding="utf-8")
        return run_import(STATE_RESULTS, path)

    def test_a_good_file_is_written_with_its_source(self) -> None:
        report = self.run_file(
            [
                ["DV-AN", 2026, "HTXSNV", "125/QĐ-UBND", "25/11/2026"],
                ["DV-BINH", 2026, "Hoàn thành tốt nhiệm vụ", "126/QĐ-UBND", "26/11/2026"],
            ]
        )
        self.assertTrue(report.ok, report.errors)
        self.assertEqual(report.created, 2)
        an = StateResult.objects.get(member__code="DV-AN")
        self.assertEqual((an.level, an.decision_number), (StateLevel.EXCELLENT, "125/QĐ-UBND"))
        e = evaluation_of(self.p.an_member, self.cycle)
        self.assertNotIn("R17", [r.rule for r in member_verdict(e.member, e, self.cycle).reasons])
        again = self.run_file([["DV-AN", 2026, "HTXSNV", "125/QĐ-UBND", "25/11/2026"]])
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 1))

    def test_every_fault_is_reported_and_nothing_is_written(self) -> None:
        report = self.run_file(
            [
                ["DV-AN", 2026, "Tốt lắm", "", "31/12/2099"],
                ["DV-EM", 2026, "HTTNV", "7/QĐ", "25/11/2026"],
                ["DV-KHONG", 2026, "HTNV", "8/QĐ", "25/11/2026"],
                ["DV-BINH", 2026, "KHTNV", "9/QĐ", "25/11/2026"],
            ]
        )
        self.assertFalse(report.ok)
        by_row = {(e.row, e.column) for e in report.errors}
        self.assertLessEqual(
            {
                (2, "Mức xếp loại"),
                (2, "Số quyết định"),
                (2, "Ngày quyết định"),
                (3, "Mã đảng viên"),
                (4, "Mã đảng viên"),
            },
            by_row,
        )
        self.assertNotIn(5, {e.row for e in report.errors})
        self.assertFalse(StateResult.objects.exists())

    def test_a_decided_member_is_refused(self) -> None:
        MemberEvaluation.objects.filter(member__code="DV-AN").update(step=Step.DECIDED)
        report = self.run_file([["DV-AN", 2026, "KHTNV", "9/QĐ", "25/11/2026"]])
        self.assertFalse(report.ok)
        self.assertIn("mở lại", report.errors[0].message)
        self.assertFalse(StateResult.objects.exists())
