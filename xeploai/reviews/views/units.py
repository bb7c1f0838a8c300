"""The pages of the review of organisations and leadership collectives: one page per result
(the committee's report, the facts computed below it, each later step), and one page per
deciding committee (the decision within the quota of its groups, publication)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_list_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can
from xeploai.cycles.models import Cycle, CycleKind, LeaderEvaluation, Level, Step, UnitEvaluation
from xeploai.cycles.models import UnitEvaluationKind as Kind
from xeploai.members.models import Post, PostKind
from xeploai.oversight.rules import load_points
from xeploai.units.models import Unit

from .. import actions
from ..access import get_scope_unit_for_user, require
from ..actions import units
from ..forms import (
    AppraisalForm,
    ConclusionForm,
    DecisionForm,
    PeerResultForm,
    UnitInputForm,
    UnitProposalForm,
    UnitReviewForm,
)
from ..models import QuotaException, UnitSelfReview
from ..rules import (
    computed_unit_facts,
    computed_units_facts,
    deciding_unit,
    unit_verdict,
    waiting_below,
    waiting_counts,
)
from ..sheets import collective_form
from .common import StepHandlers, cycle_of_page, report_posted, step_posted
from .self_review import DRAFT_TEXTS

# In the page's address: an organisation's result, or its leadership collective's.
KINDS = {"to-chuc": Kind.ORGANISATION, "tap-the": Kind.COLLECTIVE}


def get_unit_evaluation_for_user(user: User, year: int, code: str, kind: str) -> UnitEvaluation:
    """An organisation's or collective's evaluation of a yearly cycle, if the user's roles
    cover the unit; 404 otherwise."""
    if kind not in KINDS:
        raise Http404
    unit = get_scope_unit_for_user(user, code)
    return get_object_or_404(
        UnitEvaluation.objects.select_related("cycle", "unit"),
        unit=unit,
        kind=KINDS[kind],
        cycle__kind=CycleKind.YEAR,
        cycle__year=year,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_review(request: HttpRequest, year: int, code: str, kind: str) -> HttpResponse:
    """One organisation's or collective's review: the committee's report (drafts kept and
    sent like a member's self-review, `X-Draft`), the facts below it and the engine's ceiling,
    and the later steps for whoever holds them."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_unit_evaluation_for_user(user, year, code, kind)
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
            save=units.save_unit_review,
            submit=units.submit_unit_review,
        )
        if outcome == "submitted":
            messages.success(request, _("Đã nộp báo cáo kiểm điểm."))
            return redirect(request.get_full_path())
    context = _context(user, evaluation, review, form, outcome, conflict)
    # The page names the members below the unit not decided yet, with their step.
    read = _("kiểm điểm {kind} {unit} năm {year}").format(
        kind=evaluation.get_kind_display().lower(), unit=evaluation.unit.code, year=year
    )
    log_list_read(request, listing=read, count=len(context["waiting"]))
    if request.headers.get("X-Draft"):
        response = render(request, "reviews/unit_review.html#status", context)
        response["X-Draft-Result"] = outcome
        response["X-Draft-Version"] = str(evaluation.version)
        response["X-Draft-Time"] = f"{timezone.localtime():%H:%M}"
        return response
    return render(request, "reviews/unit_review.html", context)


def _form(evaluation: UnitEvaluation, data: Any) -> tuple[UnitReviewForm, UnitSelfReview | None]:
    """The report's form, filled from the saved report, and that report."""
    review = UnitSelfReview.objects.filter(evaluation=evaluation).first()
    e = evaluation
    initial: dict[str, Any] = {
        "version": e.version,
        "tasks_done": e.tasks_done,
        "tasks_late": e.tasks_late,
        "tasks_exceeded": e.tasks_exceeded,
        "key_targets_missed": ""
        if e.key_targets_missed is None
        else ("no", "yes")[e.key_targets_missed],
        "force_majeure": e.force_majeure,
        "weaknesses_total": e.weaknesses_total,
        "weaknesses_fixed": e.weaknesses_fixed,
        "level_self": e.level_self,
        **{f"grade_{code}": grade for code, grade in (e.grades or {}).items()},
    }
    if review is not None:
        initial.update({f"section_{k}": v for k, v in review.sections.items()})
        initial.update({f"score_{k}": Decimal(v) for k, v in review.scores.items()})
    settings = e.cycle.settings
    form = UnitReviewForm(
        data,
        initial=initial,
        sheet=collective_form(settings.regime),
        criteria=settings.unit_criteria,
    )
    return form, review


