from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "xeploai.reviews"
    verbose_name = "Kiểm điểm, xếp loại"
