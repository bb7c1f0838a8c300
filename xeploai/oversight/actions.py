"""Every write of the superior's hand in the review (STYLE.md 5): atomic, checked against who
acts and where the subject's review stands, each row's version kept with who wrote it
(django-simple-history).

A write refused for a reason the user can act on raises `OversightError` with a Vietnamese
message; writing without the power to do so raises `PermissionDenied`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle
from xeploai.units.models import Unit

from .access import acts_for, is_open, is_subject, subject_in_scope
from .models import (
    Attendance,
    AttendanceKind,
    Evaluation,
    Explanation,
    Point,
    Suggestion,
    subject_field,
)

MAX_POINTS = 30
POINT_LENGTH = 2000


class OversightError(Exception):
    """A write refused for a reason the user can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class SuggestionData:
    points: Sequence[str]  # in order, numbered from 1
    issued_on: dt.date
    number: str = ""


@dataclasses.dataclass(frozen=True)
class AttendanceData:
    kind: AttendanceKind
    held_on: dt.date
    group: str  # one person a line, with their post
    conclusions: str = ""


def _as(row: models.Model, by: User) -> None:
    """The version the save writes names `by`, whatever the door (a page, the demo, a test)."""
    row._history_user = by  # type: ignore[attr-defined]


def _require_acting(by: User, superior: Unit) -> None:
    if not acts_for(by, superior):
        raise PermissionDenied


def _check_subject(superior: Unit, cycle: Cycle, subject: Evaluation) -> None:
    if subject.cycle_id != cycle.pk or not subject_in_scope(subject, superior):
        raise OversightError(
            _("{who} không thuộc cấp dưới của {unit} trong {cycle}.").format(
                who=capfirst(subject.who()), unit=superior.name, cycle=cycle.name.lower()
            )
        )
    if cycle.closed:
        raise OversightError(_("Kỳ đánh giá đã kết thúc."))


def _check_open(subject: Evaluation, cycle: Cycle) -> None:
    if not is_open(subject, cycle):
        raise OversightError(
            _(
                "Không thực hiện được: kết quả của {who} đang ở bước “{step}”, không còn"
                " chờ quyết định xếp loại."
            ).format(who=subject.who(), step=subject.get_step_display())
        )


def _clean_points(points: Sequence[str]) -> list[str]:
    cleaned = [p.replace("\x00", "").strip() for p in points]
    cleaned = [p for p in cleaned if p]
    if not cleaned:
        raise OversightError(_("Gợi ý kiểm điểm cần ít nhất một vấn đề."))
    if len(cleaned) > MAX_POINTS:
        raise OversightError(_("Một gợi ý kiểm điểm có tối đa {n} vấn đề.").format(n=MAX_POINTS))
    if any(len(p) > POINT_LENGTH for p in cleaned):
        raise OversightError(_("Mỗi vấn đề dài tối đa {n} ký tự.").format(n=POINT_LENGTH))
    return cleaned


def _locked(suggestion: Suggestion) -> Suggestion:
    rows = Suggestion.objects.select_for_update(of=("self",)).with_subjects()
    return rows.select_related("cycle").get(pk=suggestion.pk)


# --- Suggestions -----------------------------------------------------------------------------


@transaction.atomic
def issue_suggestion(
    superior: Unit, *, cycle: Cycle, subject: Evaluation, data: SuggestionData, by: User
) -> Suggestion:
    """Draft a suggestion of `superior` to a member, a leader or a collective below it:
    confidential to those who oversee `superior` until `release_suggestion`. One a subject
    from each superior; more points go into it."""
    _require_acting(by, superior)
    _check_subject(superior, cycle, subject)
    _check_open(subject, cycle)
    points = _clean_points(data.points)
    if Suggestion.objects.filter(superior=superior).about(subject).exists():
        raise OversightError(
            _("{unit} đã có gợi ý kiểm điểm gửi {who}: hãy bổ sung vào gợi ý đó.").format(
                unit=superior.name, who=subject.who()
            )
        )
    suggestion = Suggestion(
        cycle=cycle,
        superior=superior,
        number=data.number.strip(),
        issued_on=data.issued_on,
        issued_by=by,
        **{subject_field(subject): subject},
    )
    _as(suggestion, by)
    suggestion.save()
    _write_points(suggestion, points, by)
    return suggestion


