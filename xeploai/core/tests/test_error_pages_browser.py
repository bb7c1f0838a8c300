"""The error pages in a real browser, each passing axe-core's checks; and what the check says
of a page that fails it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import Page, expect

from xeploai.core.testing import PASSWORD, make_personas
from xeploai.core.testing_browser import assert_accessible
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_error_page_says_what_happened_and_passes_the_checks(
    page: Page, live_server: object
) -> None:
    make_personas()
    base = str(live_server)
    page.goto(f"{base}/")
    assert_accessible(page)  # the sign-in page
    page.goto(f"{base}/khong-co-trang-nay/")
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    assert_accessible(page)
    # A form kept open past its token: the cookie that held it is gone.
    page.goto(f"{base}/")
    page.context.clear_cookies()
    page.get_by_label("Tên đăng nhập").fill("chi")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Biểu mẫu đã hết hạn")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Tải lại trang").click()
    sign_in(page, base, "chi")
    page.goto(f"{base}/nhap-du-lieu/")  # for system administrators only
    expect(page.get_by_role("heading", name="Bạn không có quyền làm việc này")).to_be_visible()
    assert_accessible(page)
    page.set_content(server_error(RequestFactory().get("/")).content.decode())
    expect(page.get_by_role("heading", name="Hệ thống gặp lỗi")).to_be_visible()
    assert_accessible(page)


def test_the_check_lists_each_violation_with_its_elements(page: Page) -> None:
    page.set_content('<html lang="vi"><title>Thử</title><main><img src="a.png"></main></html>')
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    assert "image-alt (critical)" in str(failed.value)
    assert "\n    img" in str(failed.value)
