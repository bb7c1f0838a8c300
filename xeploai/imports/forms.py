"""The import page's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS

MAX_BYTES = 500 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại dữ liệu"), choices=[(k.name, k.title) for k in KINDS.values()]
    )
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, không ghi"), required=False)

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if file.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 500 MB: hãy chia thành nhiều tệp."))
        return file
