"""The personnel office enters a civil servant's state level on a phone; the grassroots
committee then sees it, and R28, on its decision page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import make_cycle, make_personas, make_user
from xeploai.core.testing_browser import assert_accessible
from xeploai.members.models import Member, StateResult
from xeploai.reviews.tests.flow import proposed_commune
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, **PHONE}


def test_the_office_enters_a_state_level_that_the_decision_page_weighs(
    page: Page, live_server: object
) -> None:
    p = make_personas()
    proposed_commune(p, make_cycle(2026))  # An proposed EXCELLENT
    Member.objects.filter(code="DV-AN").update(civil_servant=True)
    make_user("van_phong", roles=((RoleKind.PERSONNEL_OFFICE, p.commune),))
    base = str(live_server)

    sign_in(page, base, "van_phong")
    page.goto(f"{base}/don-vi/DB-XA/")
    page.get_by_role("link", name="Đánh giá công chức, viên chức").click()
    row = page.locator("#DV-AN")
    expect(row).to_contain_text("Chưa có")
    assert_accessible(page)
    row.get_by_label("Mức xếp loại").select_option(label="Hoàn thành xuất sắc nhiệm vụ")
    row.get_by_label("Số quyết định").fill("125/QĐ-UBND")
    row.get_by_label("Ngày quyết định").fill("2026-11-25")
    row.get_by_role("button", name="Lưu kết quả của Trần Thị An").click()
    expect(page.locator(".messages")).to_contain_text("Trần Thị An: đã lưu.")
    expect(page.locator("#DV-AN")).to_contain_text("Quyết định số 125/QĐ-UBND ngày 25/11/2026")
    assert_accessible(page)
    assert StateResult.objects.get().decision_number == "125/QĐ-UBND"

    page.context.clear_cookies()
    sign_in(page, base, "chi")
    page.goto(f"{base}/kiem-diem/quyet-dinh/DB-XA/")
    card = page.locator("#state-evaluation")
    expect(card).to_contain_text("1/1 đảng viên là công chức, viên chức đã có kết quả")
    expect(card).to_contain_text("100,0 % (1/1)")
    expect(card).to_contain_text("không được cao hơn")
    assert_accessible(page)