def _propose(evaluation: UnitEvaluation, *, by: User, level: int, note: str) -> object:
    return units.propose_unit(evaluation, by=by, level=Level(level), note=note)


def _appraise(
    evaluation: UnitEvaluation, *, by: User, action: str, level: int | None, reason: str
) -> object:
    if action == "approve":
        return units.appraise_unit(evaluation, by=by)
    if action == "adjust":
        chosen = Level(level) if level else None
        return units.appraise_unit(evaluation, by=by, level=chosen, reason=reason)
    if action == "return":
        return units.return_unit(evaluation, by=by, comment=reason)
    return units.reopen_unit(evaluation, by=by, reason=reason)


# The steps after the report, each posted as a small form of its own.
STEPS: StepHandlers = {
    "propose": (UnitProposalForm, _propose),
    "peer": (PeerResultForm, units.record_peer_result),
    "input": (UnitInputForm, units.add_unit_input),
    "conclusion": (ConclusionForm, units.record_conclusion),
    "appraise": (AppraisalForm, _appraise),
}


def _context(
    user: User,
    evaluation: UnitEvaluation,
    review: UnitSelfReview | None,
    form: UnitReviewForm,
    outcome: str,
    conflict: actions.DraftConflict | None,
) -> dict[str, Any]:
    e = evaluation
    decider = deciding_unit(e.unit)
    over = decider.path if decider else ""
    drafts = can(user, Power.DRAFT, e.unit.path)
    waiting, waiting_total = waiting_below(e, limit=20)
    facts = computed_unit_facts(e)
    return {
        "evaluation": e,
        "review": review,
        "form": form,
        "outcome": outcome,
        "conflict": conflict,
        "differences": form.differences() if conflict else [],
        "version": e.version if outcome in ("", "saved") else form.data.get("version"),
        "editable": drafts and e.step == Step.SELF_REVIEW and not e.cycle.closed,
        "may_fill": drafts,
        "draft_key": f"xeploai:unit-draft:{user.pk}:{e.pk}",
        "draft_texts": DRAFT_TEXTS,
        "verdict": unit_verdict(e, facts),
        "facts": facts,
        "waiting": waiting,
        "waiting_total": waiting_total,
        "decider": decider,
        "leaders": _leaders(e) if e.kind == Kind.COLLECTIVE else [],
        "reviewed": _reviewed(e) if e.kind == Kind.COLLECTIVE else set(),
        "peers": e.peer_results.all(),
        "inputs": e.inputs.all(),
        "conclusions": e.conclusions.select_related("body"),
        "history": e.history.order_by("seq"),
        "officer": True,
        "open": e.step in (Step.SELF_REVIEW, Step.SUBMITTED) and not e.cycle.closed,
        "may_propose": bool(over) and can(user, Power.ASSESS, over),
        "may_conclude": bool(over) and can(user, Power.DECIDE_UNITS, over),
        "may_appraise": bool(over) and can(user, Power.APPRAISE, over),
        "proposal_form": UnitProposalForm(initial={"level": e.level_self}),
        "peer_form": PeerResultForm(),
        "input_form": UnitInputForm(),
        "conclusion_form": ConclusionForm(),
        "levels": Level.choices,
        # The superior's suggestions sent to the collective: to who drafts its report, and to
        # who examines, decides and appraises it (S2).
        **load_points(e, user),
    }


