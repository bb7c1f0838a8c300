"""The flags at publication on a phone: the commune's officer reads what the year's published
results call for in each unit of the commune, turns to a cell and to another year, and
downloads the list. Every page visited passes axe-core's checks and fits a 390 px screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from xeploai.core.testing import make_cycle, make_evaluation, make_personas
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Status,
    Step,
    UnitEvaluation,
)
from xeploai.members.models import Post, PostKind
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_an_officer_reads_the_flags_on_a_phone(page: Page, live_server: object) -> None:
    p = make_personas()
    for year in (2024, 2025):
        cycle = make_cycle(year, closed=True)
        make_evaluation(
            p.an_member,
            cycle,
            status=Status.CLASSIFIED,
            level_final=Level.NOT_COMPLETED,
            step=Step.PUBLISHED,
        )
    UnitEvaluation.objects.create(
        cycle=cycle,
        unit=p.cell_a,
        unit_path=p.cell_a.path,
        status=Status.CLASSIFIED,
        level_final=Level.EXCELLENT,
        step=Step.PUBLISHED,
    )
    post = Post.objects.create(
        member=p.an_member,
        kind=PostKind.MASS,
        title="Chi hội trưởng",
        organisation="Chi hội Phụ nữ xóm 1",
        unit=p.cell_a,
        start=dt.date(2020, 1, 1),
    )
    for cycle in Cycle.objects.all():
        LeaderEvaluation.objects.create(
            cycle=cycle, member=p.an_member, post=post, unit=p.cell_a, unit_path=p.cell_a.path,
            tier=post.tier, head=post.head, status=Status.CLASSIFIED,
            level_final=Level.NOT_COMPLETED, step=Step.PUBLISHED,
        )  # fmt: skip
    base = str(live_server)
    page.set_viewport_size(PHONE)
    sign_in(page, base, "chi")
    page.goto(f"{base}/bao-cao/{p.commune.code}/2025/de-xuat/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đề xuất xem xét, khen thưởng sau xếp loại năm 2025"
    )
    an = page.locator("article", has=page.get_by_role("heading", name="Trần Thị An"))
    expect(an).to_have_count(2)  # for the cell's review, and for her post
    expect(an.first).to_contain_text("Không hoàn thành nhiệm vụ 2 năm liền (2024–2025)")
    expect(an.last).to_contain_text("Chi hội trưởng, Chi hội Phụ nữ xóm 1")
    expect(page.get_by_text("Có thể đề nghị công nhận “Trong sạch vững mạnh tiêu biểu”").last)
    assert_accessible(page)
    assert_fit_for_fingers(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về Excel").click()
    assert download.value.suggested_filename == f"de-xuat-sau-xep-loai-2025-{p.commune.code}.xlsx"
    page.get_by_role("link", name=p.cell_a.name, exact=True).click()
    expect(page.get_by_role("navigation", name="Đơn vị cấp trên")).to_contain_text(p.commune.name)
    expect(page.locator("article")).to_have_count(3)
    assert_accessible(page)
    page.get_by_role("link", name="2024", exact=True).click()
    expect(
        page.get_by_text("Không có trường hợp nào trong các kết quả đã công khai.")
    ).to_be_visible()
    assert_accessible(page)
    assert_fit_for_fingers(page)
