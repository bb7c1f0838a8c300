"""The pages of the member review."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, User
from xeploai.accounts.policy import Power, can, sees_members_of
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
from .listing import ALL, APPRAISE_TABS, DECIDE_TABS, listing
from .models import InputKind, Meeting, QuotaException, SelfReview
from .progress import COLUMNS, standing
from .rules import Row, member_form, rows_for
from .sheets import form_by_code

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_http_methods(["GET", "POST"])
def self_review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The self-review form. The page keeps every change in the browser and sends it as a
    draft (`X-Draft` requests, answered with the status part alone and the outcome in
    headers) until the server confirms it; submission locks the form."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        evaluation = get_evaluation_for_filling(user, year, code)
    else:
        evaluation = get_evaluation_for_user(user, year, code)
        if user.member_id != evaluation.member_id:
            log_access(request, member=evaluation.member, action=AccessAction.VIEW)
    form = _form(evaluation, request.POST if request.method == "POST" else None)
    outcome, conflict = "", None
    if request.method == "POST":
        if not form.is_valid():
            outcome = "invalid"
        else:
            try:
                outcome, evaluation = _save_posted(request, user, evaluation, form)
            except actions.DraftConflict as e:
                # A copy identical to the one saved elsewhere has nothing to choose between.
                outcome, conflict = ("saved", None) if not form.differences() else ("conflict", e)
            except actions.ReviewError as e:
                outcome = "refused"
                form.add_error(None, e.message)
        if outcome == "submitted":
            messages.success(request, _SUBMITTED_MESSAGE)
            return redirect("reviews:self_review", year=year, code=code)
    context = _context(user, evaluation, form, outcome, conflict)
    if request.headers.get("X-Draft"):
        response = render(request, "reviews/self_review.html#status", context)
        response["X-Draft-Result"] = outcome
        response["X-Draft-Version"] = str(evaluation.version)
        response["X-Draft-Time"] = f"{timezone.localtime():%H:%M}"  # the server's, in its zone
        return response
    return render(request, "reviews/self_review.html", context)


_SUBMITTED_MESSAGE = gettext_lazy(
    "Đã nộp bản kiểm điểm. Bản kiểm điểm đã chuyển đến chi bộ và không sửa được nữa."
)


def _save_posted(
    request: HttpRequest, user: User, evaluation: MemberEvaluation, form: SelfReviewForm
) -> tuple[str, MemberEvaluation]:
    """Save the posted draft, then submit it if asked. The copy is read at the version the
    form carries, or, when the user chose to keep theirs over a copy saved elsewhere, at the
    version of that copy (`overwrite`)."""
    overwrite = request.POST.get("overwrite", "")
    version = int(overwrite) if overwrite.isdigit() else form.cleaned_data["version"]
    data = form.data_for_action()
    evaluation = actions.save_self_review(evaluation, by=user, version=version, data=data)
    if "submit" not in request.POST:
        return "saved", evaluation
    try:
        actions.submit_self_review(evaluation, by=user, version=evaluation.version)
    except actions.ReviewError as e:
        form.add_error(None, e.message)
        return "saved", evaluation
    return "submitted", evaluation


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
    user: User,
    evaluation: MemberEvaluation,
    form: SelfReviewForm,
    outcome: str,
    conflict: actions.DraftConflict | None,
) -> dict[str, Any]:
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    fills = may_fill(user, evaluation)
    editable = evaluation.step == Step.SELF_REVIEW and fills
    # The form's parts, numbered without a gap where one is absent.
    parts = [p for p in PARTS if p != "follow_ups" or form.follow_ups]
    return {
        "evaluation": evaluation,
        "review": review,
        "form": form,
        "outcome": outcome,
        "conflict": conflict,
        "differences": form.differences() if conflict else [],
        # After a save the page reads the new version; otherwise the one the copy was read at.
        "version": evaluation.version if outcome in ("", "saved") else form.data.get("version"),
        "numbers": dict(zip(parts, ROMAN, strict=False)),
        "editable": editable,
        "may_fill": fills,
        "on_behalf": editable and user.member_id != evaluation.member_id,
        "officer": sees_members_of(user, evaluation.cell.path),
        "draft_key": f"xeploai:draft:{user.pk}:{evaluation.pk}",
        "draft_texts": DRAFT_TEXTS,
        "verdict": member_verdict(evaluation.member, evaluation, evaluation.cycle),
    }


# What the page says of its draft, set by the browser as it keeps and sends the form.
DRAFT_TEXTS = {
    "unsaved": gettext_lazy("Chưa lưu — đang chờ gửi."),
    "saving": gettext_lazy("Đang lưu…"),
    "saved": gettext_lazy("Đã lưu bản nháp lúc {time}."),
    "offline": gettext_lazy("Chưa lưu — sẽ gửi khi có mạng. Nội dung vẫn được giữ trên máy này."),
    "failed": gettext_lazy(
        "Chưa lưu — máy chủ chưa nhận được, sẽ gửi lại. Nội dung vẫn được giữ trên máy này."
    ),
    "login": gettext_lazy(
        "Chưa lưu — phiên đăng nhập đã hết. Hãy đăng nhập lại ở một thẻ khác rồi quay lại"
        " trang này; nội dung vẫn được giữ trên máy này."
    ),
    "conflict": gettext_lazy("Chưa lưu — có hai bản khác nhau, hãy chọn bản giữ lại."),
    "invalid": gettext_lazy("Chưa lưu — có ô nhập chưa hợp lệ."),
    "refused": gettext_lazy("Chưa lưu — máy chủ từ chối, xem thông báo."),
    "submitting": gettext_lazy("Đang nộp…"),
    "not_submitted": gettext_lazy(
        "Chưa nộp được vì chưa lưu được lên máy chủ. Nội dung vẫn được giữ trên máy này;"
        " hãy nộp lại khi có mạng."
    ),
    "kept": gettext_lazy(
        "Trên máy này còn một bản nháp chưa được lưu lên máy chủ trước khi bản kiểm điểm được nộp:"
    ),
    "discard": gettext_lazy("Xoá bản nháp trên máy này"),
}

PARTS = ("sections", "follow_ups", "tasks", "sheet", "signs", "level")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


@login_required
@require_http_methods(["GET", "POST"])
def cell_review(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's review: its meeting, each member's step, inputs and proposal."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_user(user, code)
    cycle = _open_cycle(request)
    meeting_form = None
    if request.method == "POST":
        require(user, Power.PROPOSE, cell)
        meeting_form = MeetingForm(request.POST)
        if meeting_form.is_valid():
            try:
                actions.record_meeting(
                    cell, cycle=cycle, by=user, data=meeting_form.data_for_action()
                )
                messages.success(request, _("Đã lưu thông tin cuộc họp."))
                return redirect(f"{request.path}?nam={cycle.year}")
            except actions.ReviewError as e:
                meeting_form.add_error(None, e.message)
    return _cell_page(request, user, cell, cycle, meeting_form=meeting_form)


@dataclasses.dataclass
class CellLine:
    """A member's line on the cell's page, with the forms the cell fills for them; a form the
    server refused comes back with what was typed and why."""

    row: Row
    proposal: ProposalForm | None = None
    refused_input: InputForm | None = None


def _cell_page(
    request: HttpRequest,
    user: User,
    cell: Unit,
    cycle: Cycle,
    *,
    meeting_form: MeetingForm | None = None,
    refused: tuple[int, ProposalForm | None, InputForm | None] | None = None,
) -> HttpResponse:
    """The cell's page; `refused` is the evaluation whose proposal or comment the server
    refused, with the forms as they were posted."""
    meeting = Meeting.objects.filter(cycle=cycle, cell=cell).first()
    may_propose = can(user, Power.PROPOSE, cell.path)
    evaluations = MemberEvaluation.objects.filter(cycle=cycle, cell=cell).order_by(
        vietnamese("member__full_name")
    )
    lines = []
    for row in rows_for(evaluations):
        line = CellLine(row)
        if may_propose and meeting and row.evaluation.step == Step.SUBMITTED and not row.missing:
            line.proposal = ProposalForm(auto_id=False, initial={"level": row.verdict.level})
        if refused is not None and refused[0] == row.evaluation.pk:
            line.proposal = refused[1] or line.proposal
            line.refused_input = refused[2]
        lines.append(line)
    context = {
        "cell": cell,
        "cycle": cycle,
        "meeting": meeting,
        "meeting_form": meeting_form or MeetingForm(initial=_meeting_initial(meeting, cell)),
        "lines": lines,
        "may_propose": may_propose,
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
    """The meeting's conclusion and proposed level for one member; refused, the cell's page
    comes back with what was typed and why."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_evaluation_for_user(user, year, code)
    require(user, Power.PROPOSE, evaluation.cell)
    form = ProposalForm(request.POST, auto_id=False)
    if form.is_valid():
        try:
            data = form.data_for_action()
            actions.propose(evaluation, by=user, data=data)
            messages.success(
                request,
                _("Đã ghi nhận đề xuất xếp loại đồng chí {name}: {level}.").format(
                    name=evaluation.member.full_name, level=data.level.label
                ),
            )
            return _back_to_cell(evaluation)
        except actions.ReviewError as e:
            form.add_error(None, e.explanation())
    refused = (evaluation.pk, form, None)
    return _cell_page(request, user, evaluation.cell, evaluation.cycle, refused=refused)