def _leaders(evaluation: UnitEvaluation) -> list[Post]:
    """The members of the leadership collective in the cycle, from their party posts at the
    unit: whose discipline counts for it (R20, R23)."""
    cycle = evaluation.cycle
    posts = Post.objects.filter(unit=evaluation.unit, kind=PostKind.PARTY, start__lte=cycle.end)
    return list(posts.exclude(end__lt=cycle.start).select_related("member").order_by("start"))


def _reviewed(evaluation: UnitEvaluation) -> set[str]:
    """The members the collective reviews as leaders this cycle, by code."""
    rows = LeaderEvaluation.objects.filter(cycle=evaluation.cycle, unit=evaluation.unit)
    return set(rows.values_list("member__code", flat=True))


# --- The deciding committee's page -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def unit_decide(request: HttpRequest, code: str) -> HttpResponse:
    """The committee decides the organisations and collectives directly under it within the
    quota of their groups, each after everything below it (R26, R27, R30), and publishes
    them once appraised. A refused decision comes back with the levels chosen."""
    user: User = request.user  # type: ignore[assignment]
    decider = get_scope_unit_for_user(user, code)
    cycle = cycle_of_page(request)
    form = DecisionForm(request.POST or None)
    rows = units.decided_by(decider, cycle)
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
                done = units.decide_units(
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
    context = {
        "decider": decider,
        "cycle": cycle,
        "form": form,
        "lines": _lines(decider, cycle, rows, chosen),
        "groups": _groups(decider, cycle, rows, chosen),
        "may_decide": can(user, Power.DECIDE_UNITS, decider.path),
        "levels": Level.choices,
    }
    read = _("quyết định xếp loại tổ chức {unit} năm {year}").format(
        unit=decider.code, year=cycle.year
    )
    log_list_read(request, listing=read, count=len(rows))
    return render(request, "reviews/unit_decide.html", context)


def _chosen_levels(request: HttpRequest, rows: list[UnitEvaluation]) -> dict[int, Level]:
    """The levels chosen for the proposed results, from fields `level_<id>`."""
    levels = {}
    for e in rows:
        value = request.POST.get(f"level_{e.pk}", "")
        if e.step == Step.PROPOSED and value.isdigit() and int(value) in Level.values:
            levels[e.pk] = Level(int(value))
    return levels


def _lines(
    decider: Unit, cycle: Cycle, rows: list[UnitEvaluation], chosen: dict[int, Level]
) -> list[dict[str, Any]]:
    waiting = waiting_counts(decider, cycle, {e.unit_path for e in rows})
    facts = computed_units_facts(rows)
    return [
        {
            "evaluation": e,
            "verdict": unit_verdict(e, facts[e.pk]),
            "waiting": waiting[e.unit_path],
            "chosen": chosen.get(e.pk, e.level_proposed),
        }
        for e in rows
    ]


def _groups(
    decider: Unit, cycle: Cycle, rows: list[UnitEvaluation], chosen: dict[int, Level]
) -> list[dict[str, Any]]:
    """The quota of each group as the chosen levels would leave it, who would have to drop,
    and the exceptions recorded for it."""
    exceptions = QuotaException.objects.filter(cycle=cycle, group=decider).exclude(
        subject="members"
    )
    found = []
    for (kind, field), (result, drop) in units.unit_quota(decider, cycle, rows, chosen).items():
        found.append(
            {
                "kind": Kind(kind).label,
                "field": Unit(field_type=field).get_field_type_display(),
                "result": result,
                "drop": drop,
                "exceptions": [x for x in exceptions if (x.subject, x.field_type) == (kind, field)],
            }
        )
    return found


def _publish(request: HttpRequest, user: User, decider: Unit, cycle: Cycle) -> None:
    try:
        n = units.publish_units(decider, cycle=cycle, by=user)
        messages.success(request, _("Đã công khai %(n)d kết quả.") % {"n": n})
    except actions.ReviewError as e:
        messages.error(request, e.explanation())
