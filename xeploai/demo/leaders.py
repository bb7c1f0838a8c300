"""Leaders reviewed as leaders in the 2026 cycle (R16, R26, R30, R32), done with the same
actions the pages use, once the organisations have moved (`progress.advance_organisations`).

The evaluations of every leading post held at the cycle's reference date are opened with the
cycle, each leader classified at their highest post. Then, in the units the demo takes
forward, each leader writes and submits their report (Mẫu 2B); the collective's meeting, held
by whoever drafts the collective's report there, reviews the head first, then the deputies,
then the members (R30), and proposes what the rules allow, the weakest excellent lowered to
good so that each quota group of equivalent posts keeps within its quota (R26); the committee
that manages the cadre decides those it may: the district's standing committee for the posts
of its grassroots committees, each grassroots committee for those of its cells. A head waits
for the level of the unit they head (R16): the head of the committee decided by the district
is capped by its level, the head of the committee still waiting is left proposed, as the
heads of agencies are until their agency's level is recorded. The district appraises some.

The district's own leaders write and submit their reports only: the committee above the
district, which decides them, is not part of the demo. Everyone else is still writing, the
personas' commune among them.

Past years' results of the leaders below the district are imported as an office would
(`past_results_file`, import kind `leader_results`), each at their highest post, a head at
no better than what they head that year (R16): the party organisation, or the government,
Front or mass organisation whose level the party committee recorded beside it (R22),
imported before them (`past_peers_file`, import kind `peer_results`). The demo's earliest
year, of the rules before 2018, has none.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from xeploai.accounts.models import User
from xeploai.core.text import search_key
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.imports.kinds.results import result_label
from xeploai.members.models import Member, Post, PostKind
from xeploai.reviews import actions
from xeploai.reviews.actions import leaders
from xeploai.reviews.actions.self_review import ReportData
from xeploai.reviews.leaders import (
    Led,
    decider_of,
    deciders,
    headed_level,
    leader_verdict,
    leading_posts,
    placed,
    quota_key,
)
from xeploai.reviews.models import PeerKind, PeerResult
from xeploai.reviews.sheets import form_for, spread
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal, Regime, check_proposals
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit, UnitKind

from .history import sheet, strength_of

SECTIONS = {
    "strengths": "Lãnh đạo đơn vị hoàn thành các chỉ tiêu được giao; giữ gìn đoàn kết nội bộ.",
    "weaknesses": "Có lúc chỉ đạo chưa sát; nguyên nhân do khối lượng công việc lớn.",
    "plan": "Tăng cường kiểm tra, đôn đốc; phân công trách nhiệm rõ ràng hơn.",
}
CONCLUSION = "Hội nghị thống nhất đề xuất mức xếp loại theo kết quả kiểm điểm."
DISTRICT_DECISION = actions.Decision("231-QĐ/HU", dt.date(2026, 11, 22))
COMMITTEE_DECISION = actions.Decision("76-QĐ/ĐU", dt.date(2026, 11, 21))
# Leaders are the stronger workers of their units: their sheets are drawn at least this strong.
STRENGTH = 0.7
# The level a leader claims for their score (R20's bands).
SELF_LEVELS = (
    (90, Level.EXCELLENT),
    (70, Level.GOOD),
    (50, Level.COMPLETED),
    (0, Level.NOT_COMPLETED),
)


def advance_leaders(
    cycle: Cycle,
    *,
    district: Unit,
    decided: tuple[Unit, User, list[Unit]],
    waiting: tuple[Unit, User],
    standing: User,
    board: User,
    accounts: dict[int, User],
    rng: random.Random,
) -> None:
    """`decided`: a grassroots committee decided by the district, its officer and its cells,
    decided by it; `waiting`: one still waiting for the district's decision, its officer;
    `accounts`: users by member, made for whoever acts here."""
    committee, officer, cells = decided
    other, other_officer = waiting
    _reports(_at([district], cycle), accounts, rng)
    meetings = [(committee, officer), (other, other_officer)]
    meetings += [(cell, accounts[_secretary(cell, cycle)]) for cell in cells]
    moving = _at([unit for unit, _by in meetings], cycle)
    _reports(moving, accounts, rng)
    levels = _levels(moving, cycle)
    for unit, by in meetings:
        _meeting(_at([unit], cycle), levels, by=by)
    by_district = _decide(district, cycle, by=standing, decision=DISTRICT_DECISION)
    by_committee = _decide(committee, cycle, by=officer, decision=COMMITTEE_DECISION)
    for e in [*by_district[:1], *by_committee[: len(by_committee) // 2]]:
        leaders.appraise_leader(e, by=board)


def _at(units: Iterable[Unit], cycle: Cycle) -> list[LeaderEvaluation]:
    """The leaders reviewed at these units, in the order of the meetings (R30)."""
    rows = LeaderEvaluation.objects.filter(cycle=cycle, unit__in=list(units))
    rows = rows.select_related("member", "post__post_title", "unit", "cycle")
    return list(rows.order_by("unit_path", "tier", "member__full_name"))


def _secretary(cell: Unit, cycle: Cycle) -> int:
    """The member who heads the cell's party work: its meeting's secretary."""
    head = next(e for e in _at([cell], cycle) if e.head and e.post.kind == "PARTY")
    return head.member_id


def _reports(
    evaluations: list[LeaderEvaluation], accounts: dict[int, User], rng: random.Random
) -> None:
    """Each leader writes their report (Mẫu 2B) from their year's facts, and submits it."""
    for e in evaluations:
        if e.step != Step.SELF_REVIEW:
            continue
        member = e.member
        facts = sheet(
            rng, e.cycle, max(STRENGTH, strength_of(f"{member.code}-{e.post_id}")), "member"
        )
        form = form_for(
            Regime(e.cycle.regime), leader=True, in_political_system=member.in_political_system
        )
        general, results = facts["score_general"], facts["score_task_results"]
        total = general + results
        data = ReportData(
            sections=SECTIONS,
            scores=spread(general, form.general) | spread(results, form.task_results),
            tasks_done=facts["tasks_done"],
            tasks_late=facts["tasks_late"],
            tasks_exceeded=facts["tasks_exceeded"],
            level_self=next(level for floor, level in SELF_LEVELS if total >= floor),
        )
        user = accounts[member.pk]
        e = leaders.save_leader_review(e, by=user, version=e.version, data=data)
        leaders.submit_leader_review(e, by=user, version=e.version)


