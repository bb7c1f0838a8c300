"""The critical flow of this stage, in a real browser: sign in, walk the tree, open a member."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from xeploai.core.testing import PASSWORD, make_cycle, make_evaluation, make_personas
from xeploai.core.testing_browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    """Through the login page, and the code step for a user asked for a code."""
    from xeploai.core.testing import second_factor_code

    code = second_factor_code(username)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if code is not None:
        page.get_by_label("Mã xác thực").fill(code)
        page.get_by_role("button", name="Xác nhận").click()


def test_it_walks_the_tree_to_a_member_and_shows_the_verdict(
    page: Page, live_server: object
) -> None:
    p = make_personas()
    make_evaluation(p.an_member, make_cycle(2026))
    base = str(live_server)
    sign_in(page, base, "chi")
    expect(page.get_by_role("link", name="Đảng bộ xã Hoa Thành")).to_be_visible()
    assert_accessible(page)
    # Expanding the subtree happens in place, without leaving the page.
    page.get_by_role("button", name="Mở rộng").click()
    expect(page.get_by_role("link", name="Chi bộ xóm 2")).to_be_visible()
    assert page.url == f"{base}/"
    page.get_by_role("link", name="Chi bộ xóm 1").click()
    expect(page.get_by_role("heading", name="Chi bộ xóm 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Trần Thị An").click()
    expect(page.locator("#verdict")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    expect(page.locator("#verdict")).to_contain_text("R20")
    expect(page).to_have_url(re.compile(r"/dang-vien/DV-AN/$"))
    assert_accessible(page)


def test_it_keeps_a_sibling_cell_out(page: Page, live_server: object) -> None:
    make_personas()
    base = str(live_server)
    sign_in(page, base, "em")
    expect(page.get_by_role("link", name="Chi bộ xóm 2")).to_be_visible()
    expect(page.get_by_text("Chi bộ xóm 1")).to_have_count(0)
    response = page.goto(f"{base}/dang-vien/DV-AN/")
    assert response is not None and response.status == 404
