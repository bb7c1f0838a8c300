"""The 2026 cycle part-way through, done with the same actions the pages use.

Every self-review draft gets its form and item scores. Then some grassroots units are taken
further: their members submit, the cells meet and propose, the committee decides within the
quota, the district appraises and the committee publishes, each unit stopping at a different
step, so that a newcomer sees every step with its history; the smallest grassroots committee
goes as far as the decision.

Organisations and leadership collectives follow, one level up (`advance_organisations`). The
smallest committee's cells report, are examined and decided by the committee, their group
exactly at its quota (R26), and some are appraised by the district; then that committee and
its collective, proposed by the district's organisation board, are decided by the district's
standing committee, everything below them being decided (R30), the committee at the level of
a modest year (its score in the band of COMPLETED, every task done on time). The grassroots
cells taken forward report, and most are proposed by the board: one while its members still
wait for their decision, as the next smallest committee is with its cells still open (some of
their reports drafted, some submitted), so that a decision page shows what it waits on. Conclusions
recorded with their document (a collective disunited, one with a degraded member, a cell
disciplined: R24, R25) show in the ceilings and reasons; the levels of peer organisations are
recorded with their decision too (R22, which binds under HD21 only). Leaders follow, as
leaders, at the district and in those two committees (`leaders.advance_leaders`). The
personas' commune is left at the start, for them to take through the cycle themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from xeploai.accounts.models import Role, RoleKind, User
from xeploai.cycles.models import (
    Cycle,
    Level,
    MemberEvaluation,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.cycles.rules import member_verdict
from xeploai.members.models import Member, Post, PostKind
from xeploai.reviews import actions
from xeploai.reviews.actions import leaders, units
from xeploai.reviews.models import ConclusionKind, PeerKind, SelfReview
from xeploai.reviews.rules import missing_inputs, rows_for, unit_verdict
from xeploai.reviews.sheets import collective_form, form_by_code, form_for, spread
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal, Regime, check_proposals
from xeploai.units.models import Unit, UnitKind

from . import texts
from .history import sheet, strength_of
from .leaders import advance_leaders
from .tree import Tree

# How far the review has gone in the grassroots cells the demo advances: for their members,
# and for the cell itself as an organisation, with its leadership collective.
STOPS = (
    (Step.PUBLISHED, Step.PROPOSED),
    (Step.PUBLISHED, Step.PROPOSED),
    (Step.APPRAISED, Step.PROPOSED),
    (Step.DECIDED, Step.SUBMITTED),
    (Step.DECIDED, Step.SUBMITTED),
    # Proposed while its members wait for their decision: R30 keeps it from being decided.
    (Step.PROPOSED, Step.PROPOSED),
    (Step.SUBMITTED, Step.SELF_REVIEW),
)
ORDER = list(Step)
UNIT_SECTIONS = {
    "strengths": "Lãnh đạo thực hiện đạt và vượt các chỉ tiêu nghị quyết; nội bộ đoàn kết.",
    "weaknesses": "Sinh hoạt chuyên đề có lúc chưa sâu; nguyên nhân do chuẩn bị nội dung chưa kỹ.",
    "plan": "Đổi mới nội dung sinh hoạt; tăng cường kiểm tra, giám sát thực hiện nghị quyết.",
}
MEETING_DAY = dt.date(2026, 11, 18)
DECISION = actions.Decision("68-QĐ/ĐU", dt.date(2026, 11, 21))
UNITS_DECISION = actions.Decision("72-QĐ/ĐU", dt.date(2026, 11, 21))
DISTRICT_DECISION = actions.Decision("215-QĐ/HU", dt.date(2026, 11, 22))
EXAMINED = "Đã thẩm định: báo cáo đủ nội dung, số liệu khớp với kết quả của cấp dưới."


@dataclasses.dataclass
class Bodies:
    """Who acts for a grassroots unit: its committee's officer and its cells' secretaries."""

    officer: User
    secretaries: dict[int, User]  # by cell

    def of(self, unit: Unit) -> User:
        """Who drafts the report of `unit`: its secretary, else the committee's officer."""
        return self.secretaries.get(unit.pk, self.officer)


def grassroots_groups(tree: Tree) -> list[list[str]]:
    """The members' codes, by grassroots unit: whose texts are compared with one another."""
    groups: dict[int, list[str]] = defaultdict(list)
    for s in sorted(tree.members, key=lambda s: s.member.code):
        groups[s.cell.grassroots.pk].append(s.member.code)
    return list(groups.values())


