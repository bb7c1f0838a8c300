from __future__ import annotations

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "xeploai.oversight"
    verbose_name = "Gợi ý, dự và chỉ đạo kiểm điểm"
