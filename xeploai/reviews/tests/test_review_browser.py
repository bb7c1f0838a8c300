"""The member review of a demo cell, every step in a real browser, as the personas do it."""

from __future__ import annotations

import io
import random
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from xeploai.accounts.models import User
from xeploai.core.testing_browser import assert_accessible, assert_fit_for_fingers
from xeploai.core.testing_browser import sign_in as browser_sign_in
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.demo.load import PASSWORD
from xeploai.demo.progress import advance_group
from xeploai.reviews import actions
from xeploai.rules.quota import allowed_excellent
from xeploai.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    browser_sign_in(page, base, username, PASSWORD)


def prepare() -> tuple[Unit, Unit, MemberEvaluation, MemberEvaluation]:
    """The demo, with the rest of the personas' commune already appraised in a strong year:
    its committee used the whole quota, so two more excellent proposals cannot both pass."""
    call_command("demo", "--no-serve", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=["an", "binh", "chi", "dung"])}
    commune, cell = users["chi"].roles.get().unit, users["binh"].roles.get().unit
    cycle = Cycle.objects.get(year=2026)
    in_cell = MemberEvaluation.objects.filter(cycle=cycle, cell=cell).select_related("member")
    an = in_cell.get(member=users["an"].member)
    other = next(
        e
        for e in in_cell.order_by("member__code")
        if e.step == Step.SELF_REVIEW
        and e.member_id != users["binh"].member_id
        and e != an
        and not e.member.posts.exists()
        and not e.member.status_periods.exists()
    )
    rest = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=commune.path)
    rest.exclude(pk__in=[an.pk, other.pk]).filter(step=Step.SELF_REVIEW).update(
        score_general=Decimal(29), score_task_results=Decimal(63), tasks_done=100, tasks_exceeded=40
    )
    advance_group(
        commune,
        cycle=cycle,
        stop=Step.APPRAISED,
        board=users["dung"],
        rng=random.Random(1),
        skip=frozenset({an.member_id, other.member_id}),
    )
    quota, _names = actions.quota_standing(commune, cycle)
    assert quota.excellent + 2 > allowed_excellent(quota.good, quota.excellent + 2, cycle.settings)
    return commune, cell, an, other


def score_everything(page: Page) -> None:
    """A strong year: every item at its maximum, all tasks done and 40 % exceeded."""
    for field in page.locator("input[name^=score_]").all():
        hint = page.locator(f"#{field.get_attribute('id')}_helptext").inner_text()
        field.fill(re.sub(r"\D", "", hint))  # "(tối đa 10 điểm)"
    page.locator("[name=tasks_done]").fill("100")
    page.locator("[name=tasks_exceeded]").fill("40")
    for name, text in (
        ("section_strengths", "Hoàn thành tốt nhiệm vụ được giao."),
        ("section_weaknesses", "Có lúc chưa chủ động."),
        ("section_plan", "Sắp xếp thời gian hợp lý hơn."),
    ):
        page.locator(f"[name={name}]").fill(text)
    page.get_by_label("Tự xếp loại").select_option(str(Level.EXCELLENT))


def propose(page: Page, name: str, level: Level = Level.EXCELLENT) -> None:
    form = page.locator("details", has_text=f"đề xuất xếp loại đồng chí {name}")
    form.locator("summary").click()
    form.locator("select[name=level]").select_option(str(level))
    form.locator(f"[name=votes_{level.value}]").fill("15")
    form.locator("[name=conclusion]").fill("Thống nhất đề xuất hoàn thành xuất sắc nhiệm vụ.")
    form.get_by_role("button", name="Ghi nhận đề xuất").click()


def appraise(page: Page, code: str, action: str, reason: str, level: str = "") -> None:
    row = page.locator(f"tr#{code}")
    row.locator("select[name=action]").select_option(action)
    if level:
        row.locator("select[name=level]").select_option(level)
    row.locator("[name=reason]").fill(reason)
    row.get_by_role("button", name="Ghi nhận").click()


def decide(page: Page, levels: dict[str, Level], number: str) -> None:
    for name, level in levels.items():
        page.get_by_label(f"Quyết định {name}").select_option(str(level))
    page.get_by_label("Số quyết định").fill(number)
    page.get_by_label("Ngày quyết định").fill("2026-12-20")
    page.get_by_role("button", name="Quyết định các mức đã chọn").click()


