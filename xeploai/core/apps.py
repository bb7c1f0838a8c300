from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    name = "xeploai.core"
    verbose_name = _("Dùng chung")
    default = True  # this module holds another app's configuration too (TasksConfig)

    def ready(self) -> None:
        from django.utils.translation import gettext

        from xeploai.rules import i18n

        from . import db  # noqa: F401  (registers the SQLite collation)

        # The engine's sentences follow the language of the request.
        i18n.use(gettext)


class TasksConfig(TasksAppConfig):
    """django_tasks_db under a Vietnamese heading in the admin; its model and fields are named
    in Vietnamese by this app's catalogue (locale/vi), which keeps their English msgids, so
    that its migrations see no change."""

    verbose_name = _("Tác vụ nền")  # type: ignore[assignment]  # a str there, lazy here
