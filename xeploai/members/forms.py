"""Forms of members' records, shared by the pages and the import (STYLE.md 13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Discipline, Member, Post, StateResult, StatusPeriod, Transfer

EARLIEST_BIRTH = dt.date(1900, 1, 1)  # before it, a birth date is a typing slip


class MemberForm(forms.ModelForm[Member]):
    """A member's identity and membership; their cell is given by its code."""

    cell_code = forms.CharField(label=_("Mã chi bộ"), max_length=32)

    class Meta:
        model = Member
        fields = [
            "code",
            "full_name",
            "birth_date",
            "gender",
            "citizen_id",
            "admitted",
            "full_member_since",
            "in_political_system",
            "civil_servant",
            "left",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        today = timezone.localdate()
        for field in ("birth_date", "admitted", "full_member_since", "left"):
            if data.get(field) and data[field] > today:
                self.add_error(field, _("Ngày không thể sau hôm nay."))
        birth, admitted = data.get("birth_date"), data.get("admitted")
        if birth and birth < EARLIEST_BIRTH:
            self.add_error("birth_date", _("Ngày sinh không thể trước năm 1900."))
        if birth and admitted and admitted.year - birth.year < 18:
            self.add_error("admitted", _("Vào Đảng khi chưa đủ 18 tuổi."))
        full = data.get("full_member_since")
        if full and admitted and full < admitted:
            self.add_error("full_member_since", _("Ngày chính thức trước ngày vào Đảng."))
        left = data.get("left")
        if left and admitted and left < admitted:
            self.add_error("left", _("Ngày ra khỏi Đảng trước ngày vào Đảng."))
        citizen_id = data.get("citizen_id")
        if citizen_id and not (
            len(citizen_id) == 12 and citizen_id.isascii() and citizen_id.isdigit()
        ):
            self.add_error("citizen_id", _("Số CCCD phải gồm 12 chữ số."))
        elif "citizen_id" in data:  # not when refused: add_error took it out
            data["citizen_id"] = citizen_id or None
        return data


def _not_future(form: forms.BaseForm, data: dict[str, Any], *fields: str) -> None:
    today = timezone.localdate()
    for field in fields:
        if data.get(field) and data[field] > today:
            form.add_error(field, _("Ngày không thể sau hôm nay."))


def _ends_after_start(form: forms.BaseForm, data: dict[str, Any]) -> None:
    if data.get("start") and data.get("end") and data["end"] < data["start"]:
        form.add_error("end", _("Ngày kết thúc trước ngày bắt đầu."))


class StatusPeriodForm(forms.ModelForm[StatusPeriod]):
    """A dated status of the member given by code; a temporary cell by its code."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    temporary_cell_code = forms.CharField(
        label=_("Mã chi bộ sinh hoạt tạm thời"), max_length=32, required=False
    )

    class Meta:
        model = StatusPeriod
        fields = ["kind", "start", "end", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        _not_future(self, data, "start")
        _ends_after_start(self, data)
        if data.get("kind") == "TEMPORARY" and not data.get("temporary_cell_code"):
            self.add_error(
                "temporary_cell_code", _("Sinh hoạt tạm thời phải ghi chi bộ sinh hoạt tạm thời.")
            )
        return data


class TransferForm(forms.ModelForm[Transfer]):
    """A move between cells, the cells given by their codes."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    from_cell_code = forms.CharField(label=_("Từ chi bộ"), max_length=32, required=False)
    to_cell_code = forms.CharField(label=_("Đến chi bộ"), max_length=32)

    class Meta:
        model = Transfer
        fields = ["from_outside", "date", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        _not_future(self, data, "date")
        if data.get("from_cell_code") and data.get("from_outside"):
            self.add_error(
                "from_outside",
                _("Chỉ ghi chi bộ cũ hoặc đảng bộ ngoài hệ thống, không ghi cả hai."),
            )
        if data.get("from_cell_code") and data["from_cell_code"] == data.get("to_cell_code"):
            self.add_error("to_cell_code", _("Chi bộ đến trùng chi bộ đi."))
        return data


class DisciplineRecordForm(forms.ModelForm[Discipline]):
    """A discipline decision; the unit at the time of the violation given by its code."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    violation_unit_code = forms.CharField(label=_("Mã đơn vị khi vi phạm"), max_length=32)
    counted_in_year = forms.IntegerField(
        label=_("Đã tính khi xếp loại năm"), required=False, min_value=1930
    )

    class Meta:
        model = Discipline
        fields = ["form", "decided", "decision_number", "violated", "reason", "self_remedied"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        _not_future(self, data, "decided", "violated")
        if data.get("violated") and data.get("decided") and data["decided"] < data["violated"]:
            self.add_error("decided", _("Ngày quyết định trước ngày vi phạm."))
        return data


class PostForm(forms.ModelForm[Post]):
    """A post the member holds in the unit given by its code."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)
    unit_code = forms.CharField(label=_("Mã đơn vị"), max_length=32)
    # The title (chức danh) by its name in the list offices keep (`PostTitle`).
    post_title_name = forms.CharField(label=_("Chức danh"), max_length=128, required=False)

    class Meta:
        model = Post
        fields = ["kind", "title", "organisation", "leader", "head", "start", "end"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        _not_future(self, data, "start")
        _ends_after_start(self, data)
        return data


class StateResultForm(forms.ModelForm[StateResult]):
    """A civil servant's level in the state evaluation of a year, with its decision."""

    member_code = forms.CharField(label=_("Mã đảng viên"), max_length=32)

    class Meta:
        model = StateResult
        fields = ["year", "level", "decision_number", "decision_date"]
        widgets = {"decision_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        _not_future(self, data, "decision_date")
        year, date = data.get("year"), data.get("decision_date")
        if year is not None and not 2015 <= year <= timezone.localdate().year:
            self.add_error("year", _("Năm đánh giá không hợp lệ."))
        elif year is not None and date is not None and date.year < year:
            self.add_error("decision_date", _("Ngày quyết định trước năm được đánh giá."))
        return data
