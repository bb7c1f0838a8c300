"""A province's report downloaded in a real browser, on a phone: the officer asks for the PDF,
watches the worker's progress, and downloads the file once it is written. Every page visited
passes axe-core's checks."""

from __future__ import annotations

import tempfile

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit, make_user
from xeploai.core.testing_browser import assert_accessible
from xeploai.cycles.models import Level, Status
from xeploai.reports.tests.test_report_browser import PHONE
from xeploai.reports.tests.test_report_files import run_queued
from xeploai.units.models import UnitKind
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
def test_an_officer_asks_for_a_province_pdf_and_downloads_it(
    page: Page, live_server: object
) -> None:
    province = make_unit(None, kind=UnitKind.PROVINCE, code="TINH", name="Đảng bộ tỉnh Nghệ An")
    district = make_unit(province, kind=UnitKind.DISTRICT, code="HUYEN")
    commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="XA")
    cell = make_unit(commune, code="CB")
    cycle = make_cycle(2025, closed=True)
    for level in (Level.EXCELLENT, Level.GOOD):
        make_evaluation(make_member(cell), cycle, status=Status.CLASSIFIED, level_final=level)
    make_user("tinh", roles=((RoleKind.BOARD_OFFICER, province),))
    page.set_viewport_size(PHONE)
    sign_in(page, str(live_server), "tinh")
    page.goto(f"{live_server}/bao-cao/TINH/2025/tai-ve.pdf")  # a link followed: the page to ask
    ask = page.get_by_role("button", name="Chuẩn bị tệp PDF")
    assert (ask.bounding_box() or {"height": 0})["height"] >= 44
    assert_accessible(page)
    page.goto(f"{live_server}/bao-cao/TINH/2025/")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    pdf = page.get_by_role("button", name="PDF", exact=True)
    assert (pdf.bounding_box() or {"height": 0})["height"] >= 44
    pdf.click()

    expect(page.get_by_text("Đang chờ xử lý")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Tiến độ")).to_be_visible()
    assert_accessible(page)
    run_queued()  # the worker, meanwhile
    link = page.get_by_role("link", name="Tải tệp PDF")
    expect(link).to_be_visible(timeout=10_000)  # the page asks again every second
    expect(page.get_by_text("Đã xong")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "bao-cao-xep-loai-2025-TINH.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
