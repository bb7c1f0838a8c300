"""The pages of the member review."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, User
from xeploai.cycles.models import MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict

from . import actions
from .access import get_evaluation_for_filling, get_evaluation_for_user, may_fill
from .forms import SelfReviewForm
from .models import SECTIONS, SelfReview
from .rules import member_form
from .sheets import form_by_code


@login_required
@require_http_methods(["GET", "POST"])
def self_review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The self-review form: drafts save as the member types, submission locks it."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        evaluation = get_evaluation_for_filling(user, year, code)
    else:
        evaluation = get_evaluation_for_user(user, year, code)
    if user.member_id != evaluation.member_id:
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
