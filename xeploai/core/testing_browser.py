"""What the browser tests check on every page they visit: axe-core finds no violation of
WCAG 2.1 A and AA. axe-core comes as a file of the axe-playwright-python package (the `dev`
extra), injected into the page: nothing is downloaded while the tests run."""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = (
    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
)


@functools.cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def assert_accessible(page: Page) -> None:
    """Fails with each violation: its rule, its impact and the elements it was found on."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated rather than added as a <script>: the pages' Content-Security-Policy
        # refuses inline scripts, as it should. The trailing 0 is the value returned.
        page.evaluate(axe_source() + "\n;0")
    violations: list[dict[str, Any]] = page.evaluate(RUN, WCAG_21_AA)["violations"]
    assert not violations, describe(page.url, violations)


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) at {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {' '.join(map(str, node['target']))}" for node in v["nodes"]]
    return "\n".join(lines)


# Controls a finger hits on a phone: at least 44 px tall, with text of at least 16 px (below
# it, phones zoom into the field). A checkbox counts by its label, which takes the tap.
CONTROLS = (
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea,"
    " button, a.button, summary, label:has(> input[type=checkbox])"
)
SMALL = """selector => [...document.querySelectorAll(selector)]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height,
             parseFloat(getComputedStyle(e).fontSize)])
  .filter(([, height, font]) => height < 44 || font < 16)"""


WIDE = """width => document.documentElement.scrollWidth <= width ? [] :
  [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width)
  .slice(0, 5).map(e => e.outerHTML.slice(0, 120))"""


def assert_fit_for_fingers(page: Page) -> None:
    """Fails naming each visible control too small to hit or to read on a phone, and each
    element that makes the page wider than the screen."""
    small = page.evaluate(SMALL, CONTROLS)
    assert not small, f"controls too small at {page.url}: {small}"
    screen = page.viewport_size["width"]  # type: ignore[index]
    wide = page.evaluate(WIDE, screen)
    assert not wide, f"{page.url} is wider than {screen} px: {wide}"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Through the login page, and the code step for a user asked for a code."""
    from playwright.sync_api import expect

    from xeploai.core.testing import second_factor_code

    code = second_factor_code(username)
    page.context.clear_cookies()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if code is not None:
        page.get_by_label("Mã xác thực").fill(code)
        page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
