"""The 2026 cycle part-way through, done with the same actions the pages use.

Every self-review draft gets its form and item scores. Then some grassroots units are taken
further: their members submit, the cells meet and propose, the committee decides within the
quota, the district appraises and the committee publishes, each unit stopping at a different
step, so that a newcomer sees every step with its history. The personas' commune is left at
the start, for them to take through the cycle themselves.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from xeploai.accounts.models import Role, RoleKind, User
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.members.models import Member, Post
from xeploai.reviews import actions
from xeploai.reviews.models import SelfReview
from xeploai.reviews.rules import missing_inputs, rows_for
from xeploai.reviews.sheets import form_by_code, form_for, spread
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal, Regime, check_proposals
from xeploai.units.models import Unit

from .history import sheet, strength_of
from .tree import Tree

# How far the review has gone in the grassroots units the demo advances.
STOPS = (
    Step.PUBLISHED,
    Step.PUBLISHED,
    Step.APPRAISED,
    Step.DECIDED,
    Step.DECIDED,
    Step.PROPOSED,
    Step.SUBMITTED,
)
ORDER = list(Step)
SECTIONS = {
    "strengths": "Chấp hành tốt chủ trương, đường lối của Đảng; hoàn thành nhiệm vụ được giao.",
    "weaknesses": "Có lúc chưa chủ động; nguyên nhân chủ yếu do chưa sắp xếp thời gian hợp lý.",
    "plan": "Chủ động hơn trong công việc, tham gia đầy đủ sinh hoạt chi bộ.",
}
MEETING_DAY = dt.date(2026, 11, 18)
DECISION = actions.Decision("68-QĐ/ĐU", dt.date(2026, 11, 21))


def fill_drafts(tree: Tree, cycle: Cycle) -> int:
    """A self-review form for every 2026 evaluation that has its sheet filled in."""
    regime = Regime(cycle.regime)
    seeded = {s.member.pk: s for s in tree.members}
    reviews = []
    for e in MemberEvaluation.objects.filter(cycle=cycle, step=Step.SELF_REVIEW):
        s = seeded[e.member_id]
        form = form_for(
            regime,
            leader=any(p.leader for p in s.posts if p.end is None),
            in_political_system=s.member.in_political_system,
        )
        scores: dict[str, Decimal] = {}
        if e.score_general is not None and e.score_task_results is not None:
            scores = spread(e.score_general, form.general)
            scores |= spread(e.score_task_results, form.task_results)
        sections = SECTIONS if e.level_self else {}
        reviews.append(
            SelfReview(
                evaluation=e,
                form=form.code,
                sections=sections,
                scores={k: str(v) for k, v in scores.items()},
            )
        )
    SelfReview.objects.bulk_create(reviews, batch_size=2000)
    return len(reviews)


def advance(
    tree: Tree, cycle: Cycle, board: User, rng: random.Random, progress: Callable[[str], None]
) -> None:
    """Take a few grassroots units (not the personas' one) to the steps of `STOPS`."""
    district = board.roles.get().unit
    size: dict[int, int] = {}
    for s in tree.members:
        size[s.cell.grassroots.pk] = size.get(s.cell.grassroots.pk, 0) + 1
    # The smallest units of the district, so that loading the demo stays quick.
    candidates = [
        g for g in tree.grassroots_units() if district.is_ancestor_of(g) and not g.roles.exists()
    ]
    groups = sorted(candidates, key=lambda g: (size.get(g.pk, 0), g.path))[: len(STOPS)]
    for group, stop in zip(groups, STOPS, strict=False):
        advance_group(group, cycle=cycle, stop=stop, board=board, rng=rng)
        progress(f"  {group.name}: {Step(stop).label}")


def advance_group(
    group: Unit,
    *,
    cycle: Cycle,
    stop: Step,
    board: User,
    rng: random.Random,
    skip: frozenset[int] = frozenset(),
) -> None:
    """Take a grassroots unit's members (but those in `skip`) up to `stop`, each step done
    by whoever does it: the member, the cell's secretary, the committee, the district."""
    hashed = make_password(None)  # unusable: these accounts exist to act, not to sign in
    members = list(Member.objects.current().in_subtree(group))
    users = _accounts(members, hashed)
    officer, _created = User.objects.get_or_create(
        username=f"cb-{group.code.lower()}", defaults={"password": hashed}
    )
    Role.objects.get_or_create(user=officer, unit=group, kind=RoleKind.GRASSROOTS_OFFICER)
    secretaries: dict[int, User] = {}
    heads = Post.objects.filter(member__in=members, head=True, end__isnull=True)
    for post in heads.filter(unit_id__in={m.cell_id for m in members}):
        secretaries[post.unit_id] = users[post.member_id]
        Role.objects.get_or_create(
            user=users[post.member_id], unit_id=post.unit_id, kind=RoleKind.CELL_SECRETARY
        )
    in_group = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path
    ).exclude(member_id__in=skip)
    for e in in_group.filter(step=Step.SELF_REVIEW).select_related("cycle", "member", "cell"):
        _self_review(e, users[e.member_id], rng)
    if ORDER.index(stop) < ORDER.index(Step.PROPOSED):
        return
    present: dict[int, int] = {}
    for cell_id, secretary in secretaries.items():
        cell = Unit.objects.get(pk=cell_id)
        present[cell_id] = cell.members.current().count()
        data = actions.MeetingData(
            MEETING_DAY, secretary.get_full_name(), present[cell_id], present[cell_id]
        )
        actions.record_meeting(cell, cycle=cycle, by=secretary, data=data)
    ranked: list[Proposal] = []  # the engine's levels, as the quota check reads them
    for row in rows_for(in_group.filter(step=Step.SUBMITTED)):
        e, secretary = row.evaluation, secretaries[row.evaluation.cell_id]
        for req in missing_inputs(e):
            text = "Đồng chí gương mẫu, tích cực tham gia các hoạt động nơi cư trú."
            actions.add_input(
                e, by=secretary, kind=req.kind, source=req.source, text=text, from_paper=True
            )
        assert row.verdict.level is not None
        level = row.verdict.level if rng.random() < 0.9 else Level(min(4, row.verdict.level + 1))
        votes = {Level(level): present[e.cell_id]}
        actions.propose(
            e, by=secretary, data=actions.ProposalData(Level(level), "Thống nhất", votes)
        )
        rank = (e.score_general or 0) + (e.score_task_results or 0)
        ranked.append(Proposal(str(e.pk), EngineLevel(level), Decimal(rank)))
    if ORDER.index(stop) < ORDER.index(Step.DECIDED):
        return
    # The committee lowers the weakest excellent proposals to keep within the quota.
    drop = set(check_proposals(group.code, ranked, cycle.settings).drop)
    levels = {int(p.id): Level.GOOD if p.id in drop else Level(p.level) for p in ranked}
    decided = actions.decide(group, cycle=cycle, by=officer, levels=levels, decision=DECISION)
    if ORDER.index(stop) < ORDER.index(Step.APPRAISED):
        return
    for e in decided:
        actions.appraise(e, by=board)
    if stop == Step.PUBLISHED:
        actions.publish(group, cycle=cycle, by=officer)


