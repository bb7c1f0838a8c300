"""The import page's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


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
        if file.size > settings.IMPORT_UPLOAD_MAX_SIZE:
            raise forms.ValidationError(
                _("Tệp lớn hơn %(size)s: hãy chia thành nhiều tệp."),
                params={"size": filesizeformat(settings.IMPORT_UPLOAD_MAX_SIZE)},
            )
        return file
