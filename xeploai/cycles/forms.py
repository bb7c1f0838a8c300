"""Forms of evaluation records, shared by the pages and the import (STYLE.md 13)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xeploai.rules import Status
from xeploai.rules.legacy import parse_status, rank_label

SUBJECTS = [("MEMBER", _("Đảng viên")), ("ORGANISATION", _("Tổ chức"))]


class _PastResult(forms.Form):
    """A result of a past year in any regime's words: a level's label of any regime (R34) or
    a status with its reason."""

    year = forms.IntegerField(label=_("Năm"), min_value=1930)
    result = forms.CharField(label=_("Kết quả"), max_length=128)
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year >= timezone.localdate().year:
            raise forms.ValidationError(
                _("Chỉ nhập kết quả các năm đã qua; năm nay xếp loại qua các bước kiểm điểm.")
            )
        return year

    def clean_result(self) -> str:
        label: str = self.cleaned_data["result"]
        status = parse_status(label)
        if rank_label(label) is None and (status is None or status == Status.CLASSIFIED):
            raise forms.ValidationError(
                _(
                    "“{label}” không phải mức xếp loại hay tình trạng đã biết (ví dụ: Hoàn"
                    " thành tốt nhiệm vụ, Trong sạch vững mạnh, Miễn đánh giá)."
                ).format(label=label)
            )
        return label


class PastResultForm(_PastResult):
    """One result of a past year, for a member or an organisation."""

    subject = forms.ChoiceField(label=_("Đối tượng"), choices=SUBJECTS)
    code = forms.CharField(label=_("Mã"), max_length=32)
    cell_code = forms.CharField(label=_("Mã chi bộ"), max_length=32, required=False)
    field_order = ["year", "subject", "code", "result", "reason", "cell_code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        if data.get("subject") == "ORGANISATION" and data.get("cell_code"):
            self.add_error("cell_code", _("Chỉ ghi mã chi bộ cho kết quả của đảng viên."))
        return data


class LeaderResultForm(_PastResult):
    """One leader's result as a leader in a past year, at one of their leading posts (R32)."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    unit_code = forms.CharField(label=_("Mã đơn vị"), max_length=32)
    title = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    field_order = ["year", "member_code", "unit_code", "title", "result", "reason"]