def fill_drafts(tree: Tree, cycle: Cycle, seed: int, earlier: texts.Written | None = None) -> int:
    """A self-review form for every 2026 evaluation that has its sheet filled in, in the
    member's words (`texts.for_members`), a few in their words of `earlier` again."""
    regime = Regime(cycle.regime)
    seeded = {s.member.pk: s for s in tree.members}
    written = texts.for_members(grassroots_groups(tree), cycle.year, seed, earlier)
    reviews = []
    opened = MemberEvaluation.objects.filter(
        cycle=cycle, step=Step.SELF_REVIEW, unit_path__startswith=tree.root.path
    )
    for e in opened:
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
        sections = written.sections[s.member.code] if e.level_self else {}
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
    tree: Tree,
    cycle: Cycle,
    *,
    board: User,
    standing: User,
    rng: random.Random,
    progress: Callable[[str], None],
) -> None:
    """Open the cycle for the organisations, take a few grassroots cells (not the personas')
    to the steps of `STOPS` and the smallest committee to the decision, then the
    organisations and collectives of these and of the next smallest committee, whose members
    have not started (`advance_organisations`)."""
    district = board.roles.get().unit
    units.open_units(tree.root, cycle=cycle)
    leaders.open_leaders(tree.root, cycle=cycle)
    size: dict[int, int] = {}
    for s in tree.members:
        size[s.cell.grassroots.pk] = size.get(s.cell.grassroots.pk, 0) + 1
    # A persona's own record stays as the persona leaves it (only they have accounts yet).
    signed = set(User.objects.filter(member__isnull=False).values_list("member_id", flat=True))
    personas = {s.cell.grassroots.pk for s in tree.members if s.member.pk in signed}
    # The smallest units of the district, so that loading the demo stays quick.
    candidates = sorted(
        (
            g
            for g in tree.grassroots_units()
            if district.is_ancestor_of(g) and not g.roles.exists() and g.pk not in personas
        ),
        key=lambda g: (size.get(g.pk, 0), g.path),
    )
    cells = [g for g in candidates if g.kind == UnitKind.GRASSROOTS_CELL][: len(STOPS)]
    taken = []
    for group, (stop, _unit_stop) in zip(cells, STOPS, strict=False):
        taken.append(advance_group(group, cycle=cycle, stop=stop, board=board, rng=rng))
        progress(f"  {group.name}: {Step(stop).label}")
    committee, waiting = [g for g in candidates if g.kind == UnitKind.GRASSROOTS_COMMITTEE][:2]
    bodies = advance_group(committee, cycle=cycle, stop=Step.DECIDED, board=board, rng=rng)
    progress(f"  {committee.name}: {Step.DECIDED.label}")
    waiting_bodies = _bodies(waiting, _heads_accounts(waiting))
    advance_organisations(
        district,
        cycle=cycle,
        cells=list(zip(cells, taken, (u for _s, u in STOPS), strict=False)),
        committee=(committee, bodies),
        waiting=(waiting, waiting_bodies),
        board=board,
        standing=standing,
        rng=rng,
    )
    progress("  Tổ chức đảng, tập thể lãnh đạo: tự kiểm điểm, thẩm định, quyết định")
    below = list(Unit.objects.filter(parent=committee).order_by("path"))
    leading = Member.objects.filter(
        leader_evaluations__cycle=cycle,
        leader_evaluations__unit__in=[district, committee, waiting, *below],
    )
    advance_leaders(
        cycle,
        district=district,
        decided=(committee, bodies.officer, below),
        waiting=(waiting, waiting_bodies.officer),
        standing=standing,
        board=board,
        accounts=_accounts(list(leading.distinct()), HASHED),
        rng=rng,
    )
    progress("  Cán bộ lãnh đạo, quản lý: kiểm điểm, đề xuất, quyết định, thẩm định")


def advance_group(
    group: Unit,
    *,
    cycle: Cycle,
    stop: Step,
    board: User,
    rng: random.Random,
    skip: frozenset[int] = frozenset(),
) -> Bodies:
    """Take a grassroots unit's members (but those in `skip`) up to `stop`, each step done
    by whoever does it: the member, the cell's secretary, the committee, the district."""
    members = list(Member.objects.current().in_subtree(group))
    users = _accounts(members, HASHED)
    bodies = _bodies(group, users)
    officer, secretaries = bodies.officer, bodies.secretaries
    in_group = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path
    ).exclude(member_id__in=skip)
    for e in in_group.filter(step=Step.SELF_REVIEW).select_related("cycle", "member", "cell"):
        _self_review(e, users[e.member_id], rng)
    if ORDER.index(stop) < ORDER.index(Step.PROPOSED):
        return bodies
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
        return bodies
    # The committee lowers the weakest excellent proposals to keep within the quota.
    drop = set(check_proposals(group.code, ranked, cycle.settings).drop)
    levels = {int(p.id): Level.GOOD if p.id in drop else Level(p.level) for p in ranked}
    actions.decide(group, cycle=cycle, by=officer, levels=levels, decision=DECISION)
    if ORDER.index(stop) < ORDER.index(Step.APPRAISED):
        return bodies
    actions.appraise_all(group, cycle=cycle, by=board)
    if stop == Step.PUBLISHED:
        actions.publish(group, cycle=cycle, by=officer)
    return bodies