def _accounts(members: list[Member], hashed: str) -> dict[int, User]:
    """An account for each member, as every member of a unit on the system has."""
    have = set(User.objects.filter(member__in=members).values_list("member_id", flat=True))
    new = [
        User(
            username=m.code.lower(),
            password=hashed,
            member=m,
            last_name=m.full_name.rpartition(" ")[0],
            first_name=m.full_name.rpartition(" ")[2],
        )
        for m in members
        if m.pk not in have
    ]
    User.objects.bulk_create(new, batch_size=2000)
    everyone = User.objects.filter(member__in=members)
    return {u.member_id: u for u in everyone if u.member_id is not None}


def _self_review(e: MemberEvaluation, user: User, rng: random.Random) -> None:
    """The member completes and submits their form; one who had not started fills it in."""
    review = SelfReview.objects.get(evaluation=e)
    if e.score_general is None or e.score_task_results is None or e.tasks_done is None:
        for name, value in sheet(rng, e.cycle, strength_of(e.member.code), "member").items():
            setattr(e, name, value)
    form = form_by_code(Regime(e.cycle.regime), review.form)
    assert e.score_general is not None and e.score_task_results is not None
    scores = spread(e.score_general, form.general) | spread(e.score_task_results, form.task_results)
    if e.member.civil_servant and not e.state_level:
        e.state_level = "GOOD"
    level_self = e.level_self or member_verdict(e.member, e, e.cycle).level or Level.COMPLETED
    data = actions.SelfReviewData(
        sections=SECTIONS,
        scores=scores,
        tasks_done=e.tasks_done,
        tasks_late=e.tasks_late,
        tasks_exceeded=e.tasks_exceeded,
        state_level=e.state_level,
        level_self=Level(level_self),
    )
    e = actions.save_self_review(e, by=user, version=e.version, data=data)
    actions.submit_self_review(e, by=user, version=e.version)
