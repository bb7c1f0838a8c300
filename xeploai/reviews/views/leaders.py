"""The pages of the review of leaders as leaders: one page per leader and post (their report,
the facts of the unit they lead, the collective's meeting in order, each later step), and one
page per committee that manages cadres (the decision within the quota of equivalent posts,
publication)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_list_read, log_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can, sees_members_of
from xeploai.cycles.models import Cycle, CycleKind, LeaderEvaluation, Level, Step
from xeploai.cycles.rules import member_records
from xeploai.members.models import PostTier
from xeploai.oversight.rules import load_points
from xeploai.units.models import Unit

from .. import actions
from ..access import get_scope_unit_for_user, require
from ..actions import leaders
from ..forms import AppraisalForm, DecisionForm, LeaderProposalForm, LeaderReviewForm
from ..leaders import decider_of, headed_level, leader_form, leader_verdict, led_of, leds_of
from ..models import LeaderSelfReview, QuotaException
from .common import StepHandlers, cycle_of_page, report_posted, step_posted
from .self_review import DRAFT_TEXTS


def get_leader_evaluation_for_user(
    user: User, year: int, code: str, member_code: str
) -> LeaderEvaluation:
    """A leader's evaluation at the unit `code` in a yearly cycle, for the leader themselves
    or a user whose roles cover the unit; 404 otherwise."""
    evaluation = (
        LeaderEvaluation.objects.filter(
            cycle__kind=CycleKind.YEAR,
            cycle__year=year,
            unit__code=code,
            member__code=member_code,
        )
        .select_related("cycle", "member", "post__post_title", "unit")
        .order_by("-classified")
        .first()
    )
    own = evaluation is not None and user.member_id == evaluation.member_id
    if evaluation is None or not (own or sees_members_of(user, evaluation.unit.path)):
        raise Http404
    return evaluation


@login_required
@require_http_methods(["GET", "POST"])
def leader_review(request: HttpRequest, year: int, code: str, member: str) -> HttpResponse:
    """One leader's review as a leader at one post: their report (Mẫu 2B, drafts kept and sent
    as on a member's self-review, `X-Draft`), the facts of the unit they lead, the
    collective's meeting in order, and the later steps for whoever holds them."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_leader_evaluation_for_user(user, year, code, member)
    if request.method == "GET":
        log_read(request, evaluation.member)  # RULES.md S3
    form, review = _form(evaluation, request.POST if "report" in request.POST else None)
    outcome, conflict = "", None
    if request.method == "POST" and "report" not in request.POST:
        step_posted(request, user, evaluation, STEPS)
        return redirect(request.get_full_path())
    if request.method == "POST":
        outcome, conflict, evaluation = report_posted(
            request,
            user,
            evaluation,
            form,
            save=leaders.save_leader_review,
            submit=leaders.submit_leader_review,
        )
        if outcome == "submitted":
            messages.success(request, _("Đã nộp bản kiểm điểm."))
            return redirect(request.get_full_path())
    context = _context(user, evaluation, review, form, outcome, conflict)
    if request.headers.get("X-Draft"):
        response = render(request, "reviews/leader_review.html#status", context)
        response["X-Draft-Result"] = outcome
        response["X-Draft-Version"] = str(evaluation.version)
        response["X-Draft-Time"] = f"{timezone.localtime():%H:%M}"
        return response
    return render(request, "reviews/leader_review.html", context)


def _form(
    evaluation: LeaderEvaluation, data: Any
) -> tuple[LeaderReviewForm, LeaderSelfReview | None]:
    review = LeaderSelfReview.objects.filter(evaluation=evaluation).first()
    e = evaluation
    initial: dict[str, Any] = {
        "version": e.version,
        "tasks_done": e.tasks_done,
        "tasks_late": e.tasks_late,
        "tasks_exceeded": e.tasks_exceeded,
        "level_self": e.level_self,
        **{f"grade_{code}": grade for code, grade in (e.grades or {}).items()},
    }
    if review is not None:
        initial.update({f"section_{k}": v for k, v in review.sections.items()})
        initial.update({f"score_{k}": Decimal(v) for k, v in review.scores.items()})
    settings = e.cycle.settings
    form = LeaderReviewForm(
        data, initial=initial, sheet=leader_form(e), criteria=settings.member_criteria
    )
    return form, review


def _propose(evaluation: LeaderEvaluation, *, by: User, level: int, conclusion: str) -> object:
    return leaders.propose_leader(evaluation, by=by, level=Level(level), conclusion=conclusion)


def _appraise(
    evaluation: LeaderEvaluation, *, by: User, action: str, level: int | None, reason: str
) -> object:
    if action == "approve":
        return leaders.appraise_leader(evaluation, by=by)
    if action == "adjust":
        chosen = Level(level) if level else None
        return leaders.appraise_leader(evaluation, by=by, level=chosen, reason=reason)
    if action == "return":
        return leaders.return_leader(evaluation, by=by, comment=reason)
    return leaders.reopen_leader(evaluation, by=by, reason=reason)


# The steps after the report, each posted as a small form of its own.
STEPS: StepHandlers = {
    "propose": (LeaderProposalForm, _propose),
    "appraise": (AppraisalForm, _appraise),
}


