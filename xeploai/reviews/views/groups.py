"""The grassroots unit's pages: the decision within the quota, the appraisal from above,
publication."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_list_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can, reads_signals
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.integrity.models import Finding
from xeploai.units.models import Unit

from .. import actions
from ..access import (
    get_grassroots_for_user,
    require,
)
from ..forms import (
    AppraisalForm,
    DecisionForm,
)
from ..listing import ALL, APPRAISE_TABS, DECIDE_TABS, listing
from ..models import QuotaException
from ..rules import Row, rows_for
from ..state import state_standing
from .common import cycle_of_page


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, code: str) -> HttpResponse:
    """The grassroots committee decides its cells' proposals within the quota (R26-R27).
    A refused decision comes back with the levels chosen; `preview` answers the quota as
    the chosen levels would leave it, without deciding."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = cycle_of_page(request)
    form = DecisionForm(request.POST or None)
    chosen: dict[int, Level] = {}
    if request.method == "POST":
        require(user, Power.DECIDE, group)
        chosen = _posted_levels(request, group, cycle)
        if "preview" in request.POST:
            return render(request, "reviews/decide.html#quota", _quota(group, cycle, chosen))
        if form.is_valid() and not chosen:
            form.add_error(None, _("Không có đề xuất nào được chọn để quyết định."))
        elif form.is_valid():
            try:
                decided = actions.decide(
                    group,
                    cycle=cycle,
                    by=user,
                    levels=chosen,
                    decision=form.decision(),
                    exemption=form.exemption(),
                )
                messages.success(request, _("Đã quyết định %(n)d kết quả.") % {"n": len(decided)})
                return redirect(f"{request.path}?{request.GET.urlencode()}")
            except actions.ReviewError as e:
                form.add_error(None, e.explanation())
    page = listing(group, cycle, DECIDE_TABS, request.GET)
    rows = rows_for(page.evaluations)
    flags = _flags(user, group, cycle, rows)
    context = {
        "group": group,
        "cycle": cycle,
        "form": form,
        "page": page,
        "lines": [
            (r, chosen.get(r.evaluation.pk, r.evaluation.level_proposed), flags.get(r.code, []))
            for r in rows
        ],
        "may_decide": can(user, Power.DECIDE, group.path),
        "levels": Level.choices,
        "state": state_standing(group, cycle),
        **_quota(group, cycle, chosen),
    }
    read = _("quyết định xếp loại {unit} năm {year}").format(unit=group.code, year=cycle.year)
    log_list_read(request, listing=read, count=len(rows))
    return render(request, "reviews/decide.html", context)


def _quota(group: Unit, cycle: Cycle, chosen: Mapping[int, Level]) -> dict[str, Any]:
    """The quota card: the group's standing as the chosen levels would leave it, who would
    have to drop, and the exception that covers it, if one does."""
    quota, must_drop = actions.quota_standing(group, cycle, chosen)
    covered = QuotaException.objects.covering(cycle, group, quota.excellent).first()
    return {
        "quota": quota,
        "must_drop": must_drop,
        "covered": covered if not quota.within else None,
        "exceptions": QuotaException.objects.filter(cycle=cycle, group=group),
    }


def _posted_levels(request: HttpRequest, group: Unit, cycle: Cycle) -> dict[int, Level]:
    """The levels chosen for the proposals of the group, from fields `level_<id>`."""
    proposed = (
        MemberEvaluation.objects.for_cycle(cycle)
        .in_subtree(group)
        .filter(step=Step.PROPOSED)
        .values_list("pk", flat=True)
    )
    levels = {}
    for pk in proposed:
        value = request.POST.get(f"level_{pk}", "")
        if value.isdigit() and int(value) in Level.values:
            levels[pk] = Level(int(value))
    return levels


