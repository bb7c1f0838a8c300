"""Forms of members' records, shared by the pages and the import (STYLE.md 13)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Member


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
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        today = timezone.localdate()
        for field in ("birth_date", "admitted", "full_member_since"):
            if data.get(field) and data[field] > today:
                self.add_error(field, _("Ngày không thể sau hôm nay."))
        birth, admitted = data.get("birth_date"), data.get("admitted")
        if birth and admitted and admitted.year - birth.year < 18:
            self.add_error("admitted", _("Vào Đảng khi chưa đủ 18 tuổi."))
        full = data.get("full_member_since")
        if full and admitted and full < admitted:
            self.add_error("full_member_since", _("Ngày chính thức trước ngày vào Đảng."))
        citizen_id = data.get("citizen_id")
        if citizen_id and (not citizen_id.isdigit() or len(citizen_id) != 12):
            self.add_error("citizen_id", _("Số CCCD phải gồm 12 chữ số."))
        data["citizen_id"] = citizen_id or None
        return data
