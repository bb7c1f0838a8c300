from __future__ import annotations

from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xeploai.units"
    verbose_name = "Tổ chức đảng"
