"""A report as plain data: what the JSON output is, and what every other format prints
(docs/report-json.md describes it)."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.cycles.models import Cycle, LeaderEvaluation, Level, Step, UnitEvaluationKind
from xeploai.members.models import PostTier
from xeploai.reviews.actions.leaders import SUBJECT as LEADERS
from xeploai.reviews.actions.units import unit_quota_standings
from xeploai.reviews.leaders import deciding_units, quota_group
from xeploai.reviews.models import QuotaException
from xeploai.rules import QuotaResult, Regime, check_quota
from xeploai.units.models import FieldType, Unit

from .changes import appraisal_changes
from .oversight import oversight
from .percent import shares, vietnamese
from .standings import Grassroots, grassroots, quota_standings, state_standings
from .stats import (
    POST_LEVEL_LABELS,
    POST_LEVELS,
    TIER_LABELS,
    Figures,
    Leaders,
    MemberFigures,
    Statistics,
    by_kind,
    kind_label,
    post_level,
    statistics,
    trend,
)

Labels = Counter[tuple[str, int]]  # (label, ordinal): how many


def report(unit: Unit, cycle: Cycle, *, decimals: int = 1) -> dict[str, Any]:
    """The whole report: its `figures`, and the quota groups, the state shares, the changes
    of the appraisal and the superiors' oversight, before the trends."""
    found = figures(unit, cycle, decimals=decimals)
    years = found.pop("trend")
    units = grassroots(unit, cycle) if cycle.regime != Regime.LEGACY else []
    return {
        **found,
        "quota_groups": quota_groups(unit, cycle, units),
        "state_shares": state_shares(cycle, units, decimals),
        "changes": appraisal_changes(unit, cycle),
        "oversight": oversight(unit, cycle),
        "trend": years,
    }


def figures(unit: Unit, cycle: Cycle, *, decimals: int = 1) -> dict[str, Any]:
    """What the report counts and its charts draw: the statistics of the whole and of each
    child, reconciled, and the trends."""
    stats = statistics(unit, cycle)
    years = trend(unit)
    every = [*stats.organisations.values()]
    every += [figures for year in years for figures in year.organisations.values()]
    plain = plain_labels(every)
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "superior": unit.parent.name if unit.parent else "",
        "cycle": {"year": cycle.year, "name": cycle.name, "regime": cycle.regime},
        "date": timezone.localdate().isoformat(),
        "decimals": decimals,
        "reconciled": stats.reconciled,
        "problems": stats.problems,
        **_block(stats.members, stats.organisations, stats.leaders, decimals, plain),
        "leader_posts": leader_posts(stats, decimals),
        "children": [
            {
                "unit": {"code": part.unit.code, "name": part.unit.name},
                "own": part.own,
                **_block(
                    part.members,
                    part.organisations,
                    part.leaders if stats.leaders is not None else None,
                    decimals,
                    plain,
                ),
            }
            for part in stats.parts
        ],
        "trend": [
            {
                "year": year.cycle.year,
                "regime": year.cycle.regime,
                **_block(year.members, year.organisations, year.leaders, decimals, plain),
                "organisations": _all_kinds(year.organisations, decimals, plain),
            }
            for year in years
        ],
    }


def _block(
    members: MemberFigures,
    organisations: dict[str, Figures],
    leaders: Leaders | None,
    decimals: int,
    plain: Mapping[int, str],
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
        "leaders": _leaders(leaders, decimals),
        "units": {
            kind: {
                "label": kind_label(kind),
                **_statuses(figures),
                **_distribution(figures, decimals, plain),
            }
            for kind, figures in by_kind(organisations).items()
        },
    }


def _leaders(leaders: Leaders | None, decimals: int) -> dict[str, Any] | None:
    """Leaders by their level as leaders, and the same people by their level as members;
    None where nobody was reviewed as a leader (earlier years, imported)."""
    if leaders is None:
        return None
    figures, members = leaders.levels, leaders.as_members
    return {
        "members": {**_statuses(figures), "good_or_better": figures.good_or_better},
        **_distribution(figures, decimals),
        "as_members": {
            "members": {**_statuses(members), "good_or_better": members.good_or_better},
            **_distribution(members, decimals),
        },
    }


def leader_posts(stats: Statistics, decimals: int) -> list[dict[str, Any]]:
    """The leaders by the level of their post's unit, each level with its sum and its tiers
    (head, deputies, members of the collective); empty where nobody was reviewed as a
    leader."""
    found = []
    for level, tiers in stats.leader_posts.items():
        summed = Leaders()
        for figures in tiers.values():
            summed += figures
        found.append(
            {
                "post_level": level,
                "label": str(POST_LEVEL_LABELS[level]),
                "leaders": _leaders(summed, decimals),
                "tiers": [
                    {
                        "tier": tier,
                        "label": str(TIER_LABELS[PostTier(tier)]),
                        "leaders": _leaders(figures, decimals),
                    }
                    for tier, figures in tiers.items()
                ],
            }
        )
    return found


