"""Every grassroots unit under a unit, as a report lists them: its members' quota (R26) and its
civil servants' share rated excellent by the state against its members' (R28).

Both are read from the grassroots units' own tally rows and roll-ups (the level a quota
counts, and whether a member is a civil servant in the review with which state result, are
among what the tally counts by), summed per unit in the database, so the cost grows with
the number of grassroots units under the unit, never with its members."""

from __future__ import annotations

import dataclasses

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from xeploai.cycles.models import Cycle, Level
from xeploai.members.models import StateLevel
from xeploai.reviews.state import StateStanding
from xeploai.rules import QuotaResult, check_quota
from xeploai.units.models import GRASSROOTS_KINDS, Unit

from .models import MEMBERS, Rollup, Tally


@dataclasses.dataclass
class Grassroots:
    """A grassroots unit's members by the level their quota counts, and its civil servants
    in the review by their state result of the year."""

    unit: Unit
    excellent: int = 0
    good: int = 0
    classified: int = 0  # with a level, as the levels stand now
    servants: int = 0
    rated: int = 0  # with a state result of the year
    state_excellent: int = 0


_SERVANT = Q(servant=True)
_SUMS = {
    "excellent": Q(latest=Level.EXCELLENT),
    "good": Q(latest=Level.GOOD),
    "classified": Q(latest__isnull=False),
    "servants": _SERVANT,
    "rated": _SERVANT & ~Q(state=""),
    "state_excellent": _SERVANT & Q(state=StateLevel.EXCELLENT),
}


def grassroots(unit: Unit, cycle: Cycle) -> list[Grassroots]:
    """Each grassroots unit under `unit` (itself included), in tree order, with its counts
    (two queries)."""
    units = Unit.objects.in_subtree(unit).filter(kind__in=GRASSROOTS_KINDS)
    found = {g.path: Grassroots(g) for g in units.only("path", "code", "name").order_by("path")}
    sums = {name: Coalesce(Sum("n", filter=q), 0) for name, q in _SUMS.items()}
    own, below = (
        model.objects.filter(cycle=cycle, subject=MEMBERS, unit_path__in=units.values("path"))
        .values("unit_path")
        .annotate(**sums)
        .order_by()
        for model in (Tally, Rollup)
    )
    for r in own.union(below, all=True):  # a grassroots cell's members are its own rows
        counts = found[r.pop("unit_path")]
        for name, n in r.items():
            setattr(counts, name, getattr(counts, name) + n)
    return list(found.values())


def quota_standings(cycle: Cycle, units: list[Grassroots]) -> list[tuple[Unit, QuotaResult]]:
    """The members' quota of each grassroots unit (R26), as a decision counts it."""
    return [(g.unit, check_quota(g.unit.code, g.good, g.excellent, cycle.settings)) for g in units]


def state_standings(units: list[Grassroots]) -> list[StateStanding]:
    """The state shares of each grassroots unit (R28), without names."""
    return [
        StateStanding(
            g.unit,
            servants=g.servants,
            rated=g.rated,
            state_excellent=g.state_excellent,
            classified=g.classified,
            party_excellent=g.excellent,
        )
        for g in units
    ]
