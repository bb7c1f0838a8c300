"""The district's board suggests two points to An and sends them; An, on her phone, explains
both; the board reads her explanations. Every page checked by axe-core, An's on a 390 px
screen for fingers too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from xeploai.core.testing import PASSWORD
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers
from xeploai.core.testing_browser import sign_in as browser_sign_in

from .scene import make_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POINTS = (
    "Việc chấp hành chế độ sinh hoạt chi bộ trong năm",
    "Trách nhiệm trong việc chậm hoàn thành chỉ tiêu được giao",
)
EXPLANATIONS = (
    "Tôi vắng hai buổi sinh hoạt vì đi công tác, đã báo cáo chi bộ trước.",
    "Chỉ tiêu chậm do thiếu kinh phí; tôi nhận trách nhiệm và đã hoàn thành trong tháng 11.",
)


def sign_in(page: Page, base: str, username: str) -> None:
    browser_sign_in(page, base, username, PASSWORD)


def test_it_takes_a_suggestion_from_the_board_to_an_and_back(
    page: Page, live_server: object
) -> None:
    make_scene()
    base = str(live_server)

    # 1. Dũng, of the district's board, drafts the suggestion and sends it, on a phone too.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "dung")
    page.goto(f"{base}/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_role("link", name="Soạn gợi ý kiểm điểm").click()
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_label("Cá nhân (đảng viên)").check()
    page.get_by_label("Mã đảng viên hoặc mã tổ chức đảng").fill("DV-AN")
    page.get_by_label("Số văn bản (nếu có)").fill("12-CV/BTCHU")
    page.get_by_label("Các vấn đề gợi ý kiểm điểm").fill("\n".join(POINTS))
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu dự thảo")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_role("button", name="Gửi đến đồng chí Trần Thị An").click()
    expect(page.locator(".messages")).to_contain_text("Đã gửi gợi ý kiểm điểm")
    expect(page.locator("main")).to_contain_text("Chưa giải trình.")
    assert_accessible(page)
    suggestion = page.url

    # 2. An, on her phone, finds it and explains both points.
    sign_in(page, base, "an")
    page.goto(f"{base}/kiem-diem/cap-tren/goi-y/")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_role("link", name="Đồng chí Trần Thị An").click()
    expect(page.locator("main")).to_contain_text(POINTS[1])
    assert_accessible(page)
    assert_fit_for_fingers(page)
    page.get_by_label("Giải trình vấn đề 1").fill(EXPLANATIONS[0])
    page.get_by_label("Giải trình vấn đề 2").fill(EXPLANATIONS[1])
    page.get_by_role("button", name="Lưu giải trình").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu giải trình")
    expect(page.get_by_label("Giải trình vấn đề 2")).to_have_value(EXPLANATIONS[1])
    assert_accessible(page)
    assert_fit_for_fingers(page)
    font = page.get_by_label("Giải trình vấn đề 1").evaluate("e => getComputedStyle(e).fontSize")
    assert font == "16px"

    # 3. Dũng reads her explanations, and the district's list counts the suggestion explained.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "dung")
    page.goto(suggestion)
    for text in EXPLANATIONS:
        expect(page.locator("main")).to_contain_text(text)
    assert_accessible(page)
    page.goto(f"{base}/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026")
    expect(page.locator("main")).to_contain_text("Đã giải trình đủ: 1")
    expect(page.locator("main")).to_contain_text("đã giải trình 2/2 vấn đề")
