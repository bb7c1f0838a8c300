"""What the review's pages share: the cycle a page is about, and the handling of a report and
of the steps after it posted from a result's page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle, CycleKind, LeaderEvaluation, UnitEvaluation

from .. import actions
from ..forms import ReportForm
from ..machine import Evaluation


def _year(request: HttpRequest) -> int:
    """The year a page is asked for (`?nam=`), else the current cycle's."""
    current = Cycle.objects.current()
    try:
        return int(request.GET.get("nam") or (current.year if current else 0))
    except ValueError:
        return 0


def cycle_of_page(request: HttpRequest) -> Cycle:
    """The open yearly cycle a page is about; 404 when there is none for that year."""
    return get_object_or_404(
        Cycle.objects.filter(kind=CycleKind.YEAR, closed=False), year=_year(request)
    )


# A step posted from a result's page: its form, and the action it takes (with `by`).
StepHandlers = Mapping[str, tuple[type[forms.Form], Callable[..., object]]]


def step_posted(
    request: HttpRequest, user: User, evaluation: Evaluation, handlers: StepHandlers
) -> None:
    """One of the steps after the report, posted as a small form of its own (`step`): its
    action checks who may take it (403 otherwise) and where the result stands; the page
    says what came of it."""
    chosen = handlers.get(request.POST.get("step", ""))
    if chosen is None:
        messages.error(request, _("Thao tác không hợp lệ."))
        return
    form_class, act = chosen
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form[f].label}: {e[0]}" for f, e in form.errors.items() if f in form.fields
        )
        messages.error(request, errors or _("Thao tác không hợp lệ."))
        return
    try:
        act(evaluation, by=user, **form.cleaned_data)
        messages.success(request, _("Đã ghi nhận."))
    except actions.ReviewError as e:
        messages.error(request, e.explanation())


R = TypeVar("R", UnitEvaluation, LeaderEvaluation)


def report_posted(
    request: HttpRequest,
    user: User,
    evaluation: R,
    form: ReportForm,
    *,
    save: Callable[..., R],
    submit: Callable[..., R],
) -> tuple[str, actions.DraftConflict | None, R]:
    """Save the posted draft of a report, then submit it if asked; a copy written elsewhere
    since this one was read is a conflict the user resolves, as on a member's self-review.
    Returns what came of it ("invalid", "conflict", "refused", "saved", "submitted")."""
    if not form.is_valid():
        return "invalid", None, evaluation
    overwrite = request.POST.get("overwrite", "")
    version = int(overwrite) if overwrite.isdigit() else form.cleaned_data["version"]
    try:
        evaluation = save(evaluation, by=user, version=version, data=form.data_for_action())  # type: ignore[attr-defined]
    except actions.DraftConflict as e:
        return "conflict", e, evaluation
    except actions.ReviewError as e:
        form.add_error(None, e.explanation())
        return "refused", None, evaluation
    if "submit" in request.POST:
        try:
            evaluation = submit(evaluation, by=user, version=evaluation.version)
        except actions.ReviewError as e:
            form.add_error(None, e.explanation())  # saved, not submitted: the page says why
            return "saved", None, evaluation
        return "submitted", None, evaluation
    return "saved", None, evaluation
