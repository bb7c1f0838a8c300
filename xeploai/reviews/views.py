"""The pages of the member review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, User
from xeploai.accounts.policy import Power, can
from xeploai.core.db import vietnamese
from xeploai.cycles.models import Cycle, CycleKind, Level, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.members.models import Member
from xeploai.units.models import Unit

from . import actions
from .access import (
    get_cell_for_member_or_role,
    get_cell_for_user,
    get_evaluation_for_filling,
    get_evaluation_for_user,
    get_grassroots_for_user,
    get_scope_unit_for_user,
    may_fill,
    require,
)
from .documents import minutes
from .forms import (
    AppraisalForm,
    DecisionForm,
    InputForm,
    MeetingForm,
    ProposalForm,
    SelfReviewForm,
)
from .models import SECTIONS, InputKind, Meeting, QuotaException, SelfReview
from .progress import COLUMNS, standing
from .rules import Row, member_form, rows_for
from .sheets import form_by_code

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_http_methods(["GET", "POST"])
def self_review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The self-review form: drafts save as the member types, submission locks it."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        evaluation = get_evaluation_for_filling(user, year, code)
    else:
        evaluation = get_evaluation_for_user(user, year, code)
    if user.member_id != evaluation.member_id and request.method == "GET":
        log_access(request, member=evaluation.member, action=AccessAction.VIEW)
    form = _form(evaluation, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = actions.save_self_review(
                evaluation,
                by=user,
                version=form.cleaned_data["version"],
                data=form.data_for_action(),
            )
            saved = True
            if "submit" in request.POST:
                actions.submit_self_review(evaluation, by=user, version=evaluation.version)
                return redirect("reviews:self_review", year=year, code=code)
        except actions.ReviewError as e:
            form.add_error(None, e.message)
    context = _context(user, evaluation, form, saved)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "reviews/self_review.html#status", context)
    return render(request, "reviews/self_review.html", context)


def _form(evaluation: MemberEvaluation, data: Any) -> SelfReviewForm:
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    sheet = (
        form_by_code(evaluation.cycle.settings.regime, review.form)
        if review
        else member_form(evaluation.member, evaluation.cycle)
    )
    follow_ups = actions.open_follow_ups(evaluation)
    e = evaluation
    initial: dict[str, Any] = {
        "version": e.version,
        "tasks_done": e.tasks_done,
        "tasks_late": e.tasks_late,
        "tasks_exceeded": e.tasks_exceeded,
        "level_self": e.level_self,
        "state_level": e.state_level,
        **{f"grade_{code}": grade for code, grade in (e.grades or {}).items()},
        **{f"follow_up_{f.pk}": f.result for f in follow_ups},
        **{f"fixed_{f.pk}": f.fixed for f in follow_ups},
    }
    if review is not None:
        initial["manifestations"] = list(review.manifestations.all())
        initial.update({f"section_{k}": v for k, v in review.sections.items()})
        initial.update({f"score_{k}": v for k, v in review.scores.items()})
    return SelfReviewForm(
        data,
        initial=initial,
        sheet=sheet,
        criteria=e.cycle.settings.member_criteria,
        follow_ups=follow_ups,
        civil_servant=e.member.civil_servant,
    )


def _context(
    user: User, evaluation: MemberEvaluation, form: SelfReviewForm, saved: bool
) -> dict[str, Any]:
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    return {
        "evaluation": evaluation,
        "review": review,
        "form": form,
        "sections": SECTIONS,
        "saved": saved,
        "editable": evaluation.step == Step.SELF_REVIEW and may_fill(user, evaluation),
        "verdict": member_verdict(evaluation.member, evaluation, evaluation.cycle),
    }


@login_required
@require_http_methods(["GET", "POST"])
def cell_review(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's review: its meeting, each member's step, inputs and proposal."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_user(user, code)
    cycle = _open_cycle(request)
    meeting = Meeting.objects.filter(cycle=cycle, cell=cell).first()
    meeting_form = MeetingForm(initial=_meeting_initial(meeting, cell))
    if request.method == "POST":
        require(user, Power.PROPOSE, cell)
        meeting_form = MeetingForm(request.POST)
        if meeting_form.is_valid():
            try:
                actions.record_meeting(
                    cell, cycle=cycle, by=user, data=meeting_form.data_for_action()
                )
                return redirect(f"{request.path}?nam={cycle.year}")
            except actions.ReviewError as e:
                meeting_form.add_error(None, e.message)
    evaluations = MemberEvaluation.objects.filter(cycle=cycle, cell=cell).order_by(
        vietnamese("member__full_name")
    )
    context = {
        "cell": cell,
        "cycle": cycle,
        "meeting": meeting,
        "meeting_form": meeting_form,
        "rows": rows_for(evaluations),
        "may_propose": can(user, Power.PROPOSE, cell.path),
        "proposal_form": ProposalForm(auto_id=False),
    }
    _log_list(request, cell)
    return render(request, "reviews/cell_review.html", context)


def _log_list(request: HttpRequest, unit: Unit) -> None:
    """A page listing members with the reasons of their results is a read of their records
    (S3): one entry per page, naming the unit."""
    if request.method == "GET":
        log_access(request, action=AccessAction.VIEW, detail=f"danh sách {unit.code}")


def _year(request: HttpRequest) -> int:
    current = Cycle.objects.current()
    try:
        return int(request.GET.get("nam") or (current.year if current else 0))
    except ValueError:
        return 0


def _meeting_initial(meeting: Meeting | None, cell: Unit) -> dict[str, Any]:
    if meeting is None:
        return {"summoned": cell.members.current().count(), "secret_ballot": True}
    absences = "\n".join(f"{a['name']} — {a['reason']}" for a in meeting.absences)
    return {
        "held_on": meeting.held_on,
        "chair": meeting.chair,
        "minutes_taker": meeting.minutes_taker,
        "summoned": meeting.summoned,
        "present": meeting.present,
        "absences": absences,
        "secret_ballot": meeting.secret_ballot,
    }


@login_required
@require_http_methods(["POST"])
def propose(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The meeting's conclusion and proposed level for one member."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_evaluation_for_user(user, year, code)
    require(user, Power.PROPOSE, evaluation.cell)
    form = ProposalForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.propose(evaluation, by=user, data=form.data_for_action())
        except actions.ReviewError as e:
            error = e.explanation()
    else:
        error = " ".join(str(m) for messages in form.errors.values() for m in messages)
    return _back_to_cell(request, evaluation, error)


@login_required
@require_http_methods(["POST"])
def add_input(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A required comment on a member, entered from its paper sheet by the cell."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_evaluation_for_user(user, year, code)
    require(user, Power.INPUT, evaluation.cell)
    form = InputForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.add_input(
                evaluation,
                by=user,
                kind=InputKind(form.cleaned_data["kind"]),
                source=form.cleaned_data["source"],
                text=form.cleaned_data["text"],
                from_paper=True,
            )
        except actions.ReviewError as e:
            error = e.message
    else:
        error = str(_("Chưa nhập nội dung nhận xét."))
    return _back_to_cell(request, evaluation, error)


def _back_to_cell(request: HttpRequest, evaluation: MemberEvaluation, error: str) -> HttpResponse:
    if error:
        messages.error(request, f"{evaluation.member.full_name}: {error}")
    url = reverse("reviews:cell_review", args=[evaluation.cell.code])
    return redirect(f"{url}?nam={evaluation.cycle.year}#{evaluation.member.code}")


def _open_cycle(request: HttpRequest) -> Cycle:
    return get_object_or_404(
        Cycle.objects.filter(kind=CycleKind.YEAR, closed=False), year=_year(request)
    )


def _group_rows(group: Unit, cycle: Cycle) -> list[Row]:
    evaluations = (
        MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=group.path)
        .exclude(step=Step.NOT_REVIEWED)
        .order_by("unit_path", vietnamese("member__full_name"))
    )
    return rows_for(evaluations)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, code: str) -> HttpResponse:
    """The grassroots committee decides its cells' proposals within the quota (R26-R27)."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = _open_cycle(request)
    form = DecisionForm(request.POST or None)
    breach_names: tuple[str, ...] = ()
    if request.method == "POST":
        require(user, Power.DECIDE, group)
        levels = _posted_levels(request, group, cycle)
        if form.is_valid() and not levels:
            form.add_error(None, _("Không có đề xuất nào được chọn để quyết định."))
        elif form.is_valid():
            try:
                decided = actions.decide(
                    group,
                    cycle=cycle,
                    by=user,
                    levels=levels,
                    decision=form.decision(),
                    exemption=form.exemption(),
                )
                messages.success(request, _("Đã quyết định %(n)d kết quả.") % {"n": len(decided)})
                return redirect(f"{request.path}?nam={cycle.year}")
            except actions.ReviewError as e:
                form.add_error(None, e.explanation())
                breach_names = e.names
    quota, must_drop = actions.quota_standing(group, cycle)
    context = {
        "group": group,
        "cycle": cycle,
        "form": form,
        "rows": _group_rows(group, cycle),
        "quota": quota,
        "must_drop": breach_names or must_drop,
        "exceptions": QuotaException.objects.filter(cycle=cycle, group=group),
        "may_decide": can(user, Power.DECIDE, group.path),
        "levels": Level.choices,
    }
    _log_list(request, group)
    return render(request, "reviews/decide.html", context)