def _meeting(evaluations: list[LeaderEvaluation], levels: dict[int, Level], *, by: User) -> None:
    """The collective's meeting reviews its leaders in order, head first (R30): one it
    cannot propose for yet holds back those after them."""
    waiting_from: int | None = None
    for e in evaluations:  # in tier order
        if waiting_from is not None and e.tier > waiting_from:
            break
        if e.pk not in levels:
            waiting_from = e.tier
            continue
        leaders.propose_leader(e, by=by, level=levels[e.pk], conclusion=CONCLUSION)


def _levels(evaluations: list[LeaderEvaluation], cycle: Cycle) -> dict[int, Level]:
    """What each meeting proposes: what the rules allow where the leader is classified (the
    unit they head capping them once final), an opinion elsewhere; the weakest excellent of
    each quota group lowered to good to keep it within its quota (R26). Those the rules do
    not classify yet are not proposed."""
    fresh = {e.pk: e for e in LeaderEvaluation.objects.filter(pk__in=[e.pk for e in evaluations])
             .select_related("member", "post__post_title", "unit", "cycle")}  # fmt: skip
    levels: dict[int, Level] = {}
    groups: dict[tuple[int, str], list[Proposal]] = defaultdict(list)
    for e in fresh.values():
        verdict = leader_verdict(e, unit_final=False)
        if verdict.status is not EngineStatus.CLASSIFIED or verdict.level is None:
            continue
        levels[e.pk] = Level(verdict.level)
        decider = decider_of(e)
        if e.classified and decider is not None:
            rank = Decimal(e.total_score or 0)
            groups[(decider.pk, quota_key(e, cycle.settings))].append(
                Proposal(str(e.pk), EngineLevel(verdict.level), rank)
            )
    for (decider_id, key), group in groups.items():
        for pk in check_proposals(f"{decider_id}/{key}", group, cycle.settings).drop:
            levels[int(pk)] = Level.GOOD
    return levels


