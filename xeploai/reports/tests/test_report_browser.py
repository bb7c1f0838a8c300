"""The statistics, in a real browser: a district officer opens a unit's report from its page,
reads the figures and the charts, turns to another year and a child unit, and downloads it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_personas
from xeploai.cycles.models import Level, MemberEvaluation, Status
from xeploai.rules import Regime
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_and_downloads_a_report(page: Page, live_server: object) -> None:
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
    base = str(live_server)
    sign_in(page, base, "dung")
    page.goto(f"{base}/don-vi/{p.district.code}/")
    page.get_by_role("link", name="Thống kê xếp loại").click()
    expect(page.get_by_role("heading", name="BÁO CÁO THỐNG KÊ")).to_be_visible()
    expect(page.get_by_text("Số liệu khớp.")).to_be_visible()
    members = page.locator("table[data-key=members] tr.total")
    expect(members).to_contain_text("25,0 %")  # 1 excellent of 4
    expect(page.locator("figure.chart svg").first).to_be_visible()
    trend = page.locator("table[data-key=trend-members]")
    expect(trend).to_contain_text("Đủ tư cách, hoàn thành tốt nhiệm vụ")  # its own words (R34)
    page.get_by_role("link", name="2016", exact=True).click()
    expect(page.get_by_role("heading", name="BÁO CÁO THỐNG KÊ")).to_contain_text("năm 2016")
    expect(page.locator("table[data-key=labels]")).to_contain_text("100,0 %")
    page.get_by_text("Xem báo cáo của đơn vị trực thuộc").click()
    page.get_by_role("link", name=p.commune.name).click()
    expect(page.locator("table[data-key=members] tr.total")).to_contain_text(p.commune.name)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == f"bao-cao-xep-loai-2016-{p.commune.code}.xlsx"