def _context(
    user: User,
    evaluation: LeaderEvaluation,
    review: LeaderSelfReview | None,
    form: LeaderReviewForm,
    outcome: str,
    conflict: actions.DraftConflict | None,
) -> dict[str, Any]:
    e = evaluation
    own = user.member_id == e.member_id
    decider = decider_of(e)
    over = decider.path if decider else ""
    led = led_of(e)
    level, final = headed_level(e, led)
    return {
        "evaluation": e,
        "review": review,
        "form": form,
        "outcome": outcome,
        "conflict": conflict,
        "differences": form.differences() if conflict else [],
        "version": e.version if outcome in ("", "saved") else form.data.get("version"),
        "editable": own and e.step == Step.SELF_REVIEW and not e.cycle.closed,
        "may_fill": own,
        "draft_key": f"xeploai:leader-draft:{user.pk}:{e.pk}",
        "draft_texts": DRAFT_TEXTS,
        "verdict": leader_verdict(e, led),
        "led": led.organisation,
        "head_level": level,
        "head_final": final,
        "decider": decider,
        "meeting": _meeting(e),
        "history": e.history.order_by("seq"),
        "officer": not own,
        "may_propose": can(user, Power.DRAFT, e.unit.path),
        "may_appraise": bool(over) and can(user, Power.APPRAISE, over),
        "proposal_form": LeaderProposalForm(initial={"level": e.level_self}),
        "levels": Level.choices,
        **load_points(e, user),
    }


def _meeting(evaluation: LeaderEvaluation) -> list[LeaderEvaluation]:
    """The leaders the collective reviews at the post's unit, in the order of its meeting
    (R30): the head, the deputies, the members."""
    return list(
        LeaderEvaluation.objects.filter(cycle=evaluation.cycle, unit=evaluation.unit)
        .exclude(step=Step.NOT_REVIEWED)
        .select_related("member", "post")
        .order_by("tier", "member__full_name")
    )


# --- The committee that manages the cadres ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def leader_decide(request: HttpRequest, code: str) -> HttpResponse:
    """The committee decides the leaders whose cadres it manages within the quota of equivalent
    posts (R26, R27), a head once the unit they head is final (R16), and publishes them once
    appraised. A refused decision comes back with the levels chosen."""
    user: User = request.user  # type: ignore[assignment]
    decider = get_scope_unit_for_user(user, code)
    cycle = cycle_of_page(request)
    form = DecisionForm(request.POST or None)
    rows = leaders.decided_by(decider, cycle)
    chosen = _chosen_levels(request, rows) if request.method == "POST" else {}
    if request.method == "POST":
        require(user, Power.DECIDE_UNITS, decider)
        if "publish" in request.POST:
            _publish(request, user, decider, cycle)
            return redirect(request.get_full_path())
        if form.is_valid() and not chosen:
            form.add_error(None, _("Không có đề xuất nào được chọn để quyết định."))
        elif form.is_valid():
            try:
                done = leaders.decide_leaders(
                    decider,
                    cycle=cycle,
                    by=user,
                    levels=chosen,
                    decision=form.decision(),
                    exemption=form.exemption(),
                )
                messages.success(request, _("Đã quyết định %(n)d kết quả.") % {"n": len(done)})
                return redirect(request.get_full_path())
            except actions.ReviewError as e:
                form.add_error(None, e.explanation())
    led = leds_of(rows)
    records = member_records([e.member for e in rows], cycle)
    context = {
        "decider": decider,
        "cycle": cycle,
        "form": form,
        "lines": [
            {
                "evaluation": e,
                "verdict": leader_verdict(e, led[e.unit_id], records=records[e.member_id]),
                "chosen": chosen.get(e.pk, e.level_proposed),
            }
            for e in rows
        ],
        "groups": _groups(decider, cycle, rows, chosen),
        "may_decide": can(user, Power.DECIDE_UNITS, decider.path),
        "levels": Level.choices,
    }
    read = _("quyết định xếp loại cán bộ lãnh đạo {unit} năm {year}").format(
        unit=decider.code, year=cycle.year
    )
    log_list_read(request, listing=read, count=len(rows))
    return render(request, "reviews/leader_decide.html", context)


def _chosen_levels(request: HttpRequest, rows: list[LeaderEvaluation]) -> dict[int, Level]:
    levels = {}
    for e in rows:
        value = request.POST.get(f"level_{e.pk}", "")
        if e.step == Step.PROPOSED and value.isdigit() and int(value) in Level.values:
            levels[e.pk] = Level(int(value))
    return levels


def group_name(key: str) -> str:
    """A group of equivalent posts as the page names it: "Cấp trưởng, đơn vị cấp 3"."""
    tier, depth = key.split("/")
    return _("{tier}, đơn vị cấp {depth}").format(tier=PostTier(int(tier)).label, depth=depth)


def _groups(
    decider: Unit, cycle: Cycle, rows: list[LeaderEvaluation], chosen: dict[int, Level]
) -> list[dict[str, Any]]:
    exceptions = QuotaException.objects.filter(cycle=cycle, group=decider, subject=leaders.SUBJECT)
    return [
        {
            "name": group_name(key),
            "result": result,
            "drop": drop,
            "exceptions": [x for x in exceptions if x.field_type == key],
        }
        for key, (result, drop) in leaders.leader_quota(decider, cycle, rows, chosen).items()
    ]


def _publish(request: HttpRequest, user: User, decider: Unit, cycle: Cycle) -> None:
    try:
        n = leaders.publish_leaders(decider, cycle=cycle, by=user)
        messages.success(request, _("Đã công khai %(n)d kết quả.") % {"n": n})
    except actions.ReviewError as e:
        messages.error(request, e.explanation())
