"""Forms of the tree, shared by the pages and the import (STYLE.md 13)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import FieldType, Unit, UnitKind

# The kinds whose organisations are grouped by type of field for the quota (R26): grassroots
# units and those below them. Units above (province, district, bloc...) are not.
TYPED_KINDS = (
    UnitKind.GRASSROOTS_COMMITTEE,
    UnitKind.GRASSROOTS_CELL,
    UnitKind.PARTIAL_COMMITTEE,
    UnitKind.CELL,
)


class UnitForm(forms.ModelForm[Unit]):
    """A unit's own fields; where it sits in the tree is given by its parent's code. A type
    of field is required from the grassroots level down, and "Khác" when left out above."""

    parent_code = forms.CharField(label=_("Mã đơn vị cấp trên"), required=False, max_length=32)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "field_type", "founded", "closed"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field_type"].required = False  # it depends on the kind: see clean()

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
        if not data.get("field_type") and "field_type" not in self.errors:
            if data.get("kind") in TYPED_KINDS:
                self.add_error(
                    "field_type",
                    _(
                        "Cần có loại hình: tổ chức cơ sở đảng và các tổ chức trực thuộc được"
                        " nhóm theo loại hình khi xét tỷ lệ xếp loại."
                    ),
                )
            elif data.get("kind"):
                data["field_type"] = FieldType.OTHER
        return data
