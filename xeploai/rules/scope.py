"""Who must comment on a member before the cell proposes a level (R7)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .engine import months_after
from .facts import Period


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
