"""Dũng, of the district's board, on his phone: from the district's page to its signals, from
a copied self-review to the two texts side by side, which he marks examined with a note; the
list then counts it examined, and the appraisal list shows the signal beside Em's result.
Every page checked by axe-core, on a 390 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from xeploai.core.testing import PASSWORD
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers, sign_in

from .scene import make_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Đã làm việc với đồng chí Em; phần ưu điểm được viết lại theo việc của đồng chí."


def check(page: Page) -> None:
    assert_accessible(page)
    assert_fit_for_fingers(page)


def test_the_board_follows_a_copy_to_the_two_texts_and_marks_it_examined(
    page: Page, live_server: object
) -> None:
    make_scene()
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "dung", PASSWORD)

    page.goto(f"{base}/don-vi/DB-HUYEN/")
    page.get_by_role("link", name="Dấu hiệu cần xem lại").click()
    expect(page.locator("h1")).to_have_text("Dấu hiệu cần xem lại — năm 2026")
    expect(page.locator("#analysis")).to_contain_text("2 dấu hiệu")
    check(page)

    page.get_by_role("link", name="Bản kiểm điểm giống bản khác 1").click()
    expect(page.locator("table.cards tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Trần Thị An (DV-AN)").click()
    expect(page.locator("h1")).to_have_text("Bản kiểm điểm giống bản khác")
    texts = page.locator(".compare figure")
    expect(texts).to_have_count(2)
    expect(texts.nth(0)).to_contain_text("Phạm Văn Em (DV-EM), năm 2026")
    expect(texts.nth(1)).to_contain_text("Trần Thị An (DV-AN), năm 2026")
    expect(texts.nth(0).locator("mark").first).to_be_visible()
    expect(texts.nth(1).locator("mark").first).to_be_visible()
    check(page)

    page.get_by_label("Kết quả xem xét").fill(NOTE)
    page.get_by_role("button", name="Đánh dấu đã xem xét").click()
    expect(page.locator(".messages")).to_contain_text("Đã đánh dấu đã xem xét.")
    expect(page.locator("#examined-title + p")).to_contain_text("Đã xem xét: dung")
    expect(page.get_by_label("Kết quả xem xét")).to_have_value(NOTE)
    check(page)

    page.get_by_role("link", name="Dấu hiệu cần xem lại — Đảng bộ huyện Yên Thành").click()
    page.get_by_label("Tình trạng").select_option("roi")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.cards tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Phạm Văn Em")
    expect(rows).to_contain_text("Đã xem xét")
    check(page)

    # The same signal follows Em's result into the appraisal list, beside its ceiling.
    page.goto(f"{base}/kiem-diem/tham-dinh/DB-XA/?nam=2026&buoc=tat-ca")
    flag = page.locator("#DV-EM .flag a")
    expect(flag).to_have_text("Bản kiểm điểm giống bản khác")
    check(page)
    flag.click()
    expect(page.locator("h1")).to_have_text("Bản kiểm điểm giống bản khác")