def test_it_takes_a_cell_through_the_whole_review(page: Page, live_server: object) -> None:
    commune, cell, an, other = prepare()
    base, name = str(live_server), other.member.full_name
    an_name = an.member.full_name
    review_url = f"{base}/kiem-diem/2026"

    # 1. An fills in her own self-review, sees what the rules allow, and submits it.
    sign_in(page, base, "an")
    page.goto(f"{base}/dang-vien/{an.member.code}/")
    page.get_by_role("link", name="Bản tự kiểm điểm").click()
    assert_accessible(page)
    score_everything(page)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator("#status")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    assert_accessible(page)
    page.get_by_role("button", name="Nộp bản kiểm điểm").click()
    expect(page.locator(".messages")).to_contain_text("Đã nộp bản kiểm điểm")
    expect(page.locator("[name=section_plan]")).to_be_disabled()
    assert_accessible(page)

    # 2. Bình enters a member's paper form on their behalf, then proposes both at the meeting.
    sign_in(page, base, "binh")
    page.goto(f"{review_url}/{other.member.code}/")
    expect(page.get_by_text("đang nhập bản kiểm điểm thay cho đảng viên")).to_be_visible()
    score_everything(page)
    page.get_by_role("button", name="Nộp bản kiểm điểm").click()
    expect(page.get_by_text("đã nhập và nộp thay đảng viên")).to_be_visible()
    page.goto(f"{base}/kiem-diem/chi-bo/{cell.code}/")
    propose(page, an_name)
    propose(page, name)
    expect(page.locator(f"tr#{an.member.code}")).to_contain_text("Chi bộ đã đề xuất")
    expect(page.locator(f"tr#{other.member.code}")).to_contain_text("Chi bộ đã đề xuất")
    assert_accessible(page)

    # 3. Chi, on her phone, finds the commune over its quota; deciding as proposed is
    # refused, lowering works.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "chi")
    page.goto(f"{base}/kiem-diem/quyet-dinh/{commune.code}/")
    expect(page.locator("#quota")).to_contain_text("Vượt")
    assert_fit_for_fingers(page)
    decide(page, {an_name: Level.EXCELLENT, name: Level.EXCELLENT}, "15-QĐ/ĐU")
    expect(page.get_by_text("Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ")).to_be_visible()
    assert_accessible(page)
    decide(page, {an_name: Level.GOOD, name: Level.GOOD}, "15-QĐ/ĐU")
    expect(page.get_by_text("Đã quyết định 2 kết quả")).to_be_visible()

    # 4. Dũng, on his phone too, adjusts one result with a reason, approves An's, then
    # re-opens it on a complaint.
    sign_in(page, base, "dung")
    page.goto(f"{base}/kiem-diem/tham-dinh/{commune.code}/")
    assert_fit_for_fingers(page)
    appraise(page, other.member.code, "adjust", "Có đơn phản ánh", str(Level.COMPLETED))
    expect(page.get_by_text(f"{name}: đã ghi nhận.")).to_be_visible()
    assert_accessible(page)
    appraise(page, an.member.code, "approve", "")
    page.get_by_role("link", name=re.compile("Đã thẩm định")).click()
    appraise(page, an.member.code, "reopen", "Đơn khiếu nại ngày 22/12")
    page.get_by_role("link", name=re.compile("Chưa đến bước thẩm định")).click()
    expect(page.locator(f"tr#{an.member.code}")).to_contain_text("Đã nộp bản kiểm điểm")

    # 5. The cell proposes again, Chi decides, Dũng approves, Chi publishes the results.
    sign_in(page, base, "binh")
    page.goto(f"{base}/kiem-diem/chi-bo/{cell.code}/")
    propose(page, an_name, Level.GOOD)
    sign_in(page, base, "chi")
    page.goto(f"{base}/kiem-diem/quyet-dinh/{commune.code}/")
    decide(page, {an_name: Level.GOOD}, "16-QĐ/ĐU")
    sign_in(page, base, "dung")
    page.goto(f"{base}/kiem-diem/tham-dinh/{commune.code}/")
    appraise(page, an.member.code, "approve", "")
    sign_in(page, base, "chi")
    page.goto(f"{base}/kiem-diem/quyet-dinh/{commune.code}/")
    appraised = MemberEvaluation.objects.filter(
        cycle=an.cycle, unit_path__startswith=commune.path, step=Step.APPRAISED
    ).count()
    page.get_by_role("button", name="Công khai kết quả đã thẩm định").click()
    expect(page.locator(".messages")).to_contain_text(f"Đã công khai {appraised} kết quả")
    assert_accessible(page)

    # 6. What each persona now sees.
    sign_in(page, base, "an")
    page.goto(f"{base}/dang-vien/{an.member.code}/")
    history = page.locator("table", has_text="Mở lại kết quả")
    expect(history).to_contain_text("Đơn khiếu nại ngày 22/12")
    expect(history).to_contain_text("QĐ 16-QĐ/ĐU")
    assert_accessible(page)
    response = page.goto(f"{base}/dang-vien/{other.member.code}/")
    assert response is not None and response.status == 404
    assert_accessible(page)
    sign_in(page, base, "binh")
    page.goto(f"{base}/dang-vien/{other.member.code}/")
    expect(page.locator("table", has_text="Thẩm định, điều chỉnh")).to_contain_text(
        "Có đơn phản ánh"
    )
    sign_in(page, base, "em")
    response = page.goto(f"{base}/dang-vien/{an.member.code}/")
    assert response is not None and response.status == 404
    assert MemberEvaluation.objects.get(pk=an.pk).step == Step.PUBLISHED
