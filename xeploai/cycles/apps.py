from __future__ import annotations

from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "xeploai.cycles"
    verbose_name = "Kỳ đánh giá"
