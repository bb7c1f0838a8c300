"""The import, in a real browser: an administrator sends a file, the page follows the worker
without reloading, and a refused file shows where each error is. Every page visited passes
axe-core's checks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from xeploai.core.testing import make_personas, make_user
from xeploai.core.testing_browser import assert_accessible
from xeploai.imports.tasks import import_file
from xeploai.units.models import Unit
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập"


def run_queued_task() -> None:
    """What `xeploai db_worker` does with the queued import."""
    queued = DBTaskResult.objects.ready().get()
    import_file.func(*queued.args_kwargs["args"])
    queued.delete()


@override_settings(MEDIA_ROOT=tempfile.mkdtemp())
def test_an_administrator_imports_a_file_and_watches_it_finish(
    page: Page, live_server: object
) -> None:
    make_personas()
    admin = make_user("quantri")
    admin.is_staff = True
    admin.save()
    tmp = Path(tempfile.mkdtemp())
    good, bad = tmp / "don-vi.csv", tmp / "don-vi-loi.csv"
    good.write_text(f"{HEADER}\nX9;Đảng bộ xã Mới;Đảng bộ cơ sở;DB-HUYEN;01/05/1975\n")
    bad.write_text(f"{HEADER}\nX8;Đảng bộ xã Lỗi;Đảng bộ cơ sở;DB-TINH;01/05/1975\n")
    base = str(live_server)
    sign_in(page, base, "quantri")
    assert_accessible(page)
    page.get_by_role("link", name="Nhập dữ liệu").click()
    expect(page.get_by_role("heading", name="Nhập dữ liệu từ tệp")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Loại dữ liệu").select_option(label="Tổ chức đảng")
    page.get_by_label("Tệp .xlsx hoặc .csv").set_input_files(good)
    page.get_by_role("button", name="Nhập").click()
    expect(page.get_by_text("Đang chờ xử lý")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert_accessible(page)
    run_queued_task()
    # The page polls: the result appears without a reload.
    expect(page.get_by_text("1 dòng thêm mới, 0 dòng cập nhật, 0 dòng không đổi.")).to_be_visible()
    assert_accessible(page)
    assert Unit.objects.filter(code="X9").exists()
    page.get_by_role("link", name="Nhập dữ liệu").first.click()
    page.get_by_label("Loại dữ liệu").select_option(label="Tổ chức đảng")
    page.get_by_label("Tệp .xlsx hoặc .csv").set_input_files(bad)
    page.get_by_role("button", name="Nhập").click()
    run_queued_task()
    expect(page.get_by_text("1 lỗi: không ghi dòng nào.")).to_be_visible()
    expect(page.locator("table.errors")).to_contain_text("Không có đơn vị mã DB-TINH.")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo lỗi (.xlsx)").click()
    assert download.value.suggested_filename == "loi-don-vi-loi.xlsx"
    assert not Unit.objects.filter(code="X8").exists()
