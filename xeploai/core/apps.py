from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xeploai.core"
    verbose_name = "Dùng chung"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from xeploai.rules import i18n

        from . import db  # noqa: F401  (registers the SQLite collation)

        # The engine's sentences follow the language of the request.
        i18n.use(gettext)
