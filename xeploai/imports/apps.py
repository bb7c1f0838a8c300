from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "xeploai.imports"
    verbose_name = "Nhập dữ liệu"