def _decide(
    decider: Unit, cycle: Cycle, *, by: User, decision: actions.Decision
) -> list[LeaderEvaluation]:
    """The committee decides the proposed leaders it may: each at the level proposed, a
    head once the unit they head is final (R16)."""
    ready = {
        e.pk: Level(e.level_proposed)
        for e in leaders.decided_by(decider, cycle)
        if e.step == Step.PROPOSED
        and e.level_proposed is not None
        and leader_verdict(e).status is EngineStatus.CLASSIFIED
    }
    if not ready:
        return []
    return leaders.decide_leaders(decider, cycle=cycle, by=by, levels=ready, decision=decision)


# --- Past years ------------------------------------------------------------------------------


def _past(cycles: Iterable[Cycle]) -> Iterator[tuple[Cycle, list[Post], dict[int, Post]]]:
    """Each closed cycle with levels, the leading posts held at its reference date below the
    district, and each holder's highest post; those whose highest is at the district left out."""
    holders = set(Post.objects.filter(leader=True).values_list("member_id", flat=True))
    for cycle in cycles:
        if not cycle.closed or cycle.regime == Regime.LEGACY:
            continue
        posts = leading_posts(holders, cycle)
        top = placed(posts)
        below = [p for p in posts if top[p.member_id].unit.kind != UnitKind.DISTRICT]
        yield cycle, below, top


def _organisations(cycle: Cycle, posts: list[Post]) -> dict[int, UnitEvaluation]:
    """The results of the organisations where `posts` are held."""
    rows = UnitEvaluation.objects.filter(
        cycle=cycle, kind=UnitEvaluationKind.ORGANISATION, unit__in={p.unit_id for p in posts}
    )
    return {e.unit_id: e for e in rows}


# Who signs the decision that classifies each kind of organisation.
SIGNED_BY = {PeerKind.GOVERNMENT: "QĐ-UBND", PeerKind.FRONT: "QĐ-MTTQ", PeerKind.MASS: "QĐ"}


def peer_kind(post: Post) -> PeerKind:
    """The kind of organisation a government or mass organisation post heads (R22)."""
    if post.kind == PostKind.GOVERNMENT:
        return PeerKind.GOVERNMENT
    name = search_key(post.organisation)
    return PeerKind.FRONT if "mttq" in name or "mat tran" in name else PeerKind.MASS


def past_peers_file(cycles: Iterable[Cycle], rng: random.Random) -> Iterator[dict[str, object]]:
    """The rows of the file of the levels the party committees recorded for the government,
    Front and mass organisations their past years' leaders headed (R22): mostly good, some
    excellent, a few completed, none below good beside an excellent party organisation."""
    for cycle, posts, _top in _past(cycles):
        organisations = _organisations(cycle, posts)
        seen: set[tuple[int, PeerKind, str]] = set()
        for post in posts:
            if post.kind == PostKind.PARTY or not post.head or not post.organisation:
                continue
            unit = organisations.get(post.unit_id)
            kind = peer_kind(post)
            key = (post.unit_id, kind, post.organisation)
            if unit is None or unit.step == Step.NOT_REVIEWED or key in seen:
                continue
            seen.add(key)
            roll = rng.random()
            level = Level.EXCELLENT if roll < 0.25 else Level.GOOD
            if roll > 0.94 and unit.level_final != Level.EXCELLENT:
                level = Level.COMPLETED
            number = rng.randint(20, 199)
            yield {
                "year": cycle.year,
                "unit_code": post.unit.code,
                "kind": kind.label,
                "name": post.organisation,
                "level": level.label,
                "source": f"Quyết định số {number}/{SIGNED_BY[kind]} ngày 20/12/{cycle.year}",
            }


