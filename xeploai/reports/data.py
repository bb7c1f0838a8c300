"""A report as plain data: what the JSON output is, and what every other format prints
(docs/report-json.md describes it)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xeploai.cycles.models import Cycle, Level
from xeploai.reviews.actions import quota_standings
from xeploai.reviews.models import QuotaException
from xeploai.rules import Regime
from xeploai.units.models import Unit, UnitKind

from .changes import appraisal_changes
from .percent import shares, vietnamese
from .stats import Figures, MemberFigures, Statistics, statistics, trend


def report(unit: Unit, cycle: Cycle, *, decimals: int = 1) -> dict[str, Any]:
    stats = statistics(unit, cycle)
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "superior": unit.parent.name if unit.parent else "",
        "cycle": {"year": cycle.year, "name": cycle.name, "regime": cycle.regime},
        "date": timezone.localdate().isoformat(),
        "decimals": decimals,
        "reconciled": stats.reconciled,
        "problems": stats.problems,
        **_block(stats.members, stats.organisations, stats.leaders, decimals),
        "children": [
            {
                "unit": {"code": part.unit.code, "name": part.unit.name},
                "own": part.own,
                **_block(part.members, part.organisations, part.leaders, decimals),
            }
            for part in stats.parts
        ],
        "quota_groups": quota_groups(stats),
        "changes": appraisal_changes(unit, cycle),
        "trend": [
            {
                "year": year.cycle.year,
                "regime": year.cycle.regime,
                **_block(year.members, year.organisations, year.leaders, decimals),
                "organisations": _all_kinds(year.organisations, decimals),
            }
            for year in trend(unit)
        ],
    }


def _block(
    members: MemberFigures, organisations: dict[str, Figures], leaders: Figures, decimals: int
) -> dict[str, Any]:
    return {
        "members": {
            **_statuses(members),
            "full": members.full,
            "probationary": members.probationary,
            "good_or_better": members.good_or_better,
            "good_or_better_percent": _share(members.good_or_better, members.classified, decimals),
        },
        **_distribution(members, decimals),
        "leaders": {
            "members": {**_statuses(leaders), "good_or_better": leaders.good_or_better},
            **_distribution(leaders, decimals),
        },
        "units": {
            kind: {
                "label": str(UnitKind(kind).label),
                **_statuses(figures),
                **_distribution(figures, decimals),
            }
            for kind, figures in organisations.items()
        },
    }


def _all_kinds(organisations: dict[str, Figures], decimals: int) -> dict[str, Any]:
    """Organisations of every kind together."""
    every = Figures()
    for figures in organisations.values():
        every += figures
    return {"members": _statuses(every), **_distribution(every, decimals)}


def _share(part: int, whole: int, decimals: int) -> str:
    return vietnamese(shares([part, whole - part], decimals)[0], decimals)


def _statuses(figures: Figures) -> dict[str, Any]:
    return {
        "total": figures.total,
        "exempt": sum(figures.exempt.values()),
        "exempt_by_reason": dict(sorted(figures.exempt.items())),
        "pending": sum(figures.pending.values()),
        "pending_by_reason": dict(sorted(figures.pending.items())),
        "not_classified_new": figures.not_classified_new,
        "classified": figures.classified,
    }


def _distribution(figures: Figures, decimals: int) -> dict[str, Any]:
    """Each level's count and share of the classified; imported labels of earlier regimes by
    their own words and rank (R34). The printed shares add up to exactly 100."""
    labels = sorted(figures.labels.items(), key=lambda item: (item[0][1], item[0][0]))
    counts = [figures.levels[level] for level in Level] + [n for _key, n in labels]
    printed = [vietnamese(p, decimals) for p in shares(counts, decimals)]
    return {
        "levels": {
            level.name: {"count": figures.levels[level], "percent": printed[i]}
            for i, level in enumerate(Level)
        },
        "labels": [
            {"label": label, "ordinal": ordinal, "count": n, "percent": printed[len(Level) + i]}
            for i, ((label, ordinal), n) in enumerate(labels)
        ],
    }


def quota_groups(stats: Statistics) -> list[dict[str, Any]]:
    """Every quota group under the unit (R26), breaches first."""
    if stats.cycle.regime == Regime.LEGACY:
        return []
    standings = quota_standings(stats.unit, stats.cycle)
    exceptions: dict[int, list[str]] = {}
    for e in QuotaException.objects.filter(cycle=stats.cycle, group__in=[g for g, _r in standings]):
        exceptions.setdefault(e.group_id, []).append(e.decision_number)
    rows = [
        {
            "group": group.code,
            "name": group.name,
            "good": result.good,
            "excellent": result.excellent,
            "allowed": result.allowed,
            "breach": result.breach,
            "exceptions": exceptions.get(group.pk, []),
        }
        for group, result in standings
    ]
    return sorted(rows, key=lambda r: -r["breach"])
