"""The forms of the superior's pages and of the subject's explanation page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from xeploai.cycles.models import Cycle, LeaderEvaluation, MemberEvaluation, UnitEvaluation
from xeploai.units.models import Unit

from .actions import MAX_POINTS, POINT_LENGTH, AttendanceData, SuggestionData
from .models import AttendanceKind, Evaluation, Point, SubjectKind

TEXT_LENGTH = 8000
UNIT_NOUNS: dict[str, StrOrPromise] = {
    SubjectKind.ORGANISATION: gettext_lazy("tổ chức đảng"),
    SubjectKind.COLLECTIVE: gettext_lazy("tập thể lãnh đạo"),
}


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and sends yyyy-mm-dd whatever the language."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def find_subject(superior: Unit, cycle: Cycle, kind: str, code: str) -> Evaluation | None:
    """The evaluation in `cycle` of the member, the leader or the unit with `code` (as typed,
    or in capitals: codes are written so), below `superior`. A leader holding several posts
    there is found where they are classified, at their highest (R32)."""
    codes = {code, code.upper()}
    if kind == SubjectKind.LEADER:
        return (
            LeaderEvaluation.objects.filter(
                cycle=cycle, member__code__in=codes, unit_path__startswith=superior.path
            )
            .exclude(unit=superior)
            .select_related("member", "post", "unit", "cycle")
            .order_by("-classified", "unit_path", "pk")
            .first()
        )
    if kind == SubjectKind.MEMBER:
        return (
            MemberEvaluation.objects.filter(
                cycle=cycle, member__code__in=codes, unit_path__startswith=superior.path
            )
            .select_related("member", "cycle")
            .first()
        )
    return (
        UnitEvaluation.objects.filter(
            cycle=cycle, unit__code__in=codes, kind=kind, unit_path__startswith=superior.path
        )
        .exclude(unit=superior)
        .select_related("unit", "cycle")
        .first()
    )


class SubjectForm(forms.Form):
    """Whose review: a kind and a code, found in the cycle below the superior unit."""

    subject_kind = forms.ChoiceField(
        label=gettext_lazy("Đối tượng"),
        choices=SubjectKind.choices,
        initial=SubjectKind.MEMBER,
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=gettext_lazy("Mã đảng viên hoặc mã tổ chức đảng"),
        max_length=32,
        help_text=gettext_lazy("Ví dụ: mã đảng viên DV-AN, mã tổ chức đảng CB-A."),
    )

    def __init__(self, *args: Any, superior: Unit, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.superior, self.cycle = superior, cycle
        self.subject: Evaluation | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, code = cleaned.get("subject_kind"), cleaned.get("code", "").strip()
        if kind and code:
            self.subject = find_subject(self.superior, self.cycle, kind, code)
            if self.subject is None:
                self.add_error("code", self._not_found(kind, code))
        return cleaned

    def _not_found(self, kind: str, code: str) -> str:
        place = {"unit": self.superior.name, "cycle": self.cycle.name.lower(), "code": code}
        if kind == SubjectKind.MEMBER:
            return _("Không tìm thấy đảng viên mã «{code}» thuộc {unit} trong {cycle}.").format(
                **place
            )
        if kind == SubjectKind.LEADER:
            return _(
                "Không tìm thấy cán bộ lãnh đạo, quản lý mã «{code}» giữ chức vụ ở cấp dưới"
                " của {unit} trong {cycle}."
            ).format(**place)
        return _(
            "Không tìm thấy {kind} mã «{code}» thuộc cấp dưới của {unit} trong {cycle}."
            " Tập thể lãnh đạo chỉ có ở các đảng bộ và chi bộ cơ sở."
        ).format(kind=UNIT_NOUNS.get(kind, ""), **place)


class SuggestionForm(forms.Form):
    """A suggestion's document and points, one point a line."""

    number = forms.CharField(
        label=gettext_lazy("Số văn bản (nếu có)"), max_length=64, required=False
    )
    issued_on = forms.DateField(label=gettext_lazy("Ngày gợi ý"), widget=DateInput())
    points = forms.CharField(
        label=gettext_lazy("Các vấn đề gợi ý kiểm điểm"),
        help_text=gettext_lazy("Mỗi dòng một vấn đề; các vấn đề được đánh số theo thứ tự dòng."),
        max_length=MAX_POINTS * (POINT_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_points(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["points"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("Cần ít nhất một vấn đề."))
        if len(lines) > MAX_POINTS:
            raise forms.ValidationError(
                _("Tối đa {n} vấn đề; đang có {count}.").format(n=MAX_POINTS, count=len(lines))
            )
        long = [i for i, line in enumerate(lines, start=1) if len(line) > POINT_LENGTH]
        if long:
            raise forms.ValidationError(
                _("Vấn đề {numbers} dài quá {n} ký tự.").format(
                    numbers=", ".join(map(str, long)), n=POINT_LENGTH
                )
            )
        return lines

    def data_for_action(self) -> SuggestionData:
        c = self.cleaned_data
        return SuggestionData(points=c["points"], issued_on=c["issued_on"], number=c["number"])


class NewSuggestionForm(SubjectForm, SuggestionForm):
    field_order = ["subject_kind", "code", "number", "issued_on", "points"]


class ExplanationForm(forms.Form):
    """One text a point, each labelled with its number; a point left empty is not explained."""

    def __init__(self, *args: Any, points: list[Point], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = points
        for point in points:
            answer = point.answer
            self.fields[f"point_{point.pk}"] = forms.CharField(
                label=_("Giải trình vấn đề {n}").format(n=point.number),
                required=False,
                max_length=TEXT_LENGTH,
                initial=answer.text if answer else "",
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def texts(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"point_{p.pk}", "") for p in self.points}

    def pairs(self) -> list[tuple[Point, forms.BoundField]]:
        return [(p, self[f"point_{p.pk}"]) for p in self.points]


class AttendanceForm(forms.Form):
    """A review attended or directed: when, who went, what they concluded."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Hình thức"),
        choices=AttendanceKind.choices,
        initial=AttendanceKind.ATTENDED,
        widget=forms.RadioSelect,
    )
    held_on = forms.DateField(label=gettext_lazy("Ngày kiểm điểm"), widget=DateInput())
    group = forms.CharField(
        label=gettext_lazy("Thành viên tổ công tác, người dự"),
        help_text=gettext_lazy("Mỗi dòng một người: họ tên — chức vụ."),
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    conclusions = forms.CharField(
        label=gettext_lazy("Kết luận, ý kiến chỉ đạo"),
        max_length=TEXT_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def data_for_action(self) -> AttendanceData:
        c = self.cleaned_data
        return AttendanceData(
            kind=AttendanceKind(c["kind"]),
            held_on=c["held_on"],
            group=c["group"],
            conclusions=c["conclusions"],
        )


class NewAttendanceForm(SubjectForm, AttendanceForm):
    field_order = ["kind", "subject_kind", "code", "held_on", "group", "conclusions"]
