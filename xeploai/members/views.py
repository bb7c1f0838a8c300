"""A member's record, and what the engine allows for them this cycle."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xeploai.accounts.access import get_member_for_user
from xeploai.accounts.audit import log_read
from xeploai.accounts.policy import sees_members_of
from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict


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