@login_required
@require_http_methods(["POST"])
def add_input(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A required comment on a member, entered from its paper sheet by the cell."""
    user: User = request.user  # type: ignore[assignment]
    evaluation = get_evaluation_for_user(user, year, code)
    require(user, Power.INPUT, evaluation.cell)
    form = InputForm(request.POST)
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
            messages.success(
                request,
                _("Đã lưu ý kiến về đồng chí {name}.").format(name=evaluation.member.full_name),
            )
            return _back_to_cell(evaluation)
        except actions.ReviewError as e:
            form.add_error(None, e.message)
    refused = (evaluation.pk, None, form)
    return _cell_page(request, user, evaluation.cell, evaluation.cycle, refused=refused)


def _back_to_cell(evaluation: MemberEvaluation) -> HttpResponse:
    url = reverse("reviews:cell_review", args=[evaluation.cell.code])
    return redirect(f"{url}?nam={evaluation.cycle.year}#{evaluation.member.code}")


def _open_cycle(request: HttpRequest) -> Cycle:
    return get_object_or_404(
        Cycle.objects.filter(kind=CycleKind.YEAR, closed=False), year=_year(request)
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, code: str) -> HttpResponse:
    """The grassroots committee decides its cells' proposals within the quota (R26-R27).
    A refused decision comes back with the levels chosen; `preview` answers the quota as
    the chosen levels would leave it, without deciding."""
    user: User = request.user  # type: ignore[assignment]
    group = get_grassroots_for_user(user, code)
    cycle = _open_cycle(request)
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
                return redirect(f"{request.path}?{_kept(request)}")
            except actions.ReviewError as e:
                form.add_error(None, e.explanation())
    page = listing(group, cycle, DECIDE_TABS, request.GET)
    rows = rows_for(page.evaluations)
    context = {
        "group": group,
        "cycle": cycle,
        "form": form,
        "page": page,
        "lines": [(r, chosen.get(r.evaluation.pk, r.evaluation.level_proposed)) for r in rows],
        "may_decide": can(user, Power.DECIDE, group.path),
        "levels": Level.choices,
        **_quota(group, cycle, chosen),
    }
    _log_list(request, group)
    return render(request, "reviews/decide.html", context)


def _quota(group: Unit, cycle: Cycle, chosen: Mapping[int, Level]) -> dict[str, Any]:
    """The quota card: the group's standing as the chosen levels would leave it, who would
    have to drop, and the exception that covers it, if one does."""
    quota, must_drop = actions.quota_standing(group, cycle, chosen)
    covered = QuotaException.objects.filter(
        cycle=cycle, group=group, excellent__gte=quota.excellent
    ).first()
    return {
        "quota": quota,
        "must_drop": must_drop,
        "covered": covered if not quota.within else None,
        "exceptions": QuotaException.objects.filter(cycle=cycle, group=group),
    }


def _kept(request: HttpRequest) -> str:
    """The page's address parameters (year, tab, cell), kept across a post."""
    return request.GET.urlencode()


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
    cycle = _open_cycle(request)
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
    waiting = [t for t in page.tabs if t.count and t.key not in WAITS_ON_NOBODY]
    links = format_html_join(
        "; ",
        '<a href="{}{}&amp;nam={}">{}: {}</a>',
        ((url, t.query, cycle.year, t.label, t.count) for t in waiting),
    )
    count = _("Chưa công khai được: còn {n} kết quả chưa được thẩm định").format(n=len(e.names))
    return format_html("{} — {}.", count, links)


# Tabs of the decision page whose results a publication does not wait on.
WAITS_ON_NOBODY = (ALL.key, "da-tham-dinh", "da-cong-khai")


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
        return redirect(f"{request.path}?{_kept(request)}")
    page = listing(group, cycle, APPRAISE_TABS, request.GET)
    context = {
        "group": group,
        "cycle": cycle,
        "page": page,
        "rows": rows_for(page.evaluations),
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
