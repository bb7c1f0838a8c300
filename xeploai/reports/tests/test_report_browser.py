"""The statistics, in a real browser: a district officer opens a unit's report from its page,
reads the figures (its leaders' among them) and the charts, turns to another year and a child
unit, and downloads it; on a phone the charts read at their size. Every page visited passes
axe-core's checks."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    post_title,
)
from xeploai.core.testing_browser import assert_accessible
from xeploai.cycles.models import LeaderEvaluation, Level, MemberEvaluation, Status, Step
from xeploai.members.models import Post
from xeploai.rules import Regime
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PHONE: ViewportSize = {"width": 390, "height": 844}
SMALLEST_TEXT = 11  # CSS pixels: a chart's smallest font on a phone, once fitted to its width
FONT_SIZES = """svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll("text")].map(
        text => parseFloat(getComputedStyle(text).fontSize) * scale);
}"""


def make_results() -> Personas:
    """Four results in cell A in 2025, and in 2016 as imported under the earlier rules; in
    2025, the cell's secretary reviewed as its leader too."""
    p = make_personas()
    legacy, current = make_cycle(2016, Regime.LEGACY, closed=True), make_cycle(2025, closed=True)
    for level in (Level.EXCELLENT, Level.GOOD, Level.GOOD, Level.COMPLETED):
        member = make_member(p.cell_a, full_member_since=dt.date(2011, 5, 19))
        make_evaluation(member, current, status=Status.CLASSIFIED, level_final=level)
        MemberEvaluation.objects.create(
            member=member,
            cycle=legacy,
            cell=p.cell_a,
            unit_path=p.cell_a.path,
            status=Status.CLASSIFIED,
            label="Đủ tư cách, hoàn thành tốt nhiệm vụ",
            ordinal=2,
        )
    title = post_title("Bí thư chi bộ")
    post = Post.objects.create(
        member=member, kind=title.kind, title=title.name, post_title=title, unit=p.cell_a,
        head=True, start=dt.date(2021, 1, 1),
    )  # fmt: skip
    LeaderEvaluation.objects.create(
        cycle=current, member=member, post=post, unit=p.cell_a, unit_path=p.cell_a.path,
        tier=post.tier, head=True, step=Step.DECIDED, status=Status.CLASSIFIED,
        level_decided=Level.COMPLETED,
    )  # fmt: skip
    return p


def charts_drawn(page: Page) -> None:
    """The charts come after the tables: wait for them before checking the whole page."""
    expect(page.locator("figure.chart svg").first).to_be_visible()
    assert_accessible(page)


def test_an_officer_reads_and_downloads_a_report(page: Page, live_server: object) -> None:
    p = make_results()
    base = str(live_server)
    sign_in(page, base, "dung")
    assert_accessible(page)
    page.goto(f"{base}/don-vi/{p.district.code}/")
    assert_accessible(page)
    page.get_by_role("link", name="Thống kê xếp loại").click()
    expect(page.get_by_role("heading", name="BÁO CÁO THỐNG KÊ")).to_be_visible()
    expect(page.get_by_text("Số liệu khớp.")).to_be_visible()
    members = page.locator("table[data-key=members] tr.total")
    expect(members).to_contain_text("25,0 %")  # 1 excellent of 4
    leaders = page.locator("table[data-key=leaders] tr.total")
    expect(leaders).to_contain_text("100,0 %")  # the secretary, completed as a leader
    expect(page.locator("table[data-key=leader-posts]")).to_contain_text("Chi bộ trực thuộc")
    charts_drawn(page)
    trend = page.locator("table[data-key=trend-members]")
    expect(trend).to_contain_text("Đủ tư cách, hoàn thành tốt nhiệm vụ")  # its own words (R34)
    page.get_by_role("link", name="2016", exact=True).click()
    expect(page.get_by_role("heading", name="BÁO CÁO THỐNG KÊ")).to_contain_text("năm 2016")
    expect(page.locator("table[data-key=labels]")).to_contain_text("100,0 %")
    expect(page.locator("table[data-key=leaders]")).to_have_count(0)  # nobody, not zeros
    charts_drawn(page)
    page.get_by_text("Xem báo cáo của đơn vị trực thuộc").click()
    page.get_by_role("link", name=p.commune.name).click()
    expect(page.locator("table[data-key=members] tr.total")).to_contain_text(p.commune.name)
    charts_drawn(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == f"bao-cao-xep-loai-2016-{p.commune.code}.xlsx"


def test_the_charts_read_on_a_phone(page: Page, live_server: object) -> None:
    p = make_results()
    page.set_viewport_size(PHONE)
    sign_in(page, str(live_server), "dung")
    page.goto(f"{live_server}/bao-cao/{p.district.code}/2025/")
    charts_drawn(page)
    charts = page.locator("figure.chart svg")
    assert charts.count() == 3  # the levels, the children, the years
    for chart in charts.all():
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        sizes = chart.evaluate(FONT_SIZES)
        assert min(sizes) >= SMALLEST_TEXT, sizes
