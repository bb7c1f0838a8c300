"""Forms of the tree, shared by the pages and the import (STYLE.md 13)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Unit


class UnitForm(forms.ModelForm[Unit]):
    """A unit's own fields; where it sits in the tree is given by its parent's code."""

    parent_code = forms.CharField(label=_("Mã đơn vị cấp trên"), required=False, max_length=32)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "field_type", "founded", "closed"]

    def clean_founded(self) -> Any:
        founded = self.cleaned_data["founded"]
        if founded and founded > timezone.localdate():
            raise forms.ValidationError(_("Ngày thành lập không thể sau hôm nay."))
        return founded

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        if data.get("parent_code") and data["parent_code"] == data.get("code"):
            self.add_error("parent_code", _("Đơn vị không thể là cấp trên của chính nó."))
        return data