def _posted_levels(request: HttpRequest, group: Unit, cycle: Cycle) -> dict[int, Level]:
    """The levels chosen for the proposals of the group, from fields `level_<id>`."""
    proposed = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path, step=Step.PROPOSED
    ).values_list("pk", flat=True)
    levels = {}
    for pk in proposed:
        value = request.POST.get(f"level_{pk}", "")
        if value.isdigit() and int(value) in Level.values:
            levels[pk] = Level(int(value))
    return levels


@login_required
@require_http_methods(["POST"])
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """Publish the appraised results of a grassroots unit to its members."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = _open_cycle(request)
    require(user, Power.DECIDE, group)
    try:
        n = actions.publish(group, cycle=cycle, by=user)
        messages.success(request, _("Đã công khai %(n)d kết quả.") % {"n": n})
    except actions.ReviewError as e:
        messages.error(request, e.explanation())
    return redirect(f"{reverse('reviews:decide', args=[group.code])}?nam={cycle.year}")


@login_required
@require_http_methods(["GET", "POST"])
def appraise(request: HttpRequest, code: str) -> HttpResponse:
    """The superior's appraisal of a grassroots unit's decided results (R31)."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = _open_cycle(request)
    if request.method == "POST":
        require(user, Power.APPRAISE, group)
        _appraise_posted(request, user, group, cycle)
        return redirect(f"{request.path}?nam={cycle.year}")
    context = {
        "group": group,
        "cycle": cycle,
        "rows": _group_rows(group, cycle),
        "may_appraise": can(user, Power.APPRAISE, group.path),
        "levels": Level.choices,
    }
    _log_list(request, group)
    return render(request, "reviews/appraise.html", context)


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