def _all_kinds(
    organisations: dict[str, Figures], decimals: int, plain: Mapping[int, str]
) -> dict[str, Any]:
    """Organisations of every kind together."""
    every = Figures()
    for figures in organisations.values():
        every += figures
    return {"members": _statuses(every), **_distribution(every, decimals, plain)}


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


def _distribution(
    figures: Figures, decimals: int, plain: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """Each level's count and share of the classified; imported labels of earlier regimes by
    their own words and rank (R34). The printed shares add up to exactly 100.

    For organisations (`plain` given, see `plain_labels`), an exemplary result counts inside
    its rank's plain label ("33 trong sạch vững mạnh, trong đó 5 tiêu biểu"), and every level
    and label says how many of it are exemplary."""
    if not (figures.classified or any(figures.levels.values()) or any(figures.labels.values())):
        # Nothing to share out: every level and share is nought.
        nought = vietnamese(shares([0], decimals)[0], decimals)
        zero: dict[str, Any] = {"count": 0, "percent": nought}
        if plain is not None:
            zero["exemplary"] = 0
        return {"levels": {level.name: dict(zero) for level in Level}, "labels": []}
    grouped, exemplary = (figures.labels, None) if plain is None else _grouped(figures, plain)
    labels = sorted(grouped.items(), key=lambda item: (item[0][1], item[0][0]))
    counts = [figures.levels[level] for level in Level] + [n for _key, n in labels]
    printed = [vietnamese(p, decimals) for p in shares(counts, decimals)]
    levels: dict[str, dict[str, Any]] = {
        level.name: {"count": figures.levels[level], "percent": printed[i]}
        for i, level in enumerate(Level)
    }
    rows: list[dict[str, Any]] = [
        {"label": label, "ordinal": ordinal, "count": n, "percent": printed[len(Level) + i]}
        for i, ((label, ordinal), n) in enumerate(labels)
    ]
    if exemplary is not None:
        for level in Level:
            levels[level.name]["exemplary"] = figures.exemplary_levels[level]
        for row in rows:
            row["exemplary"] = exemplary[(row["label"], row["ordinal"])]
    return {"levels": levels, "labels": rows}


def plain_labels(populations: Iterable[Figures]) -> dict[int, str]:
    """For each rank, the words its exemplary organisations are counted under: the label of
    that rank most often given to results not marked exemplary (ties to the first in
    alphabetical order). The flag says which results are exemplary, never their words; a rank
    with no such label keeps the exemplary results' own words (R34)."""
    given: Labels = Counter()
    for figures in populations:
        given.update(figures.labels - figures.exemplary_labels)
    found: dict[int, str] = {}
    for (label, ordinal), _n in sorted(given.items(), key=lambda item: (-item[1], item[0][0])):
        found.setdefault(ordinal, label)
    return found


def _grouped(figures: Figures, plain: Mapping[int, str]) -> tuple[Labels, Labels]:
    """The labels with each exemplary result counted under the plain label of its rank, and
    how many of each label are exemplary."""
    labels: Labels = Counter()
    exemplary: Labels = Counter()
    for (label, ordinal), n in figures.labels.items():
        marked = figures.exemplary_labels[(label, ordinal)]
        if n > marked:
            labels[(label, ordinal)] += n - marked
        if marked:
            key = (plain.get(ordinal, label), ordinal)
            labels[key] += marked
            exemplary[key] += marked
    return labels, exemplary


def quota_groups(unit: Unit, cycle: Cycle, units: list[Grassroots]) -> list[dict[str, Any]]:
    """Every quota group under the unit (R26), breaches first: the members of each grassroots
    unit (`units`: `standings.grassroots`), then the organisations and the
    collectives each committee decides, by type of field, then the leaders each committee
    decides, by equivalent posts."""
    if cycle.regime == Regime.LEGACY:
        return []
    standings = quota_standings(cycle, units)
    unit_standings = unit_quota_standings(unit, cycle)
    leaders = leader_standings(unit, cycle)
    exceptions: dict[tuple[int, str, str], list[str]] = {}
    recorded = QuotaException.objects.filter(cycle=cycle, group__path__startswith=unit.path)
    for e in recorded.values("group_id", "subject", "field_type", "decision_number"):
        key = (e["group_id"], e["subject"], e["field_type"])
        exceptions.setdefault(key, []).append(e["decision_number"])
    kinds = {str(kind): str(kind.label) for kind in UnitEvaluationKind}
    fields = {str(field): str(field.label) for field in FieldType}
    of_field, of_kind = _("{unit}: {kind}, {field}"), _("{unit}: {kind}")
    rows = [
        {
            "subject": "members",
            "group": group.code,
            "name": group.name,
            "good": result.good,
            "excellent": result.excellent,
            "allowed": result.allowed,
            "breach": result.breach,
            "exceptions": exceptions.get((group.pk, "members", ""), []),
        }
        for group, result in standings
    ]
    rows += [
        {
            "subject": "units",
            "group": decider.code,
            "name": of_field.format(unit=decider.name, kind=kinds[kind], field=fields[field])
            if field
            else of_kind.format(unit=decider.name, kind=kinds[kind]),
            "kind": kind,
            "field_type": field,
            "good": result.good,
            "excellent": result.excellent,
            "allowed": result.allowed,
            "breach": result.breach,
            "exceptions": exceptions.get((decider.pk, kind, field), []),
        }
        for decider, (kind, field), result in unit_standings
    ]
    rows += [
        {
            "subject": LEADERS,
            "group": g.decider.code,
            "name": g.name(),
            "key": g.key,
            "tier": g.tier,
            "post_levels": g.post_levels,
            "good": g.result.good,
            "excellent": g.result.excellent,
            "allowed": g.result.allowed,
            "breach": g.result.breach,
            "exceptions": exceptions.get((g.decider.pk, LEADERS, g.key), []),
        }
        for g in leaders
    ]
    return sorted(rows, key=lambda r: -r["breach"])


@dataclasses.dataclass(frozen=True)
class LeaderGroup:
    """A quota group of leaders (R26): those a committee decides at equivalent posts, the
    same place in their collective at units of the same level (`reviews.leaders.quota_key`)."""

    decider: Unit
    key: str
    tier: int
    post_levels: list[str]  # the levels of the posts' units (`stats.POST_LEVELS`), in order
    result: QuotaResult

    def name(self) -> str:
        """As a report names it: "Đảng bộ huyện Yên Hòa: cấp trưởng, cấp xã / cơ sở"."""
        words = [
            *([str(TIER_LABELS[PostTier(self.tier)])] if self.tier else []),
            *(str(POST_LEVEL_LABELS[p]) for p in self.post_levels),
        ]
        return _("{unit}: {posts}").format(
            unit=self.decider.name, posts=", ".join(w[:1].lower() + w[1:] for w in words)
        )


def leader_standings(unit: Unit, cycle: Cycle) -> list[LeaderGroup]:
    """The quota of every group of leaders decided under `unit` (by it or below it), in tree
    order, in two queries: the leaders, then who decides them. Each counts at its latest
    level (final, decided, else proposed), as `reviews.actions.leaders.leader_quota` does."""
    rows = list(
        LeaderEvaluation.objects.filter(
            cycle=cycle, classified=True, unit_path__startswith=unit.path
        )
        .exclude(step=Step.NOT_REVIEWED)
        .values_list(
            "pk",
            "unit_path",
            "post__post_title__decided_levels_up",
            "tier",
            Coalesce("level_final", "level_decided", "level_proposed"),
            "unit__kind",
        )
    )
    by = deciding_units((pk, path, up) for pk, path, up, *_rest in rows)
    levels: dict[tuple[Unit, str], Counter[int]] = defaultdict(Counter)
    posts: dict[tuple[Unit, str], set[str]] = defaultdict(set)
    order: dict[tuple[Unit, str], tuple[str, int, int]] = {}
    for pk, path, _up, tier, level, kind in rows:
        decider = by[pk]
        if decider is None or level is None or not decider.path.startswith(unit.path):
            continue
        key = quota_group(tier, path, cycle.settings)
        group = (decider, key)
        levels[group][level] += 1
        posts[group].add(post_level(kind))
        order[group] = (decider.path, len(path), int(key.split("/")[0]))
    found = [
        LeaderGroup(
            decider,
            key,
            order[(decider, key)][2],
            [p for p in POST_LEVELS if p in posts[(decider, key)]],
            check_quota(
                f"{decider.code}/{LEADERS}/{key}",
                counted[Level.GOOD],
                counted[Level.EXCELLENT],
                cycle.settings,
            ),
        )
        for (decider, key), counted in levels.items()
    ]
    return sorted(found, key=lambda g: order[(g.decider, g.key)])


def state_shares(cycle: Cycle, units: list[Grassroots], decimals: int) -> list[dict[str, Any]]:
    """R28 for every grassroots unit under the unit that has civil servants in the review:
    its share of civil servants rated excellent by the state against its share of party
    members rated excellent (latest levels), the units where the first is higher first."""
    if cycle.regime == Regime.LEGACY:
        return []
    rows = []
    for s in state_standings(units):
        if not s.servants:
            continue
        state_share, party_share = s.printed(decimals)
        rows.append(
            {
                "group": s.unit.code,
                "name": s.unit.name,
                "civil_servants": s.servants,
                "rated": s.rated,
                "state_excellent": s.state_excellent,
                "state_share": state_share,
                "classified": s.classified,
                "party_excellent": s.party_excellent,
                "party_share": party_share,
                "exceeds": s.exceeds,
            }
        )
    return sorted(rows, key=lambda r: not r["exceeds"])
