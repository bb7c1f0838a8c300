from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save

# What a tally row is made of: a save that changes none of these leaves the tally as it is.
COUNTED = frozenset(
    {
        "status",
        "status_reason",
        "level_final",
        "level_decided",
        "level_proposed",
        "step",
        "label",
        "ordinal",
        "exemplary",
        "unit_path",
        "cell",
        "unit",
        "member",
        "kind",
    }
)


class ReportsConfig(AppConfig):
    name = "xeploai.reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self) -> None:
        from xeploai.cycles.models import Cycle, MemberEvaluation, UnitEvaluation
        from xeploai.members.models import Member, Post, StateResult
        from xeploai.units.models import Unit

        pre_save.connect(_cycle_saving, sender=Cycle, dispatch_uid="tally-cycle")
        for model in (MemberEvaluation, UnitEvaluation, Member, Post, StateResult, Unit):
            post_save.connect(_saved, sender=model, dispatch_uid=f"tally-save-{model.__name__}")
        for model in (MemberEvaluation, UnitEvaluation, Post, StateResult):
            post_delete.connect(
                _deleted, sender=model, dispatch_uid=f"tally-delete-{model.__name__}"
            )


def _saved(sender: type, instance: Any, update_fields: frozenset[str] | None, **kw: Any) -> None:
    from xeploai.cycles.models import MemberEvaluation, UnitEvaluation

    from .tally import touched

    counted = sender not in (MemberEvaluation, UnitEvaluation) or update_fields is None
    if counted or COUNTED & update_fields:  # type: ignore[operator]
        touched([instance])


def _cycle_saving(sender: type, instance: Any, **kw: Any) -> None:
    """New dates change who was probationary at the reference date, or held a post in the
    year: the cycle is counted again with them."""
    from xeploai.cycles.models import Cycle

    from .tally import rebuild

    dates = ("start", "end", "reference_date")
    before = Cycle.objects.filter(pk=instance.pk).values(*dates).first() if instance.pk else None
    if before is not None and any(before[d] != getattr(instance, d) for d in dates):
        rebuild([instance])


def _deleted(sender: type, instance: Any, **kw: Any) -> None:
    from .tally import touched

    touched([instance])
