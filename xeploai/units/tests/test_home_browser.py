"""A member's home on a phone, in a real browser: their own review first, a button a finger can
hit, and it leads to their self-review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from xeploai.core.testing import PASSWORD, make_cycle, make_personas
from xeploai.core.testing_browser import assert_accessible
from xeploai.reviews import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
FINGER = 44  # px: the smallest target a finger hits reliably


def test_it_puts_the_members_own_review_first_on_a_phone(page: Page, live_server: object) -> None:
    p = make_personas()
    actions.open_cycle(p.commune, cycle=make_cycle(2026), by=p.chi)
    base = str(live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/")
    page.get_by_label("Tên đăng nhập").fill("binh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Bình is a member and his cell's secretary: his own review comes before the cell's.
    cards = page.locator("main section.card")
    expect(cards.first).to_have_attribute("id", "own")
    expect(cards.nth(1)).to_contain_text("Kiểm điểm đảng viên — Chi bộ xóm 1")
    assert_accessible(page)
    button = page.locator("#own").get_by_role("link", name="Làm")
    box = button.bounding_box()
    assert box is not None and box["height"] >= FINGER
    button.click()
    expect(page).to_have_url(re.compile(r"/kiem-diem/2026/DV-BINH/$"))
