"""A head's review as a leader, in the browser: the collective's meeting proposes, the
district's standing committee is refused while the unit the head leads is not decided, then
decides within the unit's level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import make_cycle, make_personas, make_user, post_title
from xeploai.core.testing_browser import assert_accessible
from xeploai.cycles.models import LeaderEvaluation, Level, Step, UnitEvaluation
from xeploai.cycles.models import UnitEvaluationKind as Kind
from xeploai.members.models import Member, Post
from xeploai.reviews import actions
from xeploai.reviews.actions import leaders
from xeploai.reviews.actions.self_review import ReportData
from xeploai.reviews.rules import member_form
from xeploai.reviews.sheets import spread
from xeploai.units.tests.test_browse_browser import sign_in

from .flow import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_head_is_decided_after_the_unit_and_within_its_level(
    page: Page, live_server: object
) -> None:
    p = make_personas()
    title = post_title("Bí thư")
    Post.objects.create(
        member=Member.objects.get(code="DV-BINH"),
        kind=title.kind,
        title=title.name,
        post_title=title,
        unit=p.commune,
        head=True,
        start=dt.date(2021, 1, 1),
    )
    make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
    cycle = make_cycle(2026)
    actions.open_cycle(p.commune, cycle=cycle, by=p.chi)
    head = LeaderEvaluation.objects.get(member=p.binh.member)
    form = member_form(head.member, cycle)
    data = ReportData(
        sections=SECTIONS,
        scores=spread(Decimal(28), form.general) | spread(Decimal(64), form.task_results),
        tasks_done=Decimal(100),
        tasks_exceeded=Decimal(40),
        level_self=Level.GOOD,
    )
    binh = User.objects.get(username="binh")
    head = leaders.save_leader_review(head, by=binh, version=0, data=data)
    leaders.submit_leader_review(head, by=binh, version=head.version)
    UnitEvaluation.objects.filter(unit=p.commune).update(step=Step.SUBMITTED)
    UnitEvaluation.objects.filter(unit=p.commune, kind=Kind.ORGANISATION).update(
        tasks_done=100, tasks_late=0, tasks_exceeded=40
    )
    base = str(live_server)

    # The commune's committee records the collective's meeting on the head.
    sign_in(page, base, "chi")
    page.goto(f"{base}/kiem-diem/lanh-dao/2026/DB-XA/DV-BINH/")
    expect(page.get_by_role("heading", name="Thứ tự kiểm điểm")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("combobox", name="Mức đề xuất").select_option(label="Hoàn thành tốt nhiệm vụ")
    page.get_by_label("Kết luận của hội nghị kiểm điểm").fill("Hội nghị thống nhất.")
    page.get_by_role("button", name="Ghi nhận đề xuất").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận.")
    expect(page.locator("[aria-labelledby=led-title]")).to_contain_text("Chờ kết quả của đơn vị")

    # The district's standing committee: refused while the commune is not decided.
    page.context.clear_cookies()
    sign_in(page, base, "thuong")
    page.goto(f"{base}/kiem-diem/lanh-dao/quyet-dinh/DB-HUYEN/?nam=2026")
    row = page.get_by_role("row", name="Lê Văn Bình")
    expect(row).to_contain_text("Chưa có kết quả chính thức của đơn vị")
    assert_accessible(page)

    def decide(level: str) -> None:
        page.get_by_label("Quyết định Lê Văn Bình").select_option(label=level)
        page.get_by_label("Số quyết định").fill("15-QĐ/HU")
        page.get_by_label("Ngày quyết định").fill("2026-11-28")
        page.get_by_role("button", name="Quyết định các mức đã chọn").click()

    decide("Hoàn thành tốt nhiệm vụ")
    expect(page.get_by_role("alert")).to_contain_text("Chưa xếp loại được")
    assert LeaderEvaluation.objects.get(pk=head.pk).step == Step.PROPOSED

    # Once the commune is decided, its level caps its head.
    UnitEvaluation.objects.filter(unit=p.commune, kind=Kind.ORGANISATION).update(
        step=Step.DECIDED, level_decided=Level.COMPLETED
    )
    page.reload()
    expect(row).to_contain_text("Hoàn thành nhiệm vụ")
    decide("Hoàn thành tốt nhiệm vụ")
    expect(page.get_by_role("alert")).to_contain_text("tối đa")
    decide("Hoàn thành nhiệm vụ")
    expect(page.locator(".messages")).to_contain_text("Đã quyết định 1 kết quả.")
    assert_accessible(page)
    assert LeaderEvaluation.objects.get(pk=head.pk).level_decided == Level.COMPLETED
