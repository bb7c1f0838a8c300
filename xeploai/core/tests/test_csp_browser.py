"""The Content-Security-Policy in a real browser: the pages that run the most script (the
home's tree, the self-review's drafts, the decision's quota preview) and the report's charts
(inline SVG) keep working under it, and the browser refuses nothing on them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, expect

from xeploai.accounts.models import User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
    make_user,
)
from xeploai.cycles.models import Level, Status
from xeploai.reviews.tests.flow import proposed_commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every refusal, as the page itself hears of it; the console also tells of those the page
# is not told about (a refused eval in a script, say).
LISTEN = """window.refused = [];
document.addEventListener("securitypolicyviolation", e => window.refused.push(
  `${e.effectiveDirective} refused ${e.blockedURI || "inline"} ${e.sample}`));"""
SAVED = re.compile(r"Đã lưu bản nháp lúc")


def prepare() -> Personas:
    """An, Bình and Em proposed, waiting for the commune's decision; Hoa at her self-review;
    An classified the year before, for the report's charts."""
    p = make_personas()
    make_user("hoa", member=make_member(p.cell_a, code="DV-HOA", full_name="Ngô Thị Hoa"))
    proposed_commune(p, make_cycle(2026))
    last_year = make_cycle(2025, closed=True)
    make_evaluation(p.an_member, last_year, status=Status.CLASSIFIED, level_final=Level.GOOD)
    return p


def sign_in(page: Page, base: str, p: Personas, user: User) -> None:
    """The session of a signed-in test client, handed to the browser: the sign-in pages are
    not what this test is about."""
    session = p.client(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}
    page.context.add_cookies([cookie])  # type: ignore[list-item]
    page.goto(f"{base}/")


class Refusals:
    """What the browser refused on the pages visited."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self.heard)

    def heard(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def assert_none(self) -> None:
        refused = self.page.evaluate("window.refused") + self.console
        assert not refused, f"{self.page.url}: {refused}"


def test_the_pages_work_under_the_policy_and_it_refuses_nothing(
    page: Page, live_server: object
) -> None:
    p = prepare()
    base, refusals = str(live_server), Refusals(page)

    # Chi's home: the tree's "+" brings the commune's cells, then goes.
    sign_in(page, base, p, p.chi)
    node = page.locator(f"#node-{p.commune.code}")
    node.get_by_role("button", name="Mở rộng").click()
    expect(node.get_by_role("link", name=p.cell_a.name)).to_be_visible()
    expect(node.get_by_role("button", name="Mở rộng")).to_have_count(0)
    refusals.assert_none()

    # The decision: choosing a level previews the quota in place (once the form's required
    # fields are filled: htmx checks the form before it sends it).
    page.goto(f"{base}/kiem-diem/quyet-dinh/{p.commune.code}/")
    quota = page.locator("#quota")
    expect(quota).to_contain_text("Vượt 1")
    page.get_by_label("Số quyết định").fill("15-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill("2026-12-20")
    page.get_by_label("Quyết định Trần Thị An").select_option(str(Level.GOOD))
    expect(quota).not_to_contain_text("Vượt")
    refusals.assert_none()

    # The report: its charts, matplotlib's SVG with their own styles, drawn in the page.
    page.goto(f"{base}/bao-cao/{p.commune.code}/2025/")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    refusals.assert_none()

    # Hoa's self-review: what she types is saved as a draft by the page's script.
    sign_in(page, base, p, User.objects.get(username="hoa"))
    page.goto(f"{base}/kiem-diem/2026/DV-HOA/")
    page.get_by_label("Ưu điểm, kết quả đạt được").fill("Hoàn thành tốt việc được giao.")
    expect(page.locator("#draft-state")).to_have_text(SAVED)
    refusals.assert_none()


def test_it_hears_of_what_the_policy_refuses(page: Page, live_server: object) -> None:
    make_personas()
    refusals = Refusals(page)
    page.goto(f"{live_server}/tai-khoan/dang-nhap/")
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.ran = true"; document.head.append(s); }""")
    assert not page.evaluate("window.ran === true")
    with pytest.raises(AssertionError, match="script-src-elem refused inline"):
        refusals.assert_none()
