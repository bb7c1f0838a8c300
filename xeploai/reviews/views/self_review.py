"""The self-review page: the form of the member's regime, drafts the browser keeps and
sends until the server confirms them, submission."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import sees_members_of
from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.oversight.rules import load_points

from .. import actions
from ..access import (
    get_evaluation_for_filling,
    get_evaluation_for_user,
    may_fill,
)
from ..forms import (
    SelfReviewForm,
)
from ..models import SelfReview
from ..rules import member_form
from ..sheets import form_by_code


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
        log_read(request, evaluation.member)
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    form = _form(evaluation, review, request.POST if request.method == "POST" else None)
    outcome, conflict = "", None
    draft = bool(request.headers.get("X-Draft"))
    if request.method == "POST":
        if not form.is_valid():
            outcome = "invalid"
        else:
            try:
                outcome, evaluation = _save_posted(request, user, evaluation, form)
            except actions.DraftConflict as e:
                outcome, conflict = "conflict", e
            except actions.ReviewError as e:
                outcome = "refused"
                form.add_error(None, e.message)
        if outcome == "submitted":
            messages.success(request, _SUBMITTED_MESSAGE)
            return redirect("reviews:self_review", year=year, code=code)
        if not draft:  # the page shows the copy as saved
            review = SelfReview.objects.filter(evaluation=evaluation).first()
    context = _status(user, evaluation, form, outcome, conflict)
    if draft:
        response = render(request, "reviews/self_review.html#status", context)
        response["X-Draft-Result"] = outcome
        response["X-Draft-Version"] = str(evaluation.version)
        response["X-Draft-Time"] = f"{timezone.localtime():%H:%M}"  # the server's, in its zone
        return response
    context |= _context(user, evaluation, form, review)
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
    try:
        evaluation = actions.save_self_review(evaluation, by=user, version=version, data=data)
    except actions.DraftConflict:
        if form.differences():
            raise
        # A copy identical to the one saved elsewhere has nothing to choose between.
    if "submit" not in request.POST:
        return "saved", evaluation
    try:
        actions.submit_self_review(evaluation, by=user, version=evaluation.version)
    except actions.ReviewError as e:
        form.add_error(None, e.message)
        return "saved", evaluation
    return "submitted", evaluation


def _form(evaluation: MemberEvaluation, review: SelfReview | None, data: Any) -> SelfReviewForm:
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
        **{f"grade_{code}": grade for code, grade in (e.grades or {}).items()},
        **{f"follow_up_{f.pk}": f.result for f in follow_ups},
        **{f"fixed_{f.pk}": f.fixed for f in follow_ups},
    }
    if review is not None:
        # Read when shown or compared, not for a draft saved without a conflict.
        initial["manifestations"] = lambda: list(review.manifestations.all())
        initial.update({f"section_{k}": v for k, v in review.sections.items()})
        initial.update({f"score_{k}": Decimal(v) for k, v in review.scores.items()})
    return SelfReviewForm(
        data,
        initial=initial,
        sheet=sheet,
        criteria=e.cycle.settings.member_criteria,
        follow_ups=follow_ups,
    )


def _status(
    user: User,
    evaluation: MemberEvaluation,
    form: SelfReviewForm,
    outcome: str,
    conflict: actions.DraftConflict | None,
) -> dict[str, Any]:
    """What the page says of its form (the part a draft's answer holds): a conflict to
    settle, errors, the engine's ceiling with its reasons."""
    return {
        "evaluation": evaluation,
        "form": form,
        "outcome": outcome,
        "conflict": conflict,
        "differences": form.differences() if conflict else [],
        # After a save the page reads the new version; otherwise the one the copy was read at.
        "version": evaluation.version if outcome in ("", "saved") else form.data.get("version"),
        "officer": sees_members_of(user, evaluation.cell.path),
        "verdict": member_verdict(evaluation.member, evaluation, evaluation.cycle),
    }


def _context(
    user: User, evaluation: MemberEvaluation, form: SelfReviewForm, review: SelfReview | None
) -> dict[str, Any]:
    """The rest of the whole page."""
    fills = may_fill(user, evaluation)
    editable = evaluation.step == Step.SELF_REVIEW and fills
    # The form's parts, numbered without a gap where one is absent.
    parts = [p for p in PARTS if p != "follow_ups" or form.follow_ups]
    return {
        "review": review,
        "numbers": dict(zip(parts, ROMAN, strict=False)),
        "editable": editable,
        "may_fill": fills,
        "on_behalf": editable and user.member_id != evaluation.member_id,
        "draft_key": f"xeploai:draft:{user.pk}:{evaluation.pk}",
        "draft_texts": DRAFT_TEXTS,
        # The superior's suggestions sent to the member: to her, and to who decides (S2).
        **load_points(evaluation, user),
        "state_result": (
            evaluation.member.state_results.filter(year=evaluation.cycle.year).first()
            if evaluation.member.civil_servant
            else None
        ),
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