@transaction.atomic
def update_suggestion(suggestion: Suggestion, *, data: SuggestionData, by: User) -> Suggestion:
    """Change a draft's points, number or date; a released suggestion never changes."""
    suggestion = _locked(suggestion)
    _require_acting(by, suggestion.superior)
    if suggestion.is_released:
        raise OversightError(_("Gợi ý kiểm điểm đã gửi thì không sửa được nữa."))
    if suggestion.cycle.closed:
        raise OversightError(_("Kỳ đánh giá đã kết thúc."))
    points = _clean_points(data.points)
    suggestion.number, suggestion.issued_on = data.number.strip(), data.issued_on
    _as(suggestion, by)
    suggestion.save(update_fields=["number", "issued_on"])
    _write_points(suggestion, points, by)
    return suggestion


def _write_points(suggestion: Suggestion, texts: list[str], by: User) -> None:
    """The points numbered 1..n as `texts` says, each changed row with its version."""
    existing = {p.number: p for p in suggestion.points.all()}
    for number, text in enumerate(texts, start=1):
        point = existing.pop(number, None) or Point(suggestion=suggestion, number=number)
        if point.pk is None or point.text != text:
            point.text = text
            _as(point, by)
            point.save()
    for point in existing.values():
        _as(point, by)
        point.delete()


@transaction.atomic
def release_suggestion(suggestion: Suggestion, *, by: User) -> Suggestion:
    """Send the suggestion to its subject: from now on they read it and explain each point,
    and its points never change (S2). Who released it, and when, is kept."""
    suggestion = _locked(suggestion)
    _require_acting(by, suggestion.superior)
    if suggestion.is_released:
        raise OversightError(_("Gợi ý kiểm điểm này đã được gửi."))
    _check_open(suggestion.subject, suggestion.cycle)
    if not suggestion.points.exists():
        raise OversightError(_("Gợi ý kiểm điểm cần ít nhất một vấn đề."))
    suggestion.released, suggestion.released_by = timezone.now(), by
    _as(suggestion, by)
    suggestion.save(update_fields=["released", "released_by"])
    return suggestion


@transaction.atomic
def explain(suggestion: Suggestion, *, texts: Mapping[int, str], by: User) -> int:
    """The subject's explanations of the points of a released suggestion, by point id: a
    text written or changed is saved, one emptied is withdrawn; until the subject's level is
    decided. Returns how many explanations changed."""
    suggestion = _locked(suggestion)
    if not suggestion.is_released or not is_subject(by, suggestion.subject):
        raise PermissionDenied
    _check_open(suggestion.subject, suggestion.cycle)
    changed = 0
    for point in suggestion.points.select_related("explanation"):
        text = texts.get(point.pk, "").replace("\x00", "").strip()
        answer = point.answer
        if answer is not None and not text:
            _as(answer, by)
            answer.delete()
        elif text and (answer is None or answer.text != text):
            answer = answer or Explanation(point=point)
            answer.text, answer.written_by = text, by
            _as(answer, by)
            answer.save()
        else:
            continue
        changed += 1
    return changed


# --- Reviews attended and directed -----------------------------------------------------------


@transaction.atomic
def record_attendance(
    superior: Unit, *, cycle: Cycle, subject: Evaluation, data: AttendanceData, by: User
) -> Attendance:
    """Record a review of the level below that `superior` attended or directed."""
    _require_acting(by, superior)
    _check_subject(superior, cycle, subject)
    record = Attendance(
        cycle=cycle, superior=superior, recorded_by=by, **{subject_field(subject): subject}
    )
    return _save_attendance(record, data, by)


@transaction.atomic
def update_attendance(record: Attendance, *, data: AttendanceData, by: User) -> Attendance:
    """Correct a record, while its cycle is open; its subject stays."""
    record = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("cycle", "superior")
        .get(pk=record.pk)
    )
    _require_acting(by, record.superior)
    if record.cycle.closed:
        raise OversightError(_("Kỳ đánh giá đã kết thúc."))
    record.recorded_by = by
    return _save_attendance(record, data, by)


def _save_attendance(record: Attendance, data: AttendanceData, by: User) -> Attendance:
    group = "\n".join(line.strip() for line in data.group.splitlines() if line.strip())
    if not group:
        raise OversightError(_("Cần ghi ít nhất một thành viên tổ công tác hoặc người dự."))
    record.kind, record.held_on = data.kind, data.held_on
    record.group, record.conclusions = group, data.conclusions.replace("\x00", "").strip()
    _as(record, by)
    record.save()
    return record
