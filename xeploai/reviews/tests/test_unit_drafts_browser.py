"""A cell's secretary writes the cell's report on a phone over a bad line: what is typed
survives a dropped connection, and the page says "saved" only once the server has it, as on a
member's self-review."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.core.testing_browser import assert_accessible
from xeploai.reviews import actions
from xeploai.reviews.models import UnitSelfReview
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SAVED = re.compile(r"Đã lưu bản nháp lúc")
OFFLINE = "Chưa lưu — sẽ gửi khi có mạng"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, **PHONE}


def saved_sections(p: Personas) -> dict[str, str]:
    report = UnitSelfReview.objects.filter(evaluation__unit=p.cell_a).first()
    return dict(report.sections) if report else {}


def test_the_cells_report_survives_a_dropped_line(
    page: Page, context: BrowserContext, live_server: object
) -> None:
    p = make_personas()
    actions.open_cycle(p.commune, cycle=make_cycle(2026), by=p.chi)
    base, url = str(live_server), f"{live_server}/kiem-diem/to-chuc/2026/CB-A/"
    sign_in(page, base, "binh")
    page.get_by_role("link", name="1 báo cáo kiểm điểm của đơn vị chưa nộp").click()
    expect(page).to_have_url(url)
    state = page.locator("#draft-state")

    page.get_by_label("Ưu điểm, kết quả đạt được").fill("Lãnh đạo đạt các chỉ tiêu.")
    expect(state).to_have_text(SAVED, timeout=15000)  # a loaded test machine answers slowly
    assert saved_sections(p)["strengths"] == "Lãnh đạo đạt các chỉ tiêu."

    context.set_offline(True)
    page.get_by_label("Hạn chế, khuyết điểm và nguyên nhân").fill("Sinh hoạt có lúc chưa sâu.")
    expect(state).to_contain_text(OFFLINE)
    assert_accessible(page)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(state).to_contain_text(OFFLINE)  # never "saved" while the server has not got it
    assert page.url == url
    assert not saved_sections(p).get("weaknesses")

    context.set_offline(False)
    expect(state).to_have_text(SAVED, timeout=15000)
    assert saved_sections(p)["weaknesses"] == "Sinh hoạt có lúc chưa sâu."
    page.reload()
    expect(page.get_by_label("Hạn chế, khuyết điểm và nguyên nhân")).to_have_value(
        "Sinh hoạt có lúc chưa sâu."
    )
