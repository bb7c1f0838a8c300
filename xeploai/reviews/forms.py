"""The self-review form, built from the member's form of the regime (STYLE.md 13)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xeploai.cycles.models import Level, Manifestation
from xeploai.rules import Grade
from xeploai.rules.regimes import CRITERION_LABELS

from .actions import Decision, MeetingData, ProposalData, QuotaExemption, SelfReviewData
from .actions.self_review import ReportData
from .actions.units import UnitReviewData
from .models import SECTIONS, ConclusionKind, FollowUp, InputKind, PeerKind
from .sheets import Form


class NumberInput(forms.TextInput):
    """A number written the Vietnamese way, to one decimal ("92,5"), on a phone's numeric
    keyboard; "92.5" is read too."""

    input_type = "text"

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value))
        except ArithmeticError:  # a value typed back as it was posted
            return str(value)
        # One decimal, unless an older value has more: shown whole, never silently rounded.
        return number_format(number, 1 if number == round(number, 1) else None)


class OneDecimalField(forms.DecimalField):
    """Points and percentages: half points are the finest a sheet uses, so one decimal."""

    widget = NumberInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False, min_value=Decimal(0), decimal_places=1, localize=True, **kwargs
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number: Decimal | None = super().to_python(value)
        # "26.50" is 26,5: trailing zeros are not decimals the user typed on purpose.
        return None if number is None else _without_trailing_zeros(number)


def _without_trailing_zeros(number: Decimal) -> Decimal:
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def percent(label: StrOrPromise) -> forms.DecimalField:
    return OneDecimalField(label=label, max_value=Decimal(100))


class ReportForm(forms.Form):
    """What every self-review form has: its sections, and its score sheet or criterion
    grades; all optional while it is a draft (submission checks)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, sheet: Form, criteria: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet, self.criteria = sheet, criteria
        for key, label in SECTIONS.items():
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        for item in sheet.items():
            self.fields[f"score_{item.code}"] = OneDecimalField(
                label=item.text,
                max_value=item.max,
                help_text=_("tối đa %(max)s điểm") % {"max": number_format(item.max)},
            )
        for code in criteria:
            self.fields[f"grade_{code}"] = forms.ChoiceField(
                label=_(CRITERION_LABELS.get(code, code)),
                choices=[("", "—")] + [(g.name, g.label) for g in Grade],
                required=False,
            )

    def section_fields(self) -> list[forms.BoundField]:
        return [self[f"section_{key}"] for key in SECTIONS]

    def general_score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{item.code}"] for item in self.sheet.general]

    def task_score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{item.code}"] for item in self.sheet.task_results]

    def grade_fields(self) -> list[forms.BoundField]:
        return [self[f"grade_{code}"] for code in self.criteria]

    def differences(self) -> list[Difference]:
        """The fields where the posted copy differs from the saved one, both shown as the
        user reads them: what to choose between when the two copies conflict."""
        return [
            Difference(str(self[name].label), _shown(self[name], saved=True), _shown(self[name]))
            for name in self.changed_data
            if name != "version"
        ]

    def report_data(self) -> dict[str, Any]:
        """The sections, scores and grades, as the actions take them."""
        c = self.cleaned_data
        return {
            "sections": {key: c[f"section_{key}"] for key in SECTIONS},
            "scores": {
                item.code: c[f"score_{item.code}"]
                for item in self.sheet.items()
                if c[f"score_{item.code}"] is not None
            },
            "grades": {code: c[f"grade_{code}"] for code in self.criteria},
        }


class SelfReviewForm(ReportForm):
    """A member's self-review: the report, tasks, follow-ups, manifestations, self-level."""

    tasks_done = percent(_("% nhiệm vụ hoàn thành"))
    tasks_late = percent(_("% nhiệm vụ chậm tiến độ"))
    tasks_exceeded = percent(_("% nhiệm vụ vượt mức"))
    manifestations = forms.ModelMultipleChoiceField(
        label=_("Biểu hiện suy thoái tự nhận thấy (nếu có)"),
        queryset=Manifestation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    level_self = forms.TypedChoiceField(
        label=_("Tự xếp loại"),
        choices=[("", "—"), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, follow_ups: list[FollowUp], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.follow_ups = follow_ups
        for follow_up in follow_ups:
            self.fields[f"follow_up_{follow_up.pk}"] = forms.CharField(
                label=follow_up.text, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"fixed_{follow_up.pk}"] = forms.BooleanField(
                label=_("Đã khắc phục"), required=False
            )

    def follow_up_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"follow_up_{f.pk}"], self[f"fixed_{f.pk}"]) for f in self.follow_ups]

    def data_for_action(self) -> SelfReviewData:
        c = self.cleaned_data
        return SelfReviewData(
            **self.report_data(),
            tasks_done=c["tasks_done"],
            tasks_late=c["tasks_late"] or Decimal(0),
            tasks_exceeded=c["tasks_exceeded"] or Decimal(0),
            manifestations=[m.pk for m in c["manifestations"]],
            follow_ups={
                f.pk: (c[f"follow_up_{f.pk}"], c[f"fixed_{f.pk}"]) for f in self.follow_ups
            },
            level_self=Level(c["level_self"]) if c["level_self"] else None,
        )


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and sends its value as yyyy-mm-dd whatever
    the language; it shows the date the user's way."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


