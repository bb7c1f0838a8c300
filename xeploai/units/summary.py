"""Counts shown beside units in the tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from xeploai.members.models import CellCount

from .models import SEGMENT, Unit


def with_counts(units: Iterable[Unit]) -> list[Unit]:
    """The units, each with `member_count` (current members of its subtree) and
    `child_count`, in one query per tree depth present plus one."""
    units = list(units)
    by_path = {u.path: u for u in units}
    by_width: dict[int, list[str]] = defaultdict(list)
    for unit in units:
        unit.member_count = 0  # type: ignore[attr-defined]
        unit.child_count = 0  # type: ignore[attr-defined]
        by_width[len(unit.path)].append(unit.path)
    for width, paths in by_width.items():
        # Siblings share their parent's prefix: one range scan instead of one per unit.
        parents = {p[: width - SEGMENT] for p in paths}
        prefixes = parents if len(parents) < len(paths) else set(paths)
        condition = Q(pk__in=[])
        for prefix in prefixes:
            condition |= Q(cell__path__startswith=prefix)
        # Each cell's count, which the database keeps (`CellCount`): the cells of the
        # subtree are read, not its members.
        rows = (
            CellCount.objects.filter(condition)
            .annotate(prefix=Substr("cell__path", 1, width))
            .values("prefix")
            .annotate(n=Sum("n"))
        )
        for row in rows:
            if row["prefix"] in by_path:
                by_path[row["prefix"]].member_count = row["n"]  # type: ignore[attr-defined]
    if units:
        children = (
            Unit.objects.filter(parent__in=units).values("parent__path").annotate(n=Count("id"))
        )
        for row in children:
            by_path[row["parent__path"]].child_count = row["n"]  # type: ignore[attr-defined]
    return units
