"""The statistics page, its charts and its downloads: who may see which unit's report (the
permission matrix), the year and decimals chosen, the links, an export logged, and the
page's pinned number of queries."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.urls import reverse

from xeploai.accounts.models import AccessAction, AccessLog
from xeploai.core.testing import (
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    post_title,
)
from xeploai.cycles.models import Cycle, LeaderEvaluation, Level, MemberEvaluation, Status, Step
from xeploai.members.models import Member, Post
from xeploai.reports import exports
from xeploai.reports.checks import check
from xeploai.units.models import Unit

# Session, user, device, roles; the unit, the cycle; members and organisations from the tally,
# of the whole and of the parts (the children themselves among them), checked against the
# evaluations; leaders of the whole, of the parts and of the trend; the trend's cycles and
# tallies; the grassroots units with their members' levels in the roll-ups (the members' quota
# groups and shares rated excellent); the quota groups of organisations and of leaders (and
# who decides them), with their exceptions; the civil servants' state results; the changes
# of the appraisal; the reviews the subtree's committees attended or directed, and the
# suggestions they released with their points; the years; the user's powers and the counts
# of the signals, for those who read them (integrity).
QUERIES = 31
CHARTS = 16  # the same but the quota groups, state shares, changes and oversight


class ReportPageTestCase(TestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        self.cycle = make_cycle(2025, closed=True)
        for level in (Level.EXCELLENT, Level.GOOD, Level.GOOD):
            member = make_member(self.p.cell_a, full_member_since=dt.date(2011, 5, 19))
            make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=level)

    def urls(self, code: str) -> list[str]:
        return [
            reverse("reports:latest", args=[code]),
            reverse("reports:report", args=[code, 2025]),
            reverse("reports:charts", args=[code, 2025]),
            *(reverse("reports:download", args=[code, 2025, f]) for f in ("xlsx", "docx", "pdf")),
        ]

    def test_who_sees_which_report(self) -> None:
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
                    status = client.get(url).status_code
                    expected = (
                        (302 if url.endswith("/" + code + "/") else 200) if code in allowed else 404
                    )
                    self.assertEqual(status, expected, (user.username, url))

    def test_the_page_shows_the_figures_and_offers_the_downloads(self) -> None:
        client = self.p.client(self.p.chi)
        response = client.get(reverse("reports:latest", args=[self.p.commune.code]))
        self.assertRedirects(response, reverse("reports:report", args=[self.p.commune.code, 2025]))
        page = client.get(response["Location"]).content.decode()
        self.assertIn("Số liệu khớp.", page)
        self.assertIn('<td class="n">33,3 %</td>', page)  # 1 excellent of 3
        charts = reverse("reports:charts", args=[self.p.commune.code, 2025])
        self.assertIn(f'hx-get="{charts}"', page)  # the charts come once the tables show
        drawn = client.get(charts).content.decode()
        self.assertEqual(drawn.count("<svg"), 2)  # the levels, and each child
        for fmt in ("xlsx", "docx", "pdf"):
            self.assertIn(reverse("reports:download", args=[self.p.commune.code, 2025, fmt]), page)
        self.assertIn(reverse("reports:report", args=[self.p.cell_a.code, 2025]), page)
        self.assertIn(reverse("reports:flags", args=[self.p.commune.code, 2025]), page)
        two = client.get(
            reverse("reports:report", args=[self.p.commune.code, 2025]), {"thap-phan": "2"}
        )
        self.assertIn('<td class="n">33,33 %</td>', two.content.decode())

    def test_a_report_that_does_not_reconcile_says_so_on_the_page(self) -> None:
        # Evaluations written around the application, the aggregates left as they were.
        MemberEvaluation.objects.filter(cell=self.p.cell_a).update(level_final=Level.COMPLETED)
        check(Cycle.objects.get(year=2025))  # as the scheduled check finds them
        page = self.p.client(self.p.dung).get(
            reverse("reports:report", args=[self.p.district.code, 2025])
        )
        self.assertContains(page, "SỐ LIỆU KHÔNG KHỚP:")
        self.assertContains(page, "không khớp với phiếu đánh giá (các mức đã thay đổi)")

    def test_an_unknown_year_or_format_is_not_found(self) -> None:
        client = self.p.client(self.p.dung)
        code = self.p.district.code
        self.assertEqual(client.get(reverse("reports:report", args=[code, 1999])).status_code, 404)
        url = reverse("reports:download", args=[code, 2025, "exe"])
        self.assertEqual(client.get(url).status_code, 404)

    def test_a_download_is_a_file_and_is_logged(self) -> None:
        client = self.p.client(self.p.dung)
        code = self.p.commune.code  # a district's is written in the background (report files)
        response = client.get(reverse("reports:download", args=[code, 2025, "xlsx"]))
        self.assertEqual(response["Content-Type"], exports.XLSX)
        self.assertIn(f"bao-cao-xep-loai-2025-{code}.xlsx", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"PK"))
        log = AccessLog.objects.get(action=AccessAction.EXPORT)
        self.assertEqual((log.user, log.detail), (self.p.dung, f"báo cáo {code} 2025 xlsx"))

    def lead(self, member: Member, title: str, unit: Unit, *, head: bool) -> None:
        """A leading post, and its holder's decided result as a leader in the cycle."""
        seeded = post_title(title)
        post = Post.objects.create(
            member=member, kind=seeded.kind, title=title, post_title=seeded, unit=unit,
            head=head, start=dt.date(2021, 1, 1),
        )  # fmt: skip
        LeaderEvaluation.objects.create(
            cycle=self.cycle, member=member, post=post, unit=unit, unit_path=unit.path,
            tier=post.tier, head=head, step=Step.DECIDED, status=Status.CLASSIFIED,
            level_decided=Level.GOOD,
        )  # fmt: skip

    def test_the_page_costs_the_same_queries_however_many_leaders_and_committees(self) -> None:
        client = self.p.client(self.p.dung)
        url = reverse("reports:report", args=[self.p.district.code, 2025])
        self.lead(self.p.an_member, "Bí thư chi bộ", self.p.cell_a, head=True)
        with self.assertNumQueries(QUERIES):
            self.assertContains(client.get(url), 'data-key="leaders"')
        for _n in range(3):  # three more cells, each under its own committee
            commune = make_unit(self.p.district, kind="GRASSROOTS_COMMITTEE")
            cell = make_unit(commune)
            self.lead(make_member(cell), "Bí thư", commune, head=True)
            self.lead(make_member(cell), "Phó Bí thư chi bộ", cell, head=False)
        with self.assertNumQueries(QUERIES):
            self.assertContains(client.get(url), 'data-key="leader-posts"')
        # The charts, fetched by the page, read the figures only: not the quota groups, the
        # state shares, the changes or the oversight again.
        with self.assertNumQueries(CHARTS):
            client.get(reverse("reports:charts", args=[self.p.district.code, 2025]))
