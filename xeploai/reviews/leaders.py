"""Leaders as the rules see them (DOMAIN.md 3-4, R10, R16, R20, R26, R30, R32): where each
is reviewed and classified, who decides their level, and the facts their review rests on,
computed from the reviews of the units they lead, never typed by the leader.

A member holding leading posts is reviewed as a leader in the collective of each post's unit
and classified where the post is highest: at the higher unit, then by the post's rank
(`members.PostTitle`, reference data). Their level is decided by the committee that manages
the cadre: counted from the post's unit, the `decided_levels_up`-th committee above it that
decides (1, the directly superior one, unless the title says otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from django.db.models import Q

from xeploai.core.text import search_key
from xeploai.cycles.models import Cycle, LeaderEvaluation, Step, UnitEvaluation
from xeploai.cycles.models import UnitEvaluationKind as Kind
from xeploai.cycles.rules import Records, member_records, unit_tasks
from xeploai.members.models import Member, Post, PostKind
from xeploai.rules import LeaderGroup, Level, MemberFacts, RegimeSettings, Verdict, classify_member
from xeploai.units.models import SEGMENT, Unit, UnitKind

from .models import PeerKind, PeerResult
from .sheets import Form, form_for

# Steps at which a unit's level is final for the head it caps (R16), as for the ordering of R30.
FINAL_STEPS = (Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)


def leading_posts(members: Iterable[int], cycle: Cycle) -> list[Post]:
    """The leading posts these members hold at the cycle's reference date."""
    day = cycle.reference_date
    return list(
        Post.objects.filter(member_id__in=list(members), leader=True, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("unit", "post_title")
        .order_by("member_id", "pk")
    )


def highest(posts: Iterable[Post]) -> Post:
    """The post a leader is classified at (R32): at the higher unit, then the higher rank."""
    return min(posts, key=lambda p: (p.unit.depth, p.rank, p.start, p.pk))


def placed(posts: Iterable[Post]) -> dict[int, Post]:
    """Each member's highest post, by member id."""
    by_member: dict[int, list[Post]] = {}
    for post in posts:
        by_member.setdefault(post.member_id, []).append(post)
    return {member: highest(held) for member, held in by_member.items()}


# --- Who decides -----------------------------------------------------------------------------


def deciders(evaluations: Iterable[LeaderEvaluation]) -> dict[int, Unit | None]:
    """The committee that decides each leader's level, by evaluation id, read in one query:
    the deciding committees above the post's unit (partial committees do not decide),
    counted up as the post's title says."""
    return deciding_units(
        (e.pk, e.unit_path, e.post.post_title.decided_levels_up if e.post.post_title else None)
        for e in evaluations
    )


def deciding_units(leaders: Iterable[tuple[int, str, int | None]]) -> dict[int, Unit | None]:
    """`deciders` of (evaluation id, the post's unit path, the title's `decided_levels_up`,
    None without a title), for a caller that reads these alone rather than evaluations."""
    leaders = list(leaders)
    paths = {
        path[:end]
        for _pk, path, _up in leaders
        for end in range(SEGMENT, len(path), SEGMENT)  # the ancestors, not the unit
    }
    above = {
        u.path: u
        for u in Unit.objects.filter(path__in=paths).exclude(kind=UnitKind.PARTIAL_COMMITTEE)
    }
    found: dict[int, Unit | None] = {}
    for pk, path, levels_up in leaders:
        chain = [
            above[path[:end]]
            for end in range(len(path) - SEGMENT, 0, -SEGMENT)
            if path[:end] in above
        ]
        up = 1 if levels_up is None else levels_up
        found[pk] = chain[up - 1] if len(chain) >= up else None
    return found


def decider_of(evaluation: LeaderEvaluation) -> Unit | None:
    """The committee that decides the leader's level, read once per instance."""
    if "_decider" not in evaluation.__dict__:
        evaluation.__dict__["_decider"] = deciders([evaluation])[evaluation.pk]
    found: Unit | None = evaluation.__dict__["_decider"]
    return found


def leader_form(evaluation: LeaderEvaluation) -> Form:
    """The leader's report and score sheet (Mẫu 2B under QD366): the framework for the cadres
    the centre manages where the committee deciding them is the centre's, as the forms' data
    say."""
    decider = decider_of(evaluation)
    return form_for(
        evaluation.cycle.settings.regime,
        leader=True,
        in_political_system=evaluation.member.in_political_system,
        central=decider is not None and decider.kind == UnitKind.CENTRE,
    )


def quota_key(evaluation: LeaderEvaluation, settings: RegimeSettings) -> str:
    """The leader's quota group within the committee that decides them (R26), "tier/depth":
    equivalent posts (the same place in their collective) at units of the same level, or,
    where the regime groups by level alone, every leader there (tier 0)."""
    return quota_group(evaluation.tier, evaluation.unit_path, settings)


def quota_group(tier: int, unit_path: str, settings: RegimeSettings) -> str:
    """`quota_key` of a leader at a post of this tier in the unit at this path."""
    tier = tier if settings.leader_quota_group == LeaderGroup.POST else 0
    return f"{tier}/{len(unit_path) // SEGMENT}"


# --- Facts -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Led:
    """What the review of the unit a leader leads says of them (R10, R16, R20)."""

    organisation: UnitEvaluation | None
    peers: tuple[PeerResult, ...] = ()


def led_of(evaluation: LeaderEvaluation) -> Led:
    return leds_of([evaluation])[evaluation.unit_id]


def leds_of(evaluations: Sequence[LeaderEvaluation]) -> dict[int, Led]:
    """What the reviews of the units these leaders (of one cycle) lead say, by unit id, in
    two queries."""
    if not evaluations:
        return {}
    cycle = evaluations[0].cycle
    units = {e.unit_id for e in evaluations}
    found = dict.fromkeys(units, Led(None))
    organisations = (
        UnitEvaluation.objects.filter(cycle=cycle, unit__in=units, kind=Kind.ORGANISATION)
        .prefetch_related("peer_results")
        .order_by("-pk")  # the first of a unit last, as it is the one kept
    )
    for organisation in organisations:
        found[organisation.unit_id] = Led(organisation, tuple(organisation.peer_results.all()))
    return found


def headed_level(evaluation: LeaderEvaluation, led: Led) -> tuple[Level | None, bool]:
    """R16: the level of the unit the leader heads, and whether it is final. A party post's
    unit is the party organisation; a government or mass organisation post's, that
    organisation's level as the party organisation recorded it (R22). Not a head: no cap."""
    if not evaluation.head:
        return None, True
    post = evaluation.post
    if post.kind == PostKind.PARTY:
        unit = led.organisation
        if unit is None or unit.step == Step.NOT_REVIEWED:
            return None, True  # a unit too new to be classified caps nobody (R5)
        level = unit.level_final or unit.level_decided
        final = unit.step in FINAL_STEPS and level is not None
        return (Level(level) if level else None), final
    kinds = (
        (PeerKind.GOVERNMENT,)
        if post.kind == PostKind.GOVERNMENT
        else (PeerKind.FRONT, PeerKind.MASS)
    )
    named = search_key(post.organisation)
    peers = [p for p in led.peers if p.kind in kinds]
    match = [p for p in peers if named and search_key(p.name) == named] or (
        peers if len(peers) == 1 else []
    )
    if not match:
        return None, False
    return Level(match[0].level), True


def leader_facts(
    evaluation: LeaderEvaluation,
    led: Led | None = None,
    *,
    unit_final: bool = True,
    records: Records | None = None,
) -> MemberFacts:
    """A leader's facts: their own, as for a member (R8-R15, R12, R17), with the results of
    the unit they lead (R10, R20) and, for a head, its level (R16). Without `unit_final`, a
    head's unit caps them only once its level is final, and they do not wait for it: what
    the collective's meeting may propose before the unit is decided. `led` and `records`
    where the caller read them already (`leds_of`, `cycles.rules.member_records`)."""
    e = evaluation
    member: Member = e.member
    led = led or led_of(e)
    records = records or member_records([member], e.cycle)[member.pk]
    facts = records.facts(member, e, e.cycle)
    level, final = headed_level(e, led)
    if not unit_final and not final:
        level, final = None, True
    return dataclasses.replace(
        facts,
        leader=True,
        led_units_tasks=unit_tasks(led.organisation) if led.organisation else None,
        head_of_unit_level=level,
        head_of_unit_final=final,
    )


def leader_verdict(
    evaluation: LeaderEvaluation,
    led: Led | None = None,
    *,
    unit_final: bool = True,
    records: Records | None = None,
) -> Verdict:
    """What the engine allows for a leader as a leader, and why (`leader_facts`)."""
    cycle = evaluation.cycle
    facts = leader_facts(evaluation, led, unit_final=unit_final, records=records)
    return classify_member(facts, cycle.period, cycle.settings)
