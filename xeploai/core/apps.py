from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xeploai.core"
    verbose_name = "Dùng chung"

    def ready(self) -> None:
        from . import db  # noqa: F401  (registers the SQLite collation and function)