HASHED = make_password(None)  # unusable: these accounts exist to act, not to sign in


def _bodies(group: Unit, users: dict[int, User]) -> Bodies:
    """The committee's officer, and the secretary of each cell among `users` (by member),
    each with the role they act through."""
    officer, _created = User.objects.get_or_create(
        username=f"cb-{group.code.lower()}", defaults={"password": HASHED}
    )
    Role.objects.get_or_create(user=officer, unit=group, kind=RoleKind.GRASSROOTS_OFFICER)
    secretaries: dict[int, User] = {}
    # A cell's party head, its secretary; not the head of the agency it sits in.
    heads = Post.objects.filter(
        member_id__in=users, kind=PostKind.PARTY, head=True, end__isnull=True
    ).filter(unit__path__startswith=group.path)
    for post in heads.filter(unit__kind__in=(UnitKind.CELL, UnitKind.GRASSROOTS_CELL)):
        secretaries[post.unit_id] = users[post.member_id]
        Role.objects.get_or_create(
            user=users[post.member_id], unit_id=post.unit_id, kind=RoleKind.CELL_SECRETARY
        )
    return Bodies(officer, secretaries)


def _heads_accounts(group: Unit) -> dict[int, User]:
    """Accounts for the secretaries of the unit's cells only: nothing else of it moves."""
    heads = Post.objects.filter(
        unit__path__startswith=group.path, kind=PostKind.PARTY, head=True, end__isnull=True
    )
    return _accounts(list(Member.objects.current().filter(posts__in=heads)), HASHED)


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
    sections = review.sections or texts.own(random.Random(e.member.code))
    if e.score_general is None or e.score_task_results is None or e.tasks_done is None:
        for name, value in sheet(rng, e.cycle, strength_of(e.member.code), "member").items():
            setattr(e, name, value)
    form = form_by_code(Regime(e.cycle.regime), review.form)
    assert e.score_general is not None and e.score_task_results is not None
    scores = spread(e.score_general, form.general) | spread(e.score_task_results, form.task_results)
    level_self = e.level_self or member_verdict(e.member, e, e.cycle).level or Level.COMPLETED
    data = actions.SelfReviewData(
        sections=sections,
        scores=scores,
        tasks_done=e.tasks_done,
        tasks_late=e.tasks_late,
        tasks_exceeded=e.tasks_exceeded,
        level_self=Level(level_self),
    )
    e = actions.save_self_review(e, by=user, version=e.version, data=data)
    actions.submit_self_review(e, by=user, version=e.version)


# --- Organisations and leadership collectives ------------------------------------------------


def advance_organisations(
    district: Unit,
    *,
    cycle: Cycle,
    cells: list[tuple[Unit, Bodies, Step]],
    committee: tuple[Unit, Bodies],
    waiting: tuple[Unit, Bodies],
    board: User,
    standing: User,
    rng: random.Random,
) -> None:
    """The organisations of the units taken forward, each step by the body that takes it:
    the committee of each reports; the committee deciding it examines and proposes (for the
    district's grassroots units, the district's organisation board) and decides (for them,
    the district's standing committee); the district appraises."""
    group, bodies = committee
    _decided_cells(group, bodies, cycle=cycle, board=board, rng=rng)
    # A modest year for it: its secretary, whose own year allows more, is capped (R16).
    proposed = _reported(group, bodies.officer, cycle, rng, peer=True, modest=True)
    proposed += _grassroots_cells(cells, cycle=cycle, standing=standing, rng=rng)
    proposed += _waiting_committee(*waiting, cycle=cycle, rng=rng)
    levels = _propose(proposed, by=board, decider=district)
    # The committee whose members and cells are all decided is decided in turn (R30).
    ready = {e.pk: levels[e.pk] for e in proposed if e.unit_id == group.pk}
    units.decide_units(district, cycle=cycle, by=standing, levels=ready, decision=DISTRICT_DECISION)


