from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xeploai.reports"
    verbose_name = "Báo cáo, thống kê"