def _peers(cycle: Cycle) -> dict[int, tuple[PeerResult, ...]]:
    """The levels recorded beside each party organisation of the cycle, by its evaluation."""
    found: dict[int, list[PeerResult]] = defaultdict(list)
    for peer in PeerResult.objects.filter(evaluation__cycle=cycle):
        found[peer.evaluation_id].append(peer)
    return {pk: tuple(peers) for pk, peers in found.items()}


def past_results_file(cycles: Iterable[Cycle]) -> Iterator[dict[str, object]]:
    """The rows of the file of past leaders' results: each leader at their highest post with
    the level of their year as a member, no better than what they head (R16), the weakest
    excellent of each quota group of equivalent posts lowered to good (R26); their other posts
    not classified there."""
    for cycle, posts, top in _past(cycles):
        organisations = _organisations(cycle, posts)
        peers = _peers(cycle)
        members = {
            e.member_id: e
            for e in MemberEvaluation.objects.filter(
                cycle=cycle, member__in={p.member_id for p in posts}
            )
        }
        holders = {p.member_id for p in posts}
        codes = dict(Member.objects.filter(pk__in=holders).values_list("pk", "code"))
        rows: list[tuple[Post, dict[str, object]]] = []
        levels: dict[int, tuple[Level, Decimal]] = {}  # the classified posts' levels and ranks
        for post in posts:
            own = members.get(post.member_id)
            unit = organisations.get(post.unit_id)
            highest = top[post.member_id]
            row: dict[str, object] = {
                "year": cycle.year,
                "member_code": codes[post.member_id],
                "unit_code": post.unit.code,
                "title": post.title,
                "reason": "",
            }
            if highest.pk != post.pk:
                row["result"] = "Không xếp loại"
                row["reason"] = f"Xếp loại tại {highest.unit.name} ({highest.title})"
                rows.append((post, row))
                continue
            if own is None:
                continue  # no result as a member that year
            if post.head and (unit is None or unit.step == Step.NOT_REVIEWED):
                continue  # no party organisation's result to cap the head, nor levels beside it
            if own.level_final is None:
                row |= {"result": result_label(own), "reason": own.status_reason}
                rows.append((post, row))
                continue
            level = own.level_final
            if post.head and unit is not None:
                stand_in = LeaderEvaluation(post=post, head=True)
                cap, final = headed_level(stand_in, Led(unit, peers.get(unit.pk, ())))
                if not final:
                    continue  # the level of what they head was never recorded
                level = max(level, cap or level)  # R16
            levels[post.pk] = (Level(level), Decimal(own.total_score or 0))
            rows.append((post, row))
        within = _within_quota(cycle, [post for post, _row in rows], levels)
        for post, row in rows:
            if post.pk in within:
                row["result"] = EngineLevel(within[post.pk]).label
            yield row


def _within_quota(
    cycle: Cycle, posts: list[Post], levels: dict[int, tuple[Level, Decimal]]
) -> dict[int, Level]:
    """The levels by post, the weakest excellent of each quota group lowered to good (R26),
    as the committee deciding the group would have kept it."""
    stand_ins = [  # unsaved, keyed by the post: what `deciders` and `quota_key` read
        LeaderEvaluation(pk=p.pk, post=p, unit_path=p.unit.path, tier=p.tier)
        for p in posts
        if p.pk in levels
    ]
    groups: dict[tuple[int, str], list[Proposal]] = defaultdict(list)
    by = deciders(stand_ins)
    for e in stand_ins:
        if (decider := by[e.pk]) is not None:
            level, rank = levels[e.pk]
            groups[(decider.pk, quota_key(e, cycle.settings))].append(
                Proposal(str(e.pk), EngineLevel(level), rank)
            )
    found = {pk: level for pk, (level, _rank) in levels.items()}
    for (decider_id, key), group in groups.items():
        for pk in check_proposals(f"{decider_id}/{key}", group, cycle.settings).drop:
            found[int(pk)] = Level.GOOD
    return found
