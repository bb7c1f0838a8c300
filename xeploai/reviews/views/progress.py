"""Where a subtree stands in the review, and opening a cycle for it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_list_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can
from xeploai.core.db import vietnamese
from xeploai.cycles.models import MemberEvaluation
from xeploai.members.models import Member
from xeploai.units.models import Unit

from .. import actions
from ..access import (
    get_scope_unit_for_user,
    require,
)
from ..progress import COLUMNS, standing
from ..rules import rows_for
from .common import cycle_of_page


@login_required
def pending(request: HttpRequest, code: str) -> HttpResponse:
    """Where the subtree stands: counts per step against the deadlines, per sub-unit, down to
    the names in a cell."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    cycle = cycle_of_page(request)
    total, lines = standing(unit, cycle)
    rows = []
    if unit.is_cell:
        evaluations = MemberEvaluation.objects.filter(cycle=cycle, cell=unit)
        rows = rows_for(evaluations.order_by(vietnamese("member__full_name")))
        read = _("tiến độ kiểm điểm chi bộ {cell} năm {year}").format(
            cell=unit.code, year=cycle.year
        )
        log_list_read(request, listing=read, count=len(rows))
    ancestors = Unit.objects.visible_to(user).filter(path__in=unit.ancestor_paths()[:-1])
    today = timezone.localdate()
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "cycle": cycle,
        "today": today,
        "columns": [(step, cycle.due_for(step)) for step in COLUMNS],
        "total": total.cells(cycle, today),
        "lines": [(line.unit, line.cells(cycle, today)) for line in lines],
        "rows": rows,
        "may_open": can(user, Power.OPEN, unit.path),
        "unopened": Member.objects.current()
        .in_subtree(unit)
        .exclude(evaluations__cycle=cycle)
        .count(),
    }
    return render(request, "reviews/pending.html", context)


@login_required
@require_http_methods(["POST"])
def open_cycle(request: HttpRequest, code: str) -> HttpResponse:
    """Open the cycle for a subtree: every member gets their evaluation (R2-R7 at once)."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    cycle = cycle_of_page(request)
    require(user, Power.OPEN, unit)
    n = actions.open_cycle(unit, cycle=cycle, by=user)
    messages.success(request, _("Đã mở kỳ đánh giá cho %(n)d đảng viên.") % {"n": n})
    return redirect(f"{reverse('reviews:pending', args=[unit.code])}?nam={cycle.year}")
