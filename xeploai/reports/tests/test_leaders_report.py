"""Leaders in the report (DOMAIN.md 5, R26, R32, R36): counted by their level as leaders, where
they are classified, with their level as members beside; by post level and tier; their quota
groups; nothing for a year without leader evaluations; the same tables in every format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from typing import Any
from unittest import mock

import docx
from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook

from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    post_title,
)
from xeploai.cycles.models import Cycle, LeaderEvaluation, Level, MemberEvaluation, Status, Step
from xeploai.members.models import Member, Post, PostKind
from xeploai.reports import exports, stats, tally
from xeploai.reports.data import leader_standings, report
from xeploai.reports.tables import Table, printed, tables
from xeploai.reviews import actions
from xeploai.reviews.models import QuotaException
from xeploai.rules import SETTINGS, LeaderGroup, Regime
from xeploai.units.models import Unit

DAY = dt.date(2021, 1, 1)


def hold(member: Member, name: str, unit: Unit, *, head: bool) -> Post:
    """A leading post of the seeded title `name`."""
    title = post_title(name)
    organisation = "UBND xã" if title.kind == PostKind.GOVERNMENT else ""
    return Post.objects.create(
        member=member, kind=title.kind, title=title.name, post_title=title, unit=unit,
        head=head, start=DAY, organisation=organisation,
    )  # fmt: skip


def leader(member: Member, unit: Unit) -> LeaderEvaluation:
    return LeaderEvaluation.objects.get(member=member, unit=unit)


def set_result(evaluation: LeaderEvaluation | MemberEvaluation, **fields: Any) -> None:
    """A result as the steps leave it, written directly: the report only reads it."""
    type(evaluation).objects.filter(pk=evaluation.pk).update(**fields)


def decided(level: Level) -> dict[str, Any]:
    return {"step": Step.DECIDED, "status": Status.CLASSIFIED, "level_decided": level}


class LeadersReportTestCase(TestCase):
    p: Personas
    cycle: Cycle
    past: Cycle
    binh: Member
    em: Member

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        assert p.binh.member is not None and p.em.member is not None
        cls.binh, cls.em = p.binh.member, p.em.member
        # Bình heads the commune's committee and his cell (classified at the commune, R32); An
        # is his deputy in the cell; Em chairs the commune's People's Committee.
        hold(cls.binh, "Bí thư", p.commune, head=True)
        hold(cls.binh, "Bí thư chi bộ", p.cell_a, head=True)
        hold(p.an_member, "Phó Bí thư chi bộ", p.cell_a, head=False)
        hold(cls.em, "Chủ tịch Ủy ban nhân dân", p.commune, head=True)
        # Last year's results, imported: members' only, as earlier records keep them.
        cls.past = make_cycle(2025, closed=True)
        for member in (cls.binh, p.an_member, cls.em):
            make_evaluation(member, cls.past, status=Status.CLASSIFIED, level_final=Level.GOOD)
        cls.cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cls.cycle, by=p.chi)
        set_result(leader(cls.binh, p.commune), **decided(Level.EXCELLENT))
        set_result(leader(p.an_member, p.cell_a), **decided(Level.COMPLETED))
        set_result(leader(cls.em, p.commune), step=Step.PROPOSED, level_proposed=Level.GOOD)
        members = MemberEvaluation.objects.filter(cycle=cls.cycle)
        for member, level in ((cls.binh, Level.GOOD), (p.an_member, Level.EXCELLENT)):
            set_result(members.get(member=member), **decided(level))
        tally.rebuild()  # the member results were written around the tally

    def leaders_of(self, block: dict[str, Any]) -> tuple[Any, ...]:
        """Total, classified, pending; the leader levels; the member levels; members pending."""
        figures, members = block["members"], block["as_members"]
        return (
            (figures["total"], figures["classified"], figures["pending"]),
            [block["levels"][level.name]["count"] for level in Level],
            [members["levels"][level.name]["count"] for level in Level],
            members["members"]["pending"],
        )

    def test_it_counts_leaders_by_their_leader_level_with_their_member_level_beside(self) -> None:
        data = report(self.p.district, self.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        # Bình counts once, at the commune where he is classified, not at his cell.
        self.assertEqual(
            self.leaders_of(data["leaders"]),
            ((3, 2, 1), [1, 0, 1, 0], [1, 1, 0, 0], 1),
        )
        self.assertEqual(data["leaders"]["levels"]["EXCELLENT"]["percent"], "50,0 %")
        self.assertEqual(data["leaders"]["as_members"]["levels"]["GOOD"]["percent"], "50,0 %")
        (commune,) = data["children"]
        self.assertEqual(self.leaders_of(commune["leaders"]), self.leaders_of(data["leaders"]))
        # The commune's own posts first, then its cells.
        parts = report(self.p.commune, self.cycle)["children"]
        self.assertEqual(
            [(c["unit"]["code"], c["own"], c["leaders"]["members"]["total"]) for c in parts],
            [("DB-XA", True, 2), ("CB-A", False, 1), ("CB-B", False, 0)],
        )
        self.assertEqual(
            self.leaders_of(parts[1]["leaders"]), ((1, 1, 0), [0, 0, 1, 0], [1, 0, 0, 0], 0)
        )

    def test_it_breaks_leaders_down_by_post_level_and_tier(self) -> None:
        data = report(self.p.district, self.cycle)
        posts = data["leader_posts"]
        self.assertEqual(
            [(p["post_level"], p["label"], [t["label"] for t in p["tiers"]]) for p in posts],
            [
                ("GRASSROOTS", "Cấp xã / cơ sở", ["Cấp trưởng"]),
                ("CELL", "Chi bộ trực thuộc", ["Cấp phó"]),
            ],
        )
        heads = posts[0]["tiers"][0]["leaders"]
        self.assertEqual(self.leaders_of(heads), ((2, 1, 1), [1, 0, 0, 0], [0, 1, 0, 0], 1))
        table = next(t for t in tables(data) if t.key == "leader-posts")
        self.assertEqual(
            [row[:4] for row in table.rows],
            [
                ["Tổng cộng: Đảng bộ huyện Yên Thành", "", 3, 0],
                ["Cấp xã / cơ sở", "Tất cả", 2, 0],
                ["Cấp xã / cơ sở", "Cấp trưởng", 2, 0],
                ["Chi bộ trực thuộc", "Tất cả", 1, 0],
                ["Chi bộ trực thuộc", "Cấp phó", 1, 0],
            ],
        )
        self.assertEqual(table.sums, frozenset({1, 3}))
        # Beside the leader levels, the member levels of the same people, and those without.
        self.assertEqual(table.rows[0][-5:], [1, 1, 0, 0, 1])

    def test_a_report_that_does_not_reconcile_says_where(self) -> None:
        # Classified, but with no level: the leaders' own sums fail.
        set_result(leader(self.em, self.p.commune), status=Status.CLASSIFIED)
        data = report(self.p.district, self.cycle)
        self.assertFalse(data["reconciled"])
        self.assertIn(
            "Đảng bộ huyện Yên Thành — cán bộ lãnh đạo, quản lý: 3 đã xếp loại nhưng các mức"
            " cộng lại 2.",
            data["problems"],
        )
        self.assertIn(
            "Đảng bộ xã Hoa Thành — cán bộ lãnh đạo, quản lý: 3 đã xếp loại nhưng các mức"
            " cộng lại 2.",
            data["problems"],
        )

    def test_the_whole_is_checked_against_its_parts_and_its_posts(self) -> None:
        parts, posts = stats._parts, stats._leader_posts

        def one_more(unit: Unit, cycle: Cycle) -> list[stats.Part]:
            found = parts(unit, cycle)
            found[0].leaders.levels.levels[Level.GOOD] += 1  # a part counted one more
            return found

        def no_cells(rows: Any) -> tuple[Any, dict[str, dict[int, stats.Leaders]]]:
            whole, by_post = posts(rows)
            del by_post["CELL"]  # a post level counted none
            return whole, by_post

        with (
            mock.patch.object(stats, "_parts", one_more),
            mock.patch.object(stats, "_leader_posts", no_cells),
        ):
            data = report(self.p.district, self.cycle)
        self.assertFalse(data["reconciled"])
        for problem in (
            "Đảng bộ huyện Yên Thành: cán bộ lãnh đạo, quản lý, mức “Hoàn thành tốt nhiệm vụ”"
            " là 0 nhưng các đơn vị trực thuộc cộng lại 1.",
            "Đảng bộ huyện Yên Thành: cán bộ lãnh đạo, quản lý, tổng số là 3 nhưng các cấp, vị"
            " trí chức vụ cộng lại 2.",
            "Đảng bộ huyện Yên Thành: cán bộ lãnh đạo, quản lý, xếp loại đảng viên, mức “Hoàn"
            " thành xuất sắc nhiệm vụ” là 1 nhưng các cấp, vị trí chức vụ cộng lại 0.",
        ):
            self.assertIn(problem, data["problems"])

    def test_the_leaders_quota_groups_are_listed_with_their_committee(self) -> None:
        QuotaException.objects.create(
            cycle=self.cycle, group=self.p.district, subject="leaders", field_type="1/2",
            excellent=1, allowed=0, reason="Hoàn thành xuất sắc nhiều chỉ tiêu",
            decision_number="99-QĐ/HU", decision_date=dt.date(2026, 12, 20),
            recorded_by=self.p.dung,
        )  # fmt: skip
        groups = report(self.p.district, self.cycle)["quota_groups"]
        leaders = [g for g in groups if g["subject"] == "leaders"]
        self.assertEqual(
            [(g["group"], g["name"], g["key"], g["good"], g["excellent"]) for g in leaders],
            [
                # Bình decided excellent, Em proposed good: heads at grassroots level.
                ("DB-HUYEN", "Đảng bộ huyện Yên Thành: cấp trưởng, cấp xã / cơ sở", "1/2", 1, 1),
                ("DB-XA", "Đảng bộ xã Hoa Thành: cấp phó, chi bộ trực thuộc", "2/3", 0, 0),
            ],
        )
        breach = leaders[0]
        self.assertEqual((breach["allowed"], breach["breach"]), (0, 1))
        self.assertEqual(breach["exceptions"], ["99-QĐ/HU"])
        breaches = [g["breach"] > 0 for g in groups]
        self.assertEqual(breaches, sorted(breaches, reverse=True))  # breaches first
        quota = next(t for t in tables(report(self.p.district, self.cycle)) if t.key == "quota")
        self.assertIn(
            ["DB-HUYEN", "Cán bộ lãnh đạo, quản lý", leaders[0]["name"], 1, 1, 0, 1, "99-QĐ/HU"],
            quota.rows,
        )
        # A commune's report lists the groups it decides, not the district's.
        commune = report(self.p.commune, self.cycle)["quota_groups"]
        self.assertEqual([g["group"] for g in commune if g["subject"] == "leaders"], ["DB-XA"])

    def test_the_leaders_quota_costs_two_queries_however_many_committees(self) -> None:
        with self.assertNumQueries(2):
            leader_standings(self.p.district, self.cycle)
        for _n in range(4):  # four more cells under the commune, each with its secretary
            cell = make_unit(self.p.commune)
            hold(make_member(cell), "Bí thư chi bộ", cell, head=True)
        actions.open_cycle(self.p.commune, cycle=self.cycle, by=self.p.chi)
        LeaderEvaluation.objects.filter(step=Step.SELF_REVIEW).update(
            step=Step.PROPOSED, level_proposed=Level.GOOD
        )
        with self.assertNumQueries(2):
            found = leader_standings(self.p.district, self.cycle)
        self.assertEqual(
            [(g.decider, g.key, g.result.good) for g in found],
            [(self.p.district, "1/2", 1), (self.p.commune, "1/3", 4), (self.p.commune, "2/3", 0)],
        )
        # A regime grouping leaders by the level of their units alone puts heads and deputies
        # of the cells together.
        regime = Regime(self.cycle.regime)
        by_level = dataclasses.replace(SETTINGS[regime], leader_quota_group=LeaderGroup.LEVEL)
        with mock.patch.dict(SETTINGS, {regime: by_level}):
            found = leader_standings(self.p.district, self.cycle)
        self.assertEqual(
            [(g.name(), g.key, g.result.good) for g in found],
            [
                ("Đảng bộ huyện Yên Thành: cấp xã / cơ sở", "0/2", 1),
                ("Đảng bộ xã Hoa Thành: chi bộ trực thuộc", "0/3", 4),
            ],
        )

    def test_a_year_without_leader_evaluations_shows_no_leader_table(self) -> None:
        data = report(self.p.district, self.past)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertIsNone(data["leaders"])
        self.assertEqual(data["leader_posts"], [])
        self.assertEqual([c["leaders"] for c in data["children"]], [None])
        keys = {t.key for t in tables(data)}
        self.assertIn("members", keys)
        self.assertFalse({"leaders", "leader-posts"} & keys, keys)
        # In the trend too: nobody reviewed as a leader in 2025, three in 2026.
        trend = {y["year"]: y["leaders"] for y in report(self.p.district, self.cycle)["trend"]}
        self.assertIsNone(trend[2025])
        self.assertEqual(trend[2026]["members"]["total"], 3)


class LeadersInEveryFormatTestCase(TestCase):
    """The page, the spreadsheet, the Word document and the PDF print the leaders' tables."""

    def test_every_format_prints_the_leaders_tables(self) -> None:
        p = make_personas()
        assert p.binh.member is not None
        hold(p.binh.member, "Bí thư", p.commune, head=True)
        hold(p.an_member, "Phó Bí thư chi bộ", p.cell_a, head=False)
        cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cycle, by=p.chi)
        set_result(leader(p.binh.member, p.commune), **decided(Level.GOOD))
        data = report(p.district, cycle)
        found = [t for t in tables(data) if t.key in ("leaders", "leader-posts")]
        self.assertEqual(len(found), 2)
        url = reverse("reports:report", args=[p.district.code, 2026])
        page = p.client(p.dung).get(url).content.decode()
        for table in found:
            self.assertIn(f'data-key="{table.key}"', page)
            self.assertIn(table.title, page)
            for row in table.rows:
                for cell in row:
                    self.assertIn(f">{printed(cell)}<", page)
        self.check_xlsx(exports.xlsx(data), found)
        self.check_docx(exports.docx(data), found)
        self.check_pdf(exports.pdf(data), found)

    def check_xlsx(self, content: bytes, found: list[Table]) -> None:
        with zipfile.ZipFile(io.BytesIO(content)):
            pass  # a spreadsheet
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for table in found:
            sheet = book.get_sheet_by_name(table.sheet).to_python()
            self.assertEqual((sheet[0][0], sheet[2]), (table.title, table.headers))
            self.assertEqual(len(sheet) - 3, len(table.rows))

    def check_docx(self, content: bytes, found: list[Table]) -> None:
        document = docx.Document(io.BytesIO(content))
        titles = [p.text.split(". ", 1)[-1] for p in document.paragraphs]
        cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
        for table in found:
            self.assertIn(table.title, titles)
            self.assertLessEqual({printed(c) for row in table.rows for c in row}, cells)

    def check_pdf(self, content: bytes, found: list[Table]) -> None:
        pdftotext = shutil.which("pdftotext")
        assert pdftotext is not None, "pdftotext (poppler-utils) is missing: make system-packages"
        argv = [pdftotext, "-raw", "-", "-"]
        done = subprocess.run(argv, input=content, capture_output=True, check=True)  # noqa: S603
        text = "".join(done.stdout.decode().split())
        for table in found:
            self.assertIn("".join(table.title.split()), text)
            for row in table.rows:
                self.assertIn("".join("".join(printed(c) for c in row).split()), text)
