"""The quota of EXCELLENT results within a group (R26-R27), as pure functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .levels import Level
from .regimes import QuotaBase, RegimeSettings, Rounding

_ROUNDING = {
    Rounding.FLOOR: ROUND_FLOOR,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.CEILING: ROUND_CEILING,
}


@dataclasses.dataclass(frozen=True)
class Proposal:
    """One subject's proposed level in a quota group; `rank` orders who drops first."""

    id: str
    level: Level
    rank: Decimal = Decimal(0)  # e.g. the score: the lowest-ranked EXCELLENT drops first


@dataclasses.dataclass(frozen=True)
class QuotaResult:
    group: str
    good: int
    excellent: int
    allowed: int  # the most EXCELLENT results the group may have
    breach: int  # how many EXCELLENT results are over `allowed`
    must_drop: int  # how many EXCELLENT proposals lowered to GOOD bring the group within quota
    drop: tuple[str, ...] = ()  # which proposals those are, when proposals were given

    @property
    def within(self) -> bool:
        return self.breach == 0


def allowed_excellent(good: int, excellent: int, settings: RegimeSettings) -> int:
    """R26: the most EXCELLENT results a group with these counts may have."""
    base = good + excellent if settings.quota_base is QuotaBase.GOOD_AND_ABOVE else good
    exact = Decimal(base) * settings.quota_percent / 100
    return int(exact.to_integral_value(rounding=_ROUNDING[settings.quota_rounding]))


def check_quota(group: str, good: int, excellent: int, settings: RegimeSettings) -> QuotaResult:
    """R26 for a group given by its counts."""
    allowed = allowed_excellent(good, excellent, settings)
    breach = max(0, excellent - allowed)
    must_drop = 0
    # Lowering an EXCELLENT proposal to GOOD also grows the denominator when it counts GOOD
    # only, so fewer may need to drop than the breach, never more.
    while excellent - must_drop > allowed_excellent(
        good + must_drop, excellent - must_drop, settings
    ):
        must_drop += 1
    return QuotaResult(group, good, excellent, allowed, breach, must_drop)


def check_proposals(
    group: str, proposals: Sequence[Proposal], settings: RegimeSettings
) -> QuotaResult:
    """R26-R27 for a group given by its proposals: also which would have to drop to GOOD."""
    good = sum(1 for p in proposals if p.level is Level.GOOD)
    excellent = [p for p in proposals if p.level is Level.EXCELLENT]
    result = check_quota(group, good, len(excellent), settings)
    lowest_first = sorted(excellent, key=lambda p: (p.rank, p.id))
    drop = tuple(p.id for p in lowest_first[: result.must_drop])
    return dataclasses.replace(result, drop=drop)