@login_required
@require_http_methods(["POST"])
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """Publish the appraised results of a grassroots unit to its members; refused, it says
    how many are not appraised yet and where they stand, with links to them."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = cycle_of_page(request)
    require(user, Power.DECIDE, group)
    url = reverse("reviews:decide", args=[group.code])
    try:
        n = actions.publish(group, cycle=cycle, by=user)
        messages.success(request, _("Đã công khai %(n)d kết quả.") % {"n": n})
    except actions.ReviewError as e:
        messages.error(request, _not_published(e, group, cycle, url))
    return redirect(f"{url}?nam={cycle.year}")


def _not_published(e: actions.ReviewError, group: Unit, cycle: Cycle, url: str) -> str:
    """A refused publication: how many results are not appraised yet, then each step they
    wait at, as a link to the tab of the decision page that lists them."""
    if not e.names:
        return e.explanation()
    page = listing(group, cycle, DECIDE_TABS, QueryDict())
    waiting = [
        choice
        for tab, choice in zip(DECIDE_TABS, page.tabs, strict=True)
        if choice.count and tab is not ALL and not PAST_APPRAISAL.intersection(tab.steps)
    ]
    links = format_html_join(
        "; ",
        '<a href="{}{}&amp;nam={}">{}: {}</a>',
        ((url, t.query, cycle.year, t.label, t.count) for t in waiting),
    )
    count = _("Chưa công khai được: còn {n} kết quả chưa được thẩm định").format(n=len(e.names))
    return format_html("{} — {}.", count, links)


# Steps a publication no longer waits on.
PAST_APPRAISAL = frozenset({Step.APPRAISED, Step.PUBLISHED})


@login_required
@require_http_methods(["GET", "POST"])
def appraise(request: HttpRequest, code: str) -> HttpResponse:
    """The superior's appraisal of a grassroots unit's decided results (R31)."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = cycle_of_page(request)
    if request.method == "POST":
        require(user, Power.APPRAISE, group)
        _appraise_posted(request, user, group, cycle)
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = listing(group, cycle, APPRAISE_TABS, request.GET)
    rows = rows_for(page.evaluations)
    flags = _flags(user, group, cycle, rows)
    context = {
        "group": group,
        "cycle": cycle,
        "page": page,
        "rows": rows,
        "lines": [(r, flags.get(r.code, [])) for r in rows],
        "may_appraise": can(user, Power.APPRAISE, group.path),
        "levels": Level.choices,
    }
    read = _("thẩm định {unit} năm {year}").format(unit=group.code, year=cycle.year)
    log_list_read(request, listing=read, count=len(rows))
    return render(request, "reviews/appraise.html", context)


def _flags(user: User, group: Unit, cycle: Cycle, rows: list[Row]) -> dict[str, list[Finding]]:
    """The signals of each listed member, for those who read them (integrity)."""
    if not rows or not reads_signals(user, group.path):
        return {}
    return Finding.objects.by_subject(cycle, group, [r.code for r in rows])


def _appraise_posted(request: HttpRequest, user: User, group: Unit, cycle: Cycle) -> None:
    if "approve_all" in request.POST:
        try:
            n = actions.appraise_all(group, cycle=cycle, by=user)
            messages.success(request, _("Đã thống nhất %(n)d kết quả.") % {"n": n})
        except actions.ReviewError as e:
            messages.error(request, e.explanation())
        return
    form = AppraisalForm(request.POST)
    pk = request.POST.get("evaluation", "")
    if not form.is_valid() or not pk.isdigit():
        messages.error(request, _("Thao tác không hợp lệ."))
        return
    in_group = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=group.path)
    evaluation = get_object_or_404(in_group, pk=int(pk))
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "approve":
            actions.appraise(evaluation, by=user)
        elif action == "adjust":
            level = Level(form.cleaned_data["level"]) if form.cleaned_data["level"] else None
            actions.appraise(evaluation, by=user, level=level, reason=reason)
        elif action == "return":
            actions.return_to_previous(evaluation, by=user, comment=reason)
        else:
            actions.reopen(evaluation, by=user, reason=reason)
        messages.success(request, f"{evaluation.member.full_name}: {_('đã ghi nhận.')}")
    except actions.ReviewError as e:
        messages.error(request, f"{evaluation.member.full_name}: {e.explanation()}")
