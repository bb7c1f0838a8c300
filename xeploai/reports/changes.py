"""How many results the levels above the cell changed (DOMAIN.md 5): from the level history
(R33), per deciding or appraising unit, from which level to which, with their reasons."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, F

from xeploai.cycles.models import Cycle, Level
from xeploai.reviews.models import Action, LevelChange
from xeploai.units.models import Unit

CHANGING = (Action.DECIDE, Action.ADJUST)  # the grassroots decision, the superior's appraisal


def appraisal_changes(unit: Unit, cycle: Cycle) -> dict[str, Any]:
    changes = (
        LevelChange.objects.filter(
            evaluation__cycle=cycle,
            evaluation__unit_path__startswith=unit.path,
            action__in=CHANGING,
            level_from__isnull=False,
            level_to__isnull=False,
        )
        .exclude(level_from=F("level_to"))
        .order_by()
    )
    key = ("unit__path", "unit__code", "unit__name", "action", "level_from", "level_to")
    reasons: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for *k, reason in changes.values_list(*key, "reason").distinct().order_by(*key, "reason"):
        if reason:
            reasons[tuple(k)].append(reason)
    rows = [
        {
            "unit": {"code": r["unit__code"], "name": r["unit__name"]},
            "action": r["action"],
            "from": Level(r["level_from"]).name,
            "to": Level(r["level_to"]).name,
            "count": r["n"],
            "reasons": reasons[tuple(r[k] for k in key)],
        }
        for r in changes.values(*key).annotate(n=Count("evaluation", distinct=True)).order_by(*key)
    ]
    return {
        "results_changed": changes.values("evaluation").distinct().count(),
        "rows": rows,
    }
