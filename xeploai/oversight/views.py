"""The superior's pages (its list for a unit and a cycle, a suggestion drafted, edited and sent,
a review attended or directed) and the subject's (the suggestions addressed to them, the
explanation of each point). Plain forms: every page works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xeploai.accounts.audit import log_list_read, log_read
from xeploai.accounts.http import AuthenticatedHttpRequest
from xeploai.cycles.models import Cycle, LeaderEvaluation, MemberEvaluation
from xeploai.members.models import Member

from . import actions, rules
from .access import (
    UNIT_WRITERS,
    acts_for,
    get_attendance_for_user,
    get_suggestion_for_overseer,
    get_suggestion_for_subject,
    get_superior_for_user,
    may_explain,
    require_acting,
    sent_to,
    units_with,
)
from .forms import (
    AttendanceForm,
    ExplanationForm,
    NewAttendanceForm,
    NewSuggestionForm,
    SuggestionForm,
)
from .models import Attendance, Subjected, Suggestion

RECEIVED_SHOWN = 100


def cycle_of_page(request: HttpRequest) -> Cycle:
    """The yearly cycle of `?nam=`, else the current one; 404 when there is none. A closed
    cycle is read, never written (the actions refuse it)."""
    year = request.GET.get("nam", "")
    if not year:
        cycle = Cycle.objects.current()
    else:
        cycle = Cycle.objects.of_year(int(year)) if year.isdigit() and len(year) == 4 else None
    if cycle is None:
        raise Http404
    return cycle


def _subject_asked(request: HttpRequest) -> dict[str, object]:
    """The subject a link asks a new suggestion or record about: `?doi-tuong=&ma=`."""
    asked = {"subject_kind": request.GET.get("doi-tuong"), "code": request.GET.get("ma")}
    return {key: value for key, value in asked.items() if value}


def _member_of(row: Subjected) -> Member | None:
    """The member whose record a page about `row` reads (S3); None for a collective."""
    subject = row.subject
    return subject.member if isinstance(subject, MemberEvaluation | LeaderEvaluation) else None


@login_required
@require_http_methods(["GET"])
def overview(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A superior unit's suggestions of a cycle with their states, the reviews it attended or
    directed, and the counts of its whole subtree as a report phrases them."""
    unit = get_superior_for_user(request.user, code)
    cycle = cycle_of_page(request)
    suggestions = list(rules.issued_by(unit, cycle))
    records = list(
        Attendance.objects.filter(superior=unit, cycle=cycle)
        .with_subjects()
        .order_by("-held_on", "-pk")
    )
    context = {
        "unit": unit,
        "cycle": cycle,
        "suggestions": suggestions,
        "standing": rules.standing(suggestions),
        "records": records,
        "summary": rules.attendance_words(rules.attendance_counts(unit, cycle)),
        "acts": acts_for(request.user, unit),
    }
    read = _("gợi ý, dự và chỉ đạo kiểm điểm của {unit} năm {year}").format(
        unit=unit.code, year=cycle.year
    )
    log_list_read(request, listing=read, count=len(suggestions) + len(records))
    return render(request, "oversight/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Draft a suggestion in the unit's name; it stays confidential until sent."""
    user = request.user
    unit = get_superior_for_user(user, code)
    cycle = cycle_of_page(request)
    require_acting(user, unit)
    initial = _subject_asked(request) | {"issued_on": timezone.localdate()}
    form = NewSuggestionForm(request.POST or None, superior=unit, cycle=cycle, initial=initial)
    if request.method == "POST" and form.is_valid() and form.subject is not None:
        try:
            suggestion = actions.issue_suggestion(
                unit, cycle=cycle, subject=form.subject, data=form.data_for_action(), by=user
            )
        except actions.OversightError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã lưu dự thảo. Gợi ý chỉ đến đối tượng khi được gửi."))
            return redirect("oversight:suggestion", pk=suggestion.pk)
    context = {"unit": unit, "cycle": cycle, "form": form}
    return render(request, "oversight/suggestion_new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A suggestion as its issuing side reads it: a draft edited, then sent; once sent, its
    points with the subject's explanations."""
    user = request.user
    found = get_suggestion_for_overseer(user, pk)
    if request.method == "POST":
        require_acting(user, found.superior)
    points = list(found.points.select_related("explanation"))
    form = None
    if not found.is_released:
        initial = {
            "number": found.number,
            "issued_on": found.issued_on,
            "points": "\n".join(p.text for p in points),
        }
        form = SuggestionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Gợi ý kiểm điểm đã gửi thì không sửa được nữa."))
            return redirect("oversight:suggestion", pk=pk)
        if form.is_valid():
            try:
                actions.update_suggestion(found, data=form.data_for_action(), by=user)
            except actions.OversightError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Đã lưu dự thảo."))
                return redirect("oversight:suggestion", pk=pk)
    else:
        log_read(request, _member_of(found))
    context = {
        "suggestion": found,
        "points": points,
        "form": form,
        "acts": acts_for(user, found.superior),
    }
    return render(request, "oversight/suggestion.html", context)


@login_required
@require_POST
def release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send a draft to its subject; its points never change afterwards."""
    found = get_suggestion_for_overseer(request.user, pk)
    require_acting(request.user, found.superior)
    try:
        actions.release_suggestion(found, by=request.user)
    except actions.OversightError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Đã gửi gợi ý kiểm điểm đến {who}.").format(who=found.who()))
    return redirect("oversight:suggestion", pk=pk)


@login_required
@require_http_methods(["GET"])
def received(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The suggestions sent to the user: to them as a member, or to a collective whose report
    they draft; the newest first."""
    found = (
        Suggestion.objects.released()
        .filter(sent_to(request.user, units_with(request.user, *UNIT_WRITERS)))
        .with_subjects()
        .select_related("cycle")
        .order_by("-released", "-pk")
    )
    items = list(rules.with_counts(found)[:RECEIVED_SHOWN])
    return render(request, "oversight/received.html", {"suggestions": items})


@login_required
@require_http_methods(["GET", "POST"])
def explanation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The subject explains each point of a sent suggestion, until their level is decided;
    those who decide or oversee read the same page."""
    user = request.user
    found = get_suggestion_for_subject(user, pk)
    points = list(found.points.select_related("explanation"))
    form = ExplanationForm(request.POST if request.method == "POST" else None, points=points)
    if request.method == "POST" and form.is_valid():
        try:
            actions.explain(found, texts=form.texts(), by=user)
        except actions.OversightError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã lưu giải trình."))
            return redirect("oversight:explanation", pk=pk)
    if request.method == "GET":
        log_read(request, _member_of(found))
    context = {
        "suggestion": found,
        "form": form,
        "writes": may_explain(user, found),
        "unexplained": sum(p.answer is None for p in points),
    }
    return render(request, "oversight/explanation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record a review of the level below that the unit attended or directed."""
    user = request.user
    unit = get_superior_for_user(user, code)
    cycle = cycle_of_page(request)
    require_acting(user, unit)
    initial = _subject_asked(request) | {"held_on": timezone.localdate()}
    form = NewAttendanceForm(request.POST or None, superior=unit, cycle=cycle, initial=initial)
    if request.method == "POST" and form.is_valid() and form.subject is not None:
        try:
            actions.record_attendance(
                unit, cycle=cycle, subject=form.subject, data=form.data_for_action(), by=user
            )
        except actions.OversightError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã ghi nhận."))
            return redirect(f"{_overview_url(unit.code)}?nam={cycle.year}")
    context = {"unit": unit, "cycle": cycle, "form": form, "record": None}
    return render(request, "oversight/attendance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A review attended or directed, corrected in the unit's name."""
    user = request.user
    record = get_attendance_for_user(user, pk)
    if request.method == "POST":
        require_acting(user, record.superior)
    initial = {
        "kind": record.kind,
        "held_on": record.held_on,
        "group": record.group,
        "conclusions": record.conclusions,
    }
    form = AttendanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_attendance(record, data=form.data_for_action(), by=user)
        except actions.OversightError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect(f"{_overview_url(record.superior.code)}?nam={record.cycle.year}")
    if request.method == "GET":
        log_read(request, _member_of(record))
    context = {
        "unit": record.superior,
        "cycle": record.cycle,
        "form": form,
        "record": record,
        "acts": acts_for(user, record.superior),
    }
    return render(request, "oversight/attendance.html", context)


def _overview_url(code: str) -> str:
    return reverse("oversight:overview", kwargs={"code": code})
