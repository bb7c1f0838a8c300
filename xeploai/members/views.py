"""A member's record, what the engine allows for them this cycle, and the civil servants'
levels in the state evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.access import get_member_for_user, get_scope_unit_for_user
from xeploai.accounts.audit import log_list_read, log_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can, sees_members_of
from xeploai.core.db import vietnamese
from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.units.models import Unit

from . import state
from .forms import StateResultForm
from .models import Member, StateLevel, StateResult


@login_required
def member_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A member's record: their posts, statuses, transfers, disciplines and evaluations."""
    member = get_member_for_user(request.user, code)  # type: ignore[arg-type]
    log_read(request, member)  # RULES.md S3
    evaluations = list(
        MemberEvaluation.objects.filter(member=member)
        .select_related("cycle", "cell")
        .order_by("-cycle__start")
    )
    cycle = Cycle.objects.current()
    current = next((e for e in evaluations if cycle and e.cycle_id == cycle.pk), None)
    own = request.user.member_id == member.pk  # type: ignore[union-attr]
    # A member sees their result and its history once published; the officers above, always.
    shown = current is not None and (not own or current.step == Step.PUBLISHED)
    context = {
        "member": member,
        "posts": member.posts.select_related("unit").order_by("-start"),
        "statuses": member.status_periods.select_related("temporary_cell").order_by("-start"),
        "transfers": member.transfers.select_related("from_cell", "to_cell").order_by("-date"),
        "disciplines": member.disciplines.select_related("violation_unit", "counted_in"),
        "evaluations": evaluations,
        "cycle": cycle,
        "current": current,
        "verdict": member_verdict(member, current, cycle) if cycle else None,
        "history": current.history.select_related("unit") if current and shown else None,
        "own": own,
        # Officers read the rule behind each reason; the member reads the sentence alone.
        "officer": sees_members_of(request.user, member.cell.path),
    }
    return render(request, "members/member_detail.html", context)


STATE_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def state_results(request: HttpRequest, code: str) -> HttpResponse:
    """The civil servants of a unit's subtree and their levels in the state evaluation of a
    year; the unit's personnel office enters each with its decision (R12, R17). A member whose
    party level of that year is decided keeps the state result it was decided on."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    year = _year(request)
    if request.method == "POST":
        return _record(request, user, unit, year)
    servants = Member.objects.current().in_subtree(unit).filter(civil_servant=True)
    if request.GET.get("chua"):
        servants = servants.exclude(state_results__year=year)
    servants = servants.select_related("cell").prefetch_related(
        Prefetch("state_results", StateResult.objects.filter(year=year), to_attr="of_year")
    )
    page = Paginator(servants.order_by(vietnamese("full_name"), "code"), STATE_PER_PAGE).get_page(
        request.GET.get("trang")
    )
    rows = list(page)
    closed = state.decided(rows, [year])
    log_list_read(
        request,
        listing=_("kết quả đánh giá công chức {unit} năm {year}").format(unit=unit.code, year=year),
        count=page.paginator.count,
    )
    context = {
        "unit": unit,
        "year": year,
        "page": page,
        "rows": [(m, next(iter(m.of_year), None), (m.pk, year) in closed) for m in rows],  # type: ignore[attr-defined]
        "may_record": can(user, Power.RECORD_STATE, unit.path),
        "levels": StateLevel.choices,
        "missing_only": bool(request.GET.get("chua")),
    }
    return render(request, "members/state_results.html", context)


def _year(request: HttpRequest) -> int:
    cycle = Cycle.objects.current()
    default = cycle.year if cycle else timezone.localdate().year
    raw = request.GET.get("nam", "")
    return int(raw) if raw.isdigit() and 2015 <= int(raw) <= default + 1 else default


def _record(request: HttpRequest, user: User, unit: Unit, year: int) -> HttpResponse:
    if not can(user, Power.RECORD_STATE, unit.path):
        raise PermissionDenied
    form = StateResultForm(request.POST)
    in_scope = Member.objects.current().in_subtree(unit).select_related("cell")
    member = get_object_or_404(in_scope, code=request.POST.get("member_code", ""))
    if not form.is_valid():
        problems = "; ".join(str(m) for errors in form.errors.values() for m in errors)
        messages.error(request, f"{member.full_name}: {problems}")
    else:
        data = state.StateResultData(
            year=form.cleaned_data["year"],
            level=form.cleaned_data["level"],
            decision_number=form.cleaned_data["decision_number"].strip(),
            decision_date=form.cleaned_data["decision_date"],
        )
        try:
            state.record(member, data, by=user)
            messages.success(request, _("{name}: đã lưu.").format(name=member.full_name))
        except state.StateResultRefused as e:
            messages.error(request, str(e))
    return redirect(f"{request.path}?{request.GET.urlencode()}#{member.code}")
