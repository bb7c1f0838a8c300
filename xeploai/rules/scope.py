"""Who is in a cycle's scope (R2), and who must comment on a member before the cell proposes
a level (R7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from .facts import Exemption, Period
from .regimes import ExemptBasis
from .spans import months_after, union_within


def exemption_for(
    exemptions: Sequence[Exemption], period: Period, basis: ExemptBasis
) -> Exemption | None:
    """R2: the exemption that takes a member out of `period` under `basis`, or None.

    `ANY_PART`: any exemption overlapping the period; `WHOLE_PERIOD`: only when exemptions
    together cover every day of it; `REFERENCE_DATE`: the one in force on the reference date.
    The exemption returned is the one a reason names: the latest to start.
    """
    if basis is ExemptBasis.REFERENCE_DATE:
        day = period.reference_date
        in_force = [e for e in exemptions if e.start <= day <= e.last_day(day)]
        return max(in_force, key=lambda e: e.start, default=None)
    overlapping = [
        e for e in exemptions if e.start <= period.end and e.last_day(period.end) >= period.start
    ]
    if basis is ExemptBasis.WHOLE_PERIOD:
        whole = [(period.start, period.end)]
        if union_within(overlapping, period.start, period.end) != whole:
            return None
    return max(overlapping, key=lambda e: e.start, default=None)


@dataclasses.dataclass(frozen=True)
class Stay:
    """A stretch of the evaluation period spent in a cell other than the classifying one."""

    cell: str
    start: dt.date
    end: dt.date
    temporary: bool = False  # temporary membership (sinh hoạt tạm thời)


def required_cell_comments(
    stays: tuple[Stay, ...], period: Period, min_months: int = 6
) -> tuple[str, ...]:
    """R7: the cells whose comment is a required input for a member.

    The member is classified by their current, official cell; an old cell where they spent
    at least `min_months` of the period comments, and so does every temporary cell.
    """
    required: list[str] = []
    for stay in stays:
        start, end = max(stay.start, period.start), min(stay.end, period.end)
        long_enough = end >= start and months_after(start, min_months) <= end
        if (stay.temporary or long_enough) and stay.cell not in required:
            required.append(stay.cell)
    return tuple(required)