def _decided_cells(
    group: Unit, bodies: Bodies, *, cycle: Cycle, board: User, rng: random.Random
) -> None:
    """The committee's cells, their members decided: each reports a steady year; the
    committee proposes what the rules allow, lowering the weakest excellent to keep the
    group within its quota (R26), and decides; the district appraises half of them."""
    cells = [
        _draft(e, bodies.of(e.unit), rng, steady=True, submit=True) for e in _below(group, cycle)
    ]
    levels = _propose(cells, by=bodies.officer, decider=group)
    decided = units.decide_units(
        group, cycle=cycle, by=bodies.officer, levels=levels, decision=UNITS_DECISION
    )
    for e in decided[: len(decided) // 2]:
        units.appraise_unit(e, by=board)


def _grassroots_cells(
    cells: list[tuple[Unit, Bodies, Step]], *, cycle: Cycle, standing: User, rng: random.Random
) -> list[UnitEvaluation]:
    """Each grassroots cell taken forward reports as far as its stop, as an organisation
    and as a leadership collective; two collectives carry a conclusion of the district
    (R25), the organisations to propose the level of their agency's trade union (R22).
    Returns those to propose."""
    to_propose: list[UnitEvaluation] = []
    # The first proposed, the fourth only submitted.
    concluded = {0: ConclusionKind.DISUNITY, 3: ConclusionKind.DEGRADED_MEMBER}
    for i, (unit, bodies, stop) in enumerate(cells):
        submit = stop != Step.SELF_REVIEW
        drafted = [_draft(e, bodies.of(unit), rng, submit=submit) for e in _own(unit, cycle)]
        if i in concluded:
            _conclude(drafted[1], standing, concluded[i])
        if stop == Step.PROPOSED:
            _peer_result(drafted[0], bodies.of(unit), PeerKind.MASS, rng)
            to_propose += drafted
    return to_propose


def _waiting_committee(
    group: Unit, bodies: Bodies, *, cycle: Cycle, rng: random.Random
) -> list[UnitEvaluation]:
    """A committee whose members have not yet submitted: a third of its cells have drafted
    their report and a third submitted it, one of these disciplined (R24, concluded by the
    committee); its own reports are submitted, to be proposed with all this still open."""
    for n, e in enumerate(_below(group, cycle)):
        if n % 3 == 2:
            continue
        e = _draft(e, bodies.of(e.unit), rng, submit=n % 3 == 1)
        if n == 1:
            _conclude(e, bodies.officer, ConclusionKind.DISCIPLINED)
    return _reported(group, bodies.officer, cycle, rng)


def _below(group: Unit, cycle: Cycle) -> list[UnitEvaluation]:
    """The evaluations of the organisations directly under `group`, in tree order."""
    rows = UnitEvaluation.objects.filter(cycle=cycle, unit__parent=group, step=Step.SELF_REVIEW)
    return list(rows.select_related("unit", "cycle").order_by("unit_path"))


def _own(unit: Unit, cycle: Cycle) -> list[UnitEvaluation]:
    """The unit's evaluations as an organisation, then as a leadership collective."""
    rows = UnitEvaluation.objects.filter(cycle=cycle, unit=unit).select_related("unit", "cycle")
    return sorted(rows, key=lambda e: e.kind != UnitEvaluationKind.ORGANISATION)


def _reported(
    unit: Unit,
    by: User,
    cycle: Cycle,
    rng: random.Random,
    *,
    peer: bool = False,
    modest: bool = False,
) -> list[UnitEvaluation]:
    """The unit's committee submits both its reports, with the level of the government of
    the same unit when `peer`; the organisation's score a `modest` one when asked."""
    submitted = [
        _draft(
            e, by, rng, steady=True, submit=True,
            modest=modest and e.kind == UnitEvaluationKind.ORGANISATION,
        )
        for e in _own(unit, cycle)
    ]  # fmt: skip
    if peer:
        _peer_result(submitted[0], by, PeerKind.GOVERNMENT, rng)
    return submitted


def _report(
    e: UnitEvaluation, rng: random.Random, *, steady: bool, modest: bool = False
) -> units.UnitReviewData:
    """The collective's report: the score sheet spread over the form's items, the tasks and
    the weaknesses of earlier years fixed; a steady unit did all its tasks on time, a modest
    one scored in the band of COMPLETED (R20). It claims the level its score's band names."""
    facts = sheet(rng, e.cycle, strength_of(f"{e.unit.code}-{e.kind}"), "unit")
    if steady:
        facts |= {"tasks_done": Decimal(100), "tasks_late": Decimal(0)}
    if modest:
        facts |= {"score_general": Decimal(24), "score_task_results": Decimal(44)}
    form = collective_form(Regime(e.cycle.regime))
    general, results = facts["score_general"], facts["score_task_results"]
    total = general + results
    weaknesses = rng.randint(0, 3)
    return units.UnitReviewData(
        sections=UNIT_SECTIONS,
        scores=spread(general, form.general) | spread(results, form.task_results),
        tasks_done=facts["tasks_done"],
        tasks_late=facts["tasks_late"],
        tasks_exceeded=facts["tasks_exceeded"],
        key_targets_missed=facts["tasks_done"] < 50,
        weaknesses_total=weaknesses,
        weaknesses_fixed=weaknesses if steady or rng.random() < 0.8 else 0,
        level_self=next(level for floor, level in SELF_LEVELS if total >= floor),
    )


# The level a collective claims for its score (R20's bands).
SELF_LEVELS = (
    (90, Level.EXCELLENT),
    (70, Level.GOOD),
    (50, Level.COMPLETED),
    (0, Level.NOT_COMPLETED),
)


def _draft(
    e: UnitEvaluation,
    by: User,
    rng: random.Random,
    *,
    steady: bool = False,
    modest: bool = False,
    submit: bool,
) -> UnitEvaluation:
    """The report saved by its committee, and submitted when `submit`."""
    data = _report(e, rng, steady=steady, modest=modest)
    e = units.save_unit_review(e, by=by, version=e.version, data=data)
    if submit:
        e = units.submit_unit_review(e, by=by, version=e.version)
    return e


def _peer_result(e: UnitEvaluation, by: User, kind: PeerKind, rng: random.Random) -> None:
    """The level of the agency or trade union of the same unit, with its decision."""
    agency = e.unit.name.removeprefix("Chi bộ ").removeprefix("Đảng bộ ")
    name = f"Công đoàn {agency}" if kind == PeerKind.MASS else f"Cơ quan {agency}"
    level = Level.EXCELLENT if rng.random() < 0.3 else Level.GOOD
    source = f"Quyết định số {rng.randint(20, 199)}/QĐ ngày 15/12/{e.cycle.year}"
    units.record_peer_result(e, by=by, kind=kind, name=name, level=level, source=source)


CONCLUSIONS = {
    ConclusionKind.DISUNITY: ("12-KL/UBKTHU", "Nội bộ cấp ủy mất đoàn kết, kéo dài."),
    ConclusionKind.DEGRADED_MEMBER: (
        "15-KL/UBKTHU",
        "Một cấp ủy viên có biểu hiện suy thoái về đạo đức, lối sống.",
    ),
    ConclusionKind.DISCIPLINED: ("4-QĐ/UBKTĐU", "Vi phạm quy định về quản lý tài chính."),
}


def _conclude(e: UnitEvaluation, by: User, kind: ConclusionKind) -> None:
    """A conclusion of the inspection commission, recorded with its document (R24, R25)."""
    number, reason = CONCLUSIONS[kind]
    units.record_conclusion(
        e,
        by=by,
        kind=kind,
        document_number=number,
        document_date=dt.date(e.cycle.year, 9, 25),
        reason=reason,
    )


def _propose(evaluations: list[UnitEvaluation], *, by: User, decider: Unit) -> dict[int, Level]:
    """The examining body proposes for each what the rules allow, the weakest excellent
    lowered to good so that each quota group of the deciding committee keeps within its
    quota (R26). Returns the levels proposed."""
    # Read again: a conclusion recorded since changes what the rules allow.
    fresh = UnitEvaluation.objects.filter(pk__in=[e.pk for e in evaluations])
    evaluations = list(fresh.select_related("unit", "cycle").order_by("unit_path", "kind"))
    groups: dict[units.GroupKey, list[Proposal]] = defaultdict(list)
    for e in evaluations:
        verdict = unit_verdict(e)
        assert verdict.level is not None  # every report is complete
        rank = Decimal(e.total_score or 0)
        groups[units.group_key(e, e.cycle.settings)].append(
            Proposal(str(e.pk), EngineLevel(verdict.level), rank)
        )
    levels: dict[int, Level] = {}
    for (kind, field), group in groups.items():
        code = f"{decider.code}/{kind}/{field}"
        drop = set(check_proposals(code, group, evaluations[0].cycle.settings).drop)
        levels |= {int(p.id): Level.GOOD if p.id in drop else Level(p.level) for p in group}
    for e in evaluations:
        units.propose_unit(e, by=by, level=levels[e.pk], note=EXAMINED)
    return levels
