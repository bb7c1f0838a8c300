"""The cell's pages: its review meeting, inputs and proposals, the minutes, the results it
published."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_access, log_list_read
from xeploai.accounts.models import AccessAction, User
from xeploai.accounts.policy import Power, can
from xeploai.core.db import vietnamese
from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.units.models import Unit

from .. import actions
from ..access import (
    get_cell_for_member_or_role,
    get_cell_for_user,
    get_evaluation_for_user,
    require,
)
from ..documents import minutes
from ..forms import (
    InputForm,
    MeetingForm,
    ProposalForm,
)
from ..models import InputKind, Meeting
from ..rules import Row, rows_for
from .common import cycle_of_page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_http_methods(["GET", "POST"])
def cell_review(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's review: its meeting, each member's step, inputs and proposal."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_user(user, code)
    cycle = cycle_of_page(request)
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
    read = _("kiểm điểm chi bộ {cell} năm {year}").format(cell=cell.code, year=cycle.year)
    log_list_read(request, listing=read, count=len(lines))
    return render(request, "reviews/cell_review.html", context)


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


@login_required
def meeting_minutes(request: HttpRequest, code: str) -> HttpResponse:
    """The minutes of the cell's review meeting, as a Word document (an export: logged)."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_user(user, code)
    cycle = cycle_of_page(request)
    meeting = get_object_or_404(Meeting, cycle=cycle, cell=cell)
    log_access(request, action=AccessAction.EXPORT, detail=f"biên bản họp {cell.code}")
    response = HttpResponse(minutes(meeting), content_type=DOCX)
    name = f"bien-ban-kiem-diem-{cycle.year}-{cell.code}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def published(request: HttpRequest, code: str) -> HttpResponse:
    """The cell's published results, for its members to see (publication, S1). They are
    the results of others, so each look is logged (S3), the member's own among them."""
    user: User = request.user  # type: ignore[assignment]
    cell = get_cell_for_member_or_role(user, code)
    cycle = cycle_of_page(request)
    results = list(
        MemberEvaluation.objects.filter(cycle=cycle, cell=cell, step=Step.PUBLISHED)
        .select_related("member")
        .order_by(vietnamese("member__full_name"))
    )
    read = _("kết quả công khai chi bộ {cell} năm {year}").format(cell=cell.code, year=cycle.year)
    log_list_read(request, listing=read, count=len(results))
    context = {"cell": cell, "cycle": cycle, "results": results}
    return render(request, "reviews/published.html", context)