@login_required
def pending(request: HttpRequest, code: str) -> HttpResponse:
    """Where the subtree stands: counts per step against the deadlines, per sub-unit, down to
    the names in a cell."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    cycle = _open_cycle(request)
    total, lines = standing(unit, cycle)
    rows = []
    if unit.is_cell:
        evaluations = MemberEvaluation.objects.filter(cycle=cycle, cell=unit)
        rows = rows_for(evaluations.order_by(vietnamese("member__full_name")))
        _log_list(request, unit)
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
    cycle = _open_cycle(request)
    require(user, Power.OPEN, unit)
    n = actions.open_cycle(unit, cycle=cycle, by=user)
    messages.success(request, _("Đã mở kỳ đánh giá cho %(n)d đảng viên.") % {"n": n})
    return redirect(f"{reverse('reviews:pending', args=[unit.code])}?nam={cycle.year}")


@login_required
def meeting_minutes(request: HttpRequest, code: str) -> HttpResponse:
    """The minutes of the cell's review meeting, as a Word document (an export: logged)."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_user(user, code)
    cycle = _open_cycle(request)
    meeting = get_object_or_404(Meeting, cycle=cycle, cell=cell)
    log_access(request, action=AccessAction.EXPORT, detail=f"biên bản họp {cell.code}")
    response = HttpResponse(minutes(meeting), content_type=DOCX)
    name = f"bien-ban-kiem-diem-{cycle.year}-{cell.code}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def published(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's published results, for its members to see (publication, S1)."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_member_or_role(user, code)
    cycle = _open_cycle(request)
    results = (
        MemberEvaluation.objects.filter(cycle=cycle, cell=cell, step=Step.PUBLISHED)
        .select_related("member")
        .order_by(vietnamese("member__full_name"))
    )
    context = {"cell": cell, "cycle": cycle, "results": results}
    return render(request, "reviews/published.html", context)
