"""The state evaluation beside the party's, as a grassroots unit's decision sees it: which of
its civil servants have no state result yet (R12, R17: it is due before the decision), and its
share of civil servants rated excellent by the state against its share of party members rated
excellent (R28, a state rule shown as a warning). Counted in grouped queries, whatever the size
of the unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.members.models import StateLevel, StateResult
from xeploai.reports.percent import vietnamese
from xeploai.units.models import Unit

from .actions.decision import LATEST_LEVEL


@dataclasses.dataclass
class StateStanding:
    """One grassroots unit's civil servants in the state evaluation, beside its members."""

    unit: Unit
    servants: int = 0  # civil servants in the review this cycle
    rated: int = 0  # of them, with a state result of the year
    state_excellent: int = 0
    classified: int = 0  # members with a level, as the levels stand now
    party_excellent: int = 0
    missing: list[str] = dataclasses.field(default_factory=list)  # names, when asked for

    @property
    def state_share(self) -> Decimal | None:
        return _share(self.state_excellent, self.rated)

    @property
    def party_share(self) -> Decimal | None:
        return _share(self.party_excellent, self.classified)

    @property
    def exceeds(self) -> bool:
        """R28: more of its civil servants excellent, in share, than of its party members."""
        state, party = self.state_share, self.party_share
        return state is not None and state > (party or Decimal(0))

    def printed(self, decimals: int = 1) -> tuple[str, str]:
        """The two shares as offices print them ("12,5 %"), "—" where nothing is counted."""
        return tuple(  # type: ignore[return-value]
            vietnamese(s.quantize(Decimal(1).scaleb(-decimals)), decimals) if s is not None else "—"
            for s in (self.state_share, self.party_share)
        )


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * 100 / whole if whole else None


def _in_review(cycle: Cycle, unit: Unit) -> QuerySet[MemberEvaluation]:
    return (
        MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        .exclude(step=Step.NOT_REVIEWED)
        .order_by()
    )


def _state_level(cycle: Cycle) -> Subquery:
    of_year = StateResult.objects.filter(member=OuterRef("member"), year=cycle.year)
    return Subquery(of_year.values("level")[:1])


def state_standing(group: Unit, cycle: Cycle) -> StateStanding:
    """The grassroots unit's standing, with the names of the civil servants not rated yet
    (two queries)."""
    standing = StateStanding(group)
    party = _in_review(cycle, group).annotate(latest=LATEST_LEVEL).values("latest")
    count_party(standing, party.annotate(n=Count("id")))
    servants = (
        _in_review(cycle, group)
        .filter(member__civil_servant=True)
        .annotate(state=_state_level(cycle))
        .order_by("member__full_name")
        .values_list("member__full_name", "state")
    )
    for name, level in servants:
        count_state(standing, level, 1)
        if level is None:
            standing.missing.append(name)
    return standing


def count_party(standing: StateStanding, rows: Iterable[dict[str, Any]]) -> None:
    for r in rows:
        standing.classified += r["n"] if r["latest"] is not None else 0
        standing.party_excellent += r["n"] if r["latest"] == Level.EXCELLENT else 0


def count_state(standing: StateStanding, level: str | None, n: int) -> None:
    standing.servants += n
    if level is not None:
        standing.rated += n
        standing.state_excellent += n if level == StateLevel.EXCELLENT else 0


__all__ = ["StateStanding", "count_party", "count_state", "state_standing"]
