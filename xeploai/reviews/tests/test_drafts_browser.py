"""A member writes their self-review on a phone over a bad line: every word typed survives a
dropped connection, a closed tab and a second tab, and the page never says "saved" unless the
server has the text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers
from xeploai.cycles.models import MemberEvaluation
from xeploai.reviews import actions
from xeploai.reviews.models import SelfReview
from xeploai.units.tests.test_browse_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SAVED = re.compile(r"Đã lưu bản nháp lúc")
OFFLINE = "Chưa lưu — sẽ gửi khi có mạng"
STRENGTHS = "Ưu điểm, kết quả đạt được"  # the form's first part


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, **PHONE}


def opened() -> Personas:
    p = make_personas()
    actions.open_cycle(p.commune, cycle=make_cycle(2026), by=p.chi)
    return p


def an_at_her_form(page: Page, live_server: object) -> tuple[Personas, str]:
    """The cycle open, An signed in and at her self-review; the personas and its address."""
    p = opened()
    url = f"{live_server}/kiem-diem/2026/DV-AN/"
    sign_in(page, str(live_server), "an")
    page.goto(url)
    return p, url


def saved_sections(p: Personas) -> dict[str, str]:
    review = SelfReview.objects.filter(evaluation__member=p.an_member).first()
    return dict(review.sections) if review else {}


def test_every_word_survives_a_dropped_line(
    page: Page, context: BrowserContext, live_server: object
) -> None:
    p = opened()
    base, url = str(live_server), f"{str(live_server)}/kiem-diem/2026/DV-AN/"
    # She starts from her home, which starts with her own self-review.
    sign_in(page, base, "an")
    own = page.locator("#own")
    expect(own).to_contain_text("Bản tự kiểm điểm năm 2026")
    assert_accessible(page)
    assert_fit_for_fingers(page)
    own.get_by_role("link", name="Làm").click()
    expect(page).to_have_url(url)
    assert_accessible(page)
    assert_fit_for_fingers(page)
    state = page.locator("#draft-state")

    page.get_by_label(STRENGTHS).fill("Hoàn thành tốt việc được giao.")
    expect(state).to_have_text(SAVED)
    assert saved_sections(p)["strengths"] == "Hoàn thành tốt việc được giao."

    # The line drops while she types: the page says so, and keeps what she typed.
    context.set_offline(True)
    weaknesses = page.get_by_label("Hạn chế, khuyết điểm và nguyên nhân")
    weaknesses.fill("Có lúc chưa chủ động; nguyên nhân do chưa sắp xếp thời gian.")
    expect(state).to_contain_text(OFFLINE)
    assert_accessible(page)
    # Pressing the save button offline stays on the page instead of the browser's error page.
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(state).to_contain_text(OFFLINE)
    assert page.url == url
    assert "weaknesses" not in saved_sections(p) or not saved_sections(p)["weaknesses"]

    # The line comes back: the draft goes by itself, and only then the page says "saved".
    context.set_offline(False)
    expect(state).to_have_text(SAVED, timeout=15000)
    assert saved_sections(p)["weaknesses"].startswith("Có lúc chưa chủ động")

    # Typed, then the tab closed before the line came back: the next visit sends it.
    context.set_offline(True)
    page.get_by_label("Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm").fill(
        "Lập kế hoạch công việc từng tuần."
    )
    expect(state).to_contain_text(OFFLINE)
    again = context.new_page()
    with page.expect_event("close"):
        page.close(run_before_unload=True)  # she closes the tab, as a browser does
    context.set_offline(False)
    again.goto(url)
    expect(again.locator("#draft-state")).to_have_text(SAVED, timeout=15000)
    expect(
        again.get_by_label("Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm")
    ).to_have_value("Lập kế hoạch công việc từng tuần.")
    assert saved_sections(p)["plan"] == "Lập kế hoạch công việc từng tuần."

    # Requests that fail without the browser knowing it is offline are retried too.
    again.route("**/kiem-diem/2026/DV-AN/", lambda route: route.abort())
    again.get_by_label(STRENGTHS).fill("Sửa lại khi mạng chập chờn.")
    expect(again.locator("#draft-state")).to_contain_text(OFFLINE)
    again.unroute("**/kiem-diem/2026/DV-AN/")
    expect(again.locator("#draft-state")).to_have_text(SAVED, timeout=20000)
    assert saved_sections(p)["strengths"] == "Sửa lại khi mạng chập chờn."


def test_a_second_tab_shows_both_copies_and_loses_neither(
    page: Page, context: BrowserContext, live_server: object
) -> None:
    p, url = an_at_her_form(page, live_server)
    other = context.new_page()
    other.goto(url)

    # A phone runs the scripts of the tab in front only: she types in one, then the other.
    page.bring_to_front()
    page.get_by_label(STRENGTHS).fill("Viết ở thẻ thứ nhất.")
    expect(page.locator("#draft-state")).to_have_text(SAVED)
    other.bring_to_front()
    other.get_by_label(STRENGTHS).fill("Viết ở thẻ thứ hai.")
    conflict = other.locator(".conflict")
    expect(conflict).to_contain_text("Viết ở thẻ thứ nhất.")
    expect(conflict).to_contain_text("Viết ở thẻ thứ hai.")
    expect(other.locator("#draft-state")).to_contain_text("có hai bản khác nhau")
    assert_accessible(other)
    assert saved_sections(p)["strengths"] == "Viết ở thẻ thứ nhất."

    other.get_by_role("button", name="Giữ bản trên trang này").click()
    expect(other.locator("#draft-state")).to_have_text(SAVED)
    assert saved_sections(p)["strengths"] == "Viết ở thẻ thứ hai."
    evaluation = MemberEvaluation.objects.get(member=p.an_member)
    assert evaluation.version == 2

    # The first tab now holds the older copy: its next change is refused, not written over.
    page.bring_to_front()
    page.get_by_label(STRENGTHS).fill("Viết tiếp ở thẻ thứ nhất.")
    expect(page.locator(".conflict")).to_contain_text("Viết ở thẻ thứ hai.")
    page.get_by_role("link", name="Dùng bản đã lưu").click()
    expect(page.get_by_label(STRENGTHS)).to_have_value("Viết ở thẻ thứ hai.")
    assert saved_sections(p)["strengths"] == "Viết ở thẻ thứ hai."


def test_a_copy_kept_on_the_phone_never_writes_over_a_newer_one(
    page: Page, context: BrowserContext, live_server: object
) -> None:
    p, url = an_at_her_form(page, live_server)
    # On the phone, offline, then the tab closed: the text waits in the phone.
    context.set_offline(True)
    page.get_by_label(STRENGTHS).fill("Viết trên điện thoại.")
    expect(page.locator("#draft-state")).to_contain_text(OFFLINE)
    again = context.new_page()
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    context.set_offline(False)
    # Meanwhile she writes on her computer, which saves first.
    evaluation = MemberEvaluation.objects.get(member=p.an_member)
    data = actions.SelfReviewData(sections={"strengths": "Viết trên máy tính."})
    actions.save_self_review(evaluation, by=p.an, version=0, data=data)

    # Back on the phone: both copies are shown, and typing on does not settle it.
    again.goto(url)
    conflict = again.locator(".conflict")
    expect(conflict).to_contain_text("Viết trên máy tính.", timeout=15000)
    expect(conflict).to_contain_text("Viết trên điện thoại.")
    again.get_by_label("Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm").fill("Thêm ý.")
    expect(again.locator("#draft-state")).to_contain_text("có hai bản khác nhau")
    assert saved_sections(p)["strengths"] == "Viết trên máy tính."
    # Only her choice does.
    again.get_by_role("button", name="Giữ bản trên trang này").click()
    expect(again.locator("#draft-state")).to_have_text(SAVED)
    assert saved_sections(p) == saved_sections(p) | {
        "strengths": "Viết trên điện thoại.",
        "plan": "Thêm ý.",
    }


def test_what_is_typed_before_the_script_arrives_is_kept(
    page: Page, context: BrowserContext, live_server: object
) -> None:
    p = opened()
    sign_in(page, str(live_server), "an")
    # Over a slow line the page's script comes long after the form: she types meanwhile.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    script = re.compile(r"/draft(\.\w+)?\.js")
    page.route(script, hold)
    page.goto(f"{live_server}/kiem-diem/2026/DV-AN/", wait_until="commit")
    page.get_by_label(STRENGTHS).fill("Gõ trước khi trang tải xong.")
    expect(page.locator("#draft-state")).to_have_text("")
    assert held
    held[0].continue_()
    expect(page.locator("#draft-state")).to_have_text(SAVED, timeout=15000)
    assert saved_sections(p)["strengths"] == "Gõ trước khi trang tải xong."
