"""A grassroots organisation reviewed bottom-up in a real browser: its cells report, the
commune's committee examines and decides them within the quota, the commune reports, the
district's board examines it and the standing committee decides it, the board adjusts a cell
and re-opens the commune; then each persona sees what they should."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import (
    PASSWORD,
    make_cycle,
    make_personas,
    make_user,
)
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers
from xeploai.core.testing_browser import sign_in as browser_sign_in
from xeploai.cycles.models import Level, MemberEvaluation, Step
from xeploai.reviews import actions

from .flow import DECISION, proposed_commune
from .unit_flow import submit_unit, unit_evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    browser_sign_in(page, base, username, PASSWORD)


def write_report(page: Page, level: Level) -> None:
    """A strong year: every item at its maximum, every target met, 40 % exceeded."""
    for field in page.locator("input[name^=score_]").all():
        hint = page.locator(f"#{field.get_attribute('id')}_helptext").inner_text()
        field.fill(re.sub(r"\D", "", hint))  # "(tối đa 10 điểm)"
    page.get_by_label("% chỉ tiêu, nhiệm vụ hoàn thành").fill("100")
    page.get_by_label("% chỉ tiêu, nhiệm vụ vượt mức").fill("40")
    page.get_by_label("Chỉ tiêu chủ yếu").select_option("no")
    for name, text in (
        ("section_strengths", "Lãnh đạo hoàn thành các chỉ tiêu của năm."),
        ("section_weaknesses", "Sinh hoạt chuyên đề có lúc chưa sâu."),
        ("section_plan", "Đổi mới nội dung sinh hoạt."),
    ):
        page.locator(f"[name={name}]").fill(text)
    page.get_by_label("Tập thể tự xếp loại").select_option(str(level))


def step(page: Page, heading: str, fields: dict[str, str]) -> None:
    """Fill and send the small form of one step, under its heading."""
    section = page.locator("section", has=page.get_by_role("heading", name=heading))
    for label, value in fields.items():
        field = section.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    section.get_by_role("button").click()


def decide(page: Page, levels: dict[str, Level], number: str) -> None:
    for name, level in levels.items():
        page.get_by_label(f"Quyết định {name}").select_option(str(level))
    page.get_by_label("Số quyết định").fill(number)
    page.get_by_label("Ngày quyết định").fill("2026-12-20")
    page.get_by_role("button", name="Quyết định các mức đã chọn").click()


def test_it_takes_a_grassroots_organisation_bottom_up(page: Page, live_server: object) -> None:
    p = make_personas()
    cycle = make_cycle(2026)
    make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
    proposed_commune(p, cycle, an=Level.GOOD)
    members = MemberEvaluation.objects.filter(cycle=cycle)
    levels = {e.pk: Level.GOOD for e in members}
    actions.decide(p.commune, cycle=cycle, by=p.chi, levels=levels, decision=DECISION)
    submit_unit(unit_evaluation(p.cell_b, cycle), p.em)
    base = str(live_server)
    cell_a, commune = (
        f"{base}/kiem-diem/to-chuc/2026/CB-A/",
        f"{base}/kiem-diem/to-chuc/2026/DB-XA/",
    )

    # 1. Bình, on his phone, writes cell A's report from the cell's page and submits it.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "binh")
    page.goto(f"{base}/don-vi/CB-A/")
    page.get_by_role("link", name="Kiểm điểm, xếp loại tổ chức").click()
    write_report(page, Level.EXCELLENT)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#status")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    expect(page.locator("#draft-state")).to_contain_text("Đã lưu bản nháp")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_role("button", name="Nộp báo cáo kiểm điểm").click()
    expect(page.locator(".messages")).to_contain_text("Đã nộp báo cáo kiểm điểm")
    expect(page.locator("[name=section_plan]")).to_be_disabled()
    page.set_viewport_size({"width": 1280, "height": 900})

    # 2. Chi examines both cells, proposes, and decides them within the commune's quota.
    sign_in(page, base, "chi")
    page.goto(cell_a)
    step(
        page,
        "Thẩm định, đề xuất mức xếp loại",
        {"Mức đề xuất": "1", "Ý kiến thẩm định": "Tiêu biểu"},
    )
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận")
    page.goto(f"{base}/kiem-diem/to-chuc/2026/CB-B/")
    step(
        page,
        "Thẩm định, đề xuất mức xếp loại",
        {"Mức đề xuất": "2", "Ý kiến thẩm định": "Thống nhất"},
    )
    page.goto(f"{base}/don-vi/DB-XA/")
    page.get_by_role("link", name="Xếp loại tổ chức trực thuộc").click()
    assert_accessible(page)
    decide(page, {"Chi bộ xóm 1": Level.EXCELLENT, "Chi bộ xóm 2": Level.GOOD}, "21-QĐ/ĐU")
    expect(page.get_by_role("alert")).to_contain_text("Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ")
    expect(page.locator(".quota.breach")).to_contain_text("Chi bộ xóm 1")
    decide(page, {"Chi bộ xóm 1": Level.GOOD, "Chi bộ xóm 2": Level.GOOD}, "21-QĐ/ĐU")
    expect(page.locator(".messages")).to_contain_text("Đã quyết định 2 kết quả")

    # 3. Chi writes the commune's own report; the district's board examines it.
    page.goto(commune)
    write_report(page, Level.GOOD)
    page.get_by_role("button", name="Nộp báo cáo kiểm điểm").click()
    expect(page.locator(".messages")).to_contain_text("Đã nộp báo cáo kiểm điểm")
    sign_in(page, base, "dung")
    page.goto(commune)
    step(
        page,
        "Thẩm định, đề xuất mức xếp loại",
        {"Mức đề xuất": "2", "Ý kiến thẩm định": "Thống nhất"},
    )

    # 4. The district's standing committee decides the commune, everything below it decided.
    sign_in(page, base, "thuong")
    page.set_viewport_size({"width": 390, "height": 844})  # the decision page on a phone
    page.goto(f"{base}/kiem-diem/to-chuc/quyet-dinh/DB-HUYEN/?nam=2026")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    decide(page, {"Đảng bộ xã Hoa Thành": Level.GOOD}, "45-QĐ/HU")
    expect(page.locator(".messages")).to_contain_text("Đã quyết định 1 kết quả")

    # 5. The board adjusts cell A, and re-opens the commune on a complaint (R31).
    sign_in(page, base, "dung")
    page.set_viewport_size({"width": 390, "height": 844})  # the superior's steps on a phone
    page.goto(cell_a)
    assert_fit_for_fingers(page)
    step(
        page,
        "Thẩm định của cấp trên",
        {
            "Thao tác": "adjust",
            "Mức điều chỉnh": "3",
            "Lý do, ý kiến": "Sai sót trong tổng hợp chỉ tiêu",
        },
    )
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận")
    expect(page.locator("#history-title + table")).to_contain_text("Thẩm định, điều chỉnh")
    assert_accessible(page)
    page.goto(commune)
    step(page, "Thẩm định của cấp trên", {"Thao tác": "reopen", "Lý do, ý kiến": "Đơn khiếu nại"})
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận")
    assert unit_evaluation(p.commune, cycle).step == Step.SUBMITTED

    # 6. Each persona sees what they should: the cell its result, the sibling cell nothing.
    sign_in(page, base, "binh")
    page.goto(cell_a)
    expect(page.locator("h1 + p")).to_contain_text("Hoàn thành nhiệm vụ")
    sign_in(page, base, "em")
    assert page.goto(cell_a).status == 404  # type: ignore[union-attr]
    sign_in(page, base, "an")
    assert page.goto(commune).status == 404  # type: ignore[union-attr]
