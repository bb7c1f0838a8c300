"""Where a subtree stands in the review: counts per step, per direct sub-unit (the pending
dashboard)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count
from django.db.models.functions import Substr

from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.units.models import SEGMENT, Unit

# The steps that wait on someone, in order, then those that are done.
WAITING = (Step.SELF_REVIEW, Step.SUBMITTED, Step.PROPOSED, Step.DECIDED)
COLUMNS = (*WAITING, Step.APPRAISED, Step.PUBLISHED, Step.NOT_REVIEWED)


@dataclasses.dataclass
class Line:
    """One row of the dashboard: a unit (or the total) and its count at each step."""

    unit: Unit | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self, cycle: Cycle, today: dt.date) -> list[tuple[Step, int, bool]]:
        """(step, count, overdue) for each column."""
        return [
            (
                step,
                self.counts.get(step, 0),
                self.counts.get(step, 0) > 0 and cycle.is_overdue(step, today),
            )
            for step in COLUMNS
        ]


def standing(unit: Unit, cycle: Cycle) -> tuple[Line, list[Line]]:
    """The subtree's total and one line per direct sub-unit, in two queries' worth of work:
    counts grouped by the first path segment below `unit`."""
    width = (unit.depth + 2) * SEGMENT
    rows = (
        MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        .annotate(prefix=Substr("unit_path", 1, width))
        .values("prefix", "step")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_prefix: dict[str, dict[str, int]] = {}
    total: dict[str, int] = {}
    for row in rows:
        by_prefix.setdefault(row["prefix"], {})[row["step"]] = row["n"]
        total[row["step"]] = total.get(row["step"], 0) + row["n"]
    children = unit.children.order_by("path")
    lines = [Line(child, by_prefix.get(child.path, {})) for child in children]
    if unit.path in by_prefix:  # members of the unit itself (a cell)
        lines.insert(0, Line(unit, by_prefix[unit.path]))
    return Line(None, total), [line for line in lines if line.total]