@dataclasses.dataclass(frozen=True)
class Difference:
    label: str
    saved: str
    mine: str


def _shown(field: forms.BoundField, *, saved: bool = False) -> str:
    """A field's saved (initial) or posted value, as the page shows it."""
    value = field.initial if saved else field.data
    f = field.field
    if isinstance(f, forms.BooleanField):
        return str(_("Có") if f.to_python(value) else _("Không"))
    if isinstance(f, forms.ModelMultipleChoiceField):
        names = {str(m.pk): str(m) for m in f.queryset}  # type: ignore[union-attr]
        chosen = [names.get(str(getattr(v, "pk", v)), str(v)) for v in value or ()]
        return "; ".join(chosen) or "—"
    if isinstance(f, forms.ChoiceField):
        labels = {str(k): v for k, v in f.choices}  # type: ignore[union-attr,misc]
        return str(labels.get(str(value or ""), value or "—"))
    if isinstance(f, forms.DecimalField) and value not in (None, ""):
        try:
            return number_format(f.to_python(value) or 0, 1)
        except forms.ValidationError:
            return str(value)
    return str(value or "") or "—"


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Ngày họp"), widget=DateInput())
    chair = forms.CharField(label=_("Chủ trì"), max_length=128)
    minutes_taker = forms.CharField(label=_("Thư ký"), max_length=128, required=False)
    summoned = forms.IntegerField(label=_("Số đảng viên được triệu tập"), min_value=1)
    present = forms.IntegerField(label=_("Số có mặt"), min_value=0)
    absences = forms.CharField(
        label=_("Vắng mặt (mỗi dòng: họ tên — lý do)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    secret_ballot = forms.BooleanField(label=_("Biểu quyết bằng phiếu kín"), required=False)

    def clean_absences(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["absences"].splitlines():
            if not line.strip():
                continue
            name, _sep, reason = line.replace("—", "-").partition("-")
            if not reason.strip():
                raise forms.ValidationError(
                    _("Dòng “%(line)s” thiếu lý do vắng mặt (họ tên — lý do).") % {"line": line}
                )
            rows.append({"name": name.strip(), "reason": reason.strip()})
        return rows

    def data_for_action(self) -> MeetingData:
        return MeetingData(**self.cleaned_data)


class ProposalForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Mức đề xuất"), choices=Level.choices, coerce=int)
    votes_1 = forms.IntegerField(label=_("Phiếu HTXSNV"), min_value=0, required=False)
    votes_2 = forms.IntegerField(label=_("Phiếu HTTNV"), min_value=0, required=False)
    votes_3 = forms.IntegerField(label=_("Phiếu HTNV"), min_value=0, required=False)
    votes_4 = forms.IntegerField(label=_("Phiếu KHTNV"), min_value=0, required=False)
    comments = forms.CharField(
        label=_("Ý kiến góp ý, phê bình"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conclusion = forms.CharField(
        label=_("Kết luận của chủ trì"), widget=forms.Textarea(attrs={"rows": 2})
    )
    weaknesses = forms.CharField(
        label=_("Hạn chế phải khắc phục (mỗi dòng một ý)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def data_for_action(self) -> ProposalData:
        c = self.cleaned_data
        return ProposalData(
            level=Level(c["level"]),
            conclusion=c["conclusion"],
            votes={level: c[f"votes_{level.value}"] or 0 for level in Level},
            comments=c["comments"],
            weaknesses=[w for w in c["weaknesses"].splitlines() if w.strip()],
        )


class InputForm(forms.Form):
    kind = forms.ChoiceField(choices=InputKind.choices, widget=forms.HiddenInput)
    source = forms.CharField(max_length=255, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Nội dung nhận xét"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=64)
    date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput())
    exception_reason = forms.CharField(
        label=_("Lý do ngoại lệ về tỷ lệ (chỉ khi cấp ủy quyết định vượt tỷ lệ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def decision(self) -> Decision:
        return Decision(self.cleaned_data["number"].strip(), self.cleaned_data["date"])

    def exemption(self) -> QuotaExemption | None:
        reason = self.cleaned_data["exception_reason"].strip()
        return QuotaExemption(reason, self.decision()) if reason else None


class AppraisalForm(forms.Form):
    """One action of the superior on one result: approve, adjust, return or re-open."""

    ACTIONS = (
        ("approve", _("Thống nhất")),
        ("adjust", _("Điều chỉnh")),
        ("return", _("Trả lại bước trước")),
        ("reopen", _("Mở lại kết quả")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    level = forms.TypedChoiceField(
        label=_("Mức điều chỉnh"), choices=Level.choices, coerce=int, required=False
    )
    reason = forms.CharField(label=_("Lý do, ý kiến"), required=False, max_length=2000)


class UnitReviewForm(ReportForm):
    """The report of an organisation's or a collective's committee (Mẫu 01); all optional
    while it is a draft (submission checks). What lies below the unit is computed, not here."""

    tasks_done = percent(_("% chỉ tiêu, nhiệm vụ hoàn thành"))
    tasks_late = percent(_("% chỉ tiêu, nhiệm vụ chậm tiến độ"))
    tasks_exceeded = percent(_("% chỉ tiêu, nhiệm vụ vượt mức"))
    key_targets_missed = forms.TypedChoiceField(
        label=_("Chỉ tiêu chủ yếu"),
        choices=[("", _("Chưa ghi nhận")), ("no", _("Đạt")), ("yes", _("Không đạt"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    force_majeure = forms.BooleanField(
        label=_("Không hoàn thành do nguyên nhân bất khả kháng"), required=False
    )
    weaknesses_total = forms.IntegerField(
        label=_("Số hạn chế đã được chỉ ra phải khắc phục"), min_value=0, initial=0, required=False
    )
    weaknesses_fixed = forms.IntegerField(
        label=_("Số hạn chế đã khắc phục"), min_value=0, initial=0, required=False
    )
    level_self = forms.TypedChoiceField(
        label=_("Tập thể tự xếp loại"),
        choices=[("", "—"), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def task_fields(self) -> list[forms.BoundField]:
        names = ("tasks_done", "tasks_late", "tasks_exceeded", "key_targets_missed")
        return [self[name] for name in names]

    def data_for_action(self) -> UnitReviewData:
        c = self.cleaned_data
        return UnitReviewData(
            **self.report_data(),
            tasks_done=c["tasks_done"],
            tasks_late=c["tasks_late"] or Decimal(0),
            tasks_exceeded=c["tasks_exceeded"] or Decimal(0),
            key_targets_missed=c["key_targets_missed"],
            force_majeure=c["force_majeure"],
            weaknesses_total=c["weaknesses_total"] or 0,
            weaknesses_fixed=c["weaknesses_fixed"] or 0,
            level_self=Level(c["level_self"]) if c["level_self"] else None,
        )


class UnitProposalForm(forms.Form):
    """The advisory body's examination and proposed level."""

    level = forms.TypedChoiceField(label=_("Mức đề xuất"), choices=Level.choices, coerce=int)
    note = forms.CharField(
        label=_("Ý kiến thẩm định"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeerResultForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=PeerKind.choices)
    name = forms.CharField(label=_("Tên tổ chức"), max_length=255)
    level = forms.TypedChoiceField(label=_("Mức xếp loại"), choices=Level.choices, coerce=int)
    source = forms.CharField(label=_("Văn bản, quyết định xếp loại"), max_length=255)


class UnitInputForm(forms.Form):
    source = forms.CharField(label=_("Cơ quan, tổ chức nhận xét"), max_length=255)
    text = forms.CharField(
        label=_("Nội dung nhận xét"), max_length=8000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConclusionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kết luận"), choices=ConclusionKind.choices)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=64)
    document_date = forms.DateField(label=_("Ngày văn bản"), widget=DateInput())
    reason = forms.CharField(
        label=_("Nội dung kết luận"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeaderReviewForm(ReportForm):
    """A leader's report as a leader (Mẫu 2B): the report, their own tasks, self-level. The
    results of the units they lead are computed from those units' reviews, not here."""

    tasks_done = percent(_("% nhiệm vụ hoàn thành"))
    tasks_late = percent(_("% nhiệm vụ chậm tiến độ"))
    tasks_exceeded = percent(_("% nhiệm vụ vượt mức"))
    level_self = forms.TypedChoiceField(
        label=_("Tự xếp loại"),
        choices=[("", "—"), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def task_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("tasks_done", "tasks_late", "tasks_exceeded")]

    def data_for_action(self) -> ReportData:
        c = self.cleaned_data
        return ReportData(
            **self.report_data(),
            tasks_done=c["tasks_done"],
            tasks_late=c["tasks_late"] or Decimal(0),
            tasks_exceeded=c["tasks_exceeded"] or Decimal(0),
            level_self=Level(c["level_self"]) if c["level_self"] else None,
        )


class LeaderProposalForm(forms.Form):
    """The collective's meeting: its conclusion on the leader and the level it proposes."""

    level = forms.TypedChoiceField(label=_("Mức đề xuất"), choices=Level.choices, coerce=int)
    conclusion = forms.CharField(
        label=_("Kết luận của hội nghị kiểm điểm"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
