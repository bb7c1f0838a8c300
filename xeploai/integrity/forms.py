from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 2000


class ExaminationForm(forms.Form):
    note = forms.CharField(
        label=_("Kết quả xem xét"),
        help_text=_("Đã xem xét thế nào, kết luận ra sao (không bắt buộc)."),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
