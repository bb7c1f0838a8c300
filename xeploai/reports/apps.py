from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

# What a tally row is made of: a save that changes none of these leaves the tally as it is.
COUNTED = frozenset(
    {"status", "status_reason", "level_final", "label", "ordinal", "unit_path", "cell", "unit"}
)


class ReportsConfig(AppConfig):
    name = "xeploai.reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self) -> None:
        from xeploai.cycles.models import MemberEvaluation, UnitEvaluation
        from xeploai.members.models import Member, Post
        from xeploai.units.models import Unit

        for model in (MemberEvaluation, UnitEvaluation, Member, Post, Unit):
            post_save.connect(_saved, sender=model, dispatch_uid=f"tally-save-{model.__name__}")
        for model in (MemberEvaluation, UnitEvaluation, Post):
            post_delete.connect(
                _deleted, sender=model, dispatch_uid=f"tally-delete-{model.__name__}"
            )


def _saved(sender: type, instance: Any, update_fields: frozenset[str] | None, **kw: Any) -> None:
    from xeploai.cycles.models import MemberEvaluation, UnitEvaluation

    from .tally import touched

    counted = sender not in (MemberEvaluation, UnitEvaluation) or update_fields is None
    if counted or COUNTED & update_fields:  # type: ignore[operator]
        touched([instance])


def _deleted(sender: type, instance: Any, **kw: Any) -> None:
    from .tally import touched

    touched([instance])
