"""What waits on a user in the review, read from their member record and their roles: their own
self-review, the cells they run, the subtrees where they decide or appraise (the home page)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
from collections.abc import Iterable

from django.db.models import Case, Count, Exists, OuterRef, Q, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from xeploai.accounts.models import Role, User
from xeploai.accounts.policy import POWERS, Power
from xeploai.core.db import vietnamese
from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Step,
    UnitEvaluation,
)
from xeploai.members.models import Member
from xeploai.oversight.rules import OversightWork, oversight_work
from xeploai.units.models import GRASSROOTS_KINDS, SEGMENT, Unit

from .actions import open_follow_ups
from .models import FollowUp, Meeting, SelfReview
from .progress import WAITING
from .reminders import RESPONSIBLE
from .rules import Row, rows_for

# Steps past the self-review, and past the cell's proposal.
SUBMITTED = (Step.SUBMITTED, Step.PROPOSED, Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)
PROPOSED = SUBMITTED[1:]
# The steps a cell answers for when late: those whose reminders go to its proposers.
CELL_STEPS = tuple(step for step in WAITING if Power.PROPOSE in RESPONSIBLE[step])


def result_words(evaluation: MemberEvaluation) -> str:
    """A result as its member may read it: the level in words once published, the original
    label of an imported result (R34), or why there is none."""
    if evaluation.step == Step.NOT_REVIEWED:
        return str(evaluation.get_status_display())
    if evaluation.step != Step.PUBLISHED:
        return _("Chưa công khai")
    if evaluation.level_final:
        return str(Level(evaluation.level_final).label)
    return evaluation.label or str(evaluation.get_status_display())


def score_words(evaluation: MemberEvaluation) -> str:
    """The total score of a score sheet, the Vietnamese way and to one decimal as every page
    shows scores ("92,8", "95,0"); empty without one."""
    total = evaluation.total_score
    return "" if total is None else number_format(total, 1)


@dataclasses.dataclass(frozen=True)
class OwnReview:
    """A member's own review: this cycle's self-review, their last result, what to fix."""

    member: Member
    cycle: Cycle | None
    evaluation: MemberEvaluation | None  # in `cycle`
    previous: MemberEvaluation | None  # the latest yearly evaluation before `cycle`
    follow_ups: list[FollowUp]
    today: dt.date

    @property
    def action(self) -> str:
        """The button to the self-review: do it, go on with the draft, or see it."""
        e = self.evaluation
        if e is None or e.step == Step.NOT_REVIEWED:
            return ""
        if e.step != Step.SELF_REVIEW:
            return _("Xem")
        return _("Tiếp tục") if getattr(e, "started", False) else _("Làm")

    @property
    def due(self) -> dt.date | None:
        """The self-review's deadline, while it is the member's to do."""
        e = self.evaluation
        return e.cycle.due_for(Step.SELF_REVIEW) if e and e.step == Step.SELF_REVIEW else None

    @property
    def late(self) -> bool:
        return self.due is not None and self.today > self.due

    @property
    def result(self) -> str:
        """This cycle's result, once published."""
        e = self.evaluation
        return result_words(e) if e is not None and e.step == Step.PUBLISHED else ""

    @property
    def previous_result(self) -> str:
        return result_words(self.previous) if self.previous is not None else ""

    @property
    def previous_score(self) -> str:
        return score_words(self.previous) if self.previous is not None else ""


@dataclasses.dataclass(frozen=True)
class Late:
    """Someone, or some count, late at a step against the cycle's deadline for it."""

    step: Step
    due: dt.date
    name: str = ""
    count: int = 0


@dataclasses.dataclass(frozen=True)
class CellReview:
    """A cell's review as its secretary follows it: who submitted, inputs, meeting, proposals,
    and who is late."""

    cell: Unit
    rows: list[Row]
    meeting: Meeting | None
    late: list[Late]

    @property
    def reviewed(self) -> int:
        return sum(r.evaluation.step != Step.NOT_REVIEWED for r in self.rows)

    @property
    def submitted(self) -> int:
        return sum(r.evaluation.step in SUBMITTED for r in self.rows)

    @property
    def missing_inputs(self) -> int:
        """Members whose review still lacks a required comment (R7)."""
        return sum(bool(r.missing) for r in self.rows)

    @property
    def proposed(self) -> int:
        return sum(r.evaluation.step in PROPOSED for r in self.rows)


@dataclasses.dataclass
class Waiting:
    """What waits at one grassroots unit for the user's decision, appraisal or publication."""

    unit: Unit
    to_decide: int = 0
    to_appraise: int = 0
    to_publish: int = 0


# Grassroots units listed on a committee's card; the pending dashboard has the rest.
SHOWN = 20


@dataclasses.dataclass(frozen=True)
class SubtreeReview:
    """A committee's subtree: what waits on the user per grassroots unit, what is late."""

    unit: Unit
    waiting: list[Waiting]
    late: list[Late]

    @property
    def shown(self) -> list[Waiting]:
        return self.waiting[:SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.waiting) - SHOWN)


@dataclasses.dataclass(frozen=True)
class OrganisationWork:
    """The review of organisations and collectives at a unit a role of the user is on: its
    own reports still to write, and what waits below it on the user's powers."""

    unit: Unit
    to_report: int = 0  # its own organisation's and collective's reports, not submitted
    to_propose: int = 0  # reports submitted below it, to examine and propose
    to_decide: int = 0  # proposals below it, to decide
    to_appraise: int = 0  # decisions below it, to appraise

    def __bool__(self) -> bool:
        return bool(self.to_report or self.to_propose or self.to_decide or self.to_appraise)


@dataclasses.dataclass(frozen=True)
class StateWork:
    """A personnel office's civil servants still without a state level of the cycle's year."""

    unit: Unit
    missing: int


@dataclasses.dataclass(frozen=True)
class Work:
    """Everything that waits on a user, their own review first."""

    cycle: Cycle | None
    own: OwnReview | None
    cells: list[CellReview]
    subtrees: list[SubtreeReview]
    organisations: list[OrganisationWork] = dataclasses.field(default_factory=list)
    state: list[StateWork] = dataclasses.field(default_factory=list)
    leading: list[LeaderEvaluation] = dataclasses.field(default_factory=list)
    oversight: OversightWork | None = None  # the superior's suggestions, and its side of them

    def __bool__(self) -> bool:
        return bool(
            self.own
            or self.cells
            or self.subtrees
            or self.organisations
            or self.state
            or self.leading
            or self.oversight
        )


def work_of(user: User, today: dt.date) -> Work:
    """The user's work in the open yearly cycle, in a fixed number of queries (one more per
    committee the user's roles cover): each reads the user's own rows, or a subtree of their
    roles by its path range."""
    cycle = Cycle.objects.current()
    member = user.member
    own = _own_review(member, cycle, today) if member is not None else None
    roles = list(user.roles.select_related("unit"))
    cells = _units_with(roles, Power.PROPOSE, cells=True)
    committees = _tops(_units_with(roles, Power.DECIDE) + _units_with(roles, Power.APPRAISE))
    if cycle is None:
        return Work(None, own, [CellReview(c, [], None, []) for c in cells], _idle(committees))
    return Work(
        cycle,
        own,
        _cell_reviews(cells, cycle, today),
        _subtree_reviews(roles, committees, cycle, today),
        _organisation_work(roles, cycle),
        _state_work(roles, cycle),
        _leading(member, cycle) if member is not None else [],
        oversight_work(user, cycle, roles),
    )


def _leading(member: Member, cycle: Cycle) -> list[LeaderEvaluation]:
    """The member's own reviews as a leader, one per leading post (one query)."""
    rows = LeaderEvaluation.objects.filter(cycle=cycle, member=member).exclude(
        step=Step.NOT_REVIEWED
    )
    return list(rows.select_related("post", "unit", "member").order_by("-classified", "tier"))


def _state_work(roles: list[Role], cycle: Cycle) -> list[StateWork]:
    """Per unit of a personnel office's role, its current civil servants without a state
    level of the cycle's year (one query each)."""
    return [
        StateWork(
            unit,
            Member.objects.current()
            .in_subtree(unit)
            .filter(civil_servant=True)
            .exclude(state_results__year=cycle.year)
            .count(),
        )
        for unit in _tops(_units_with(roles, Power.RECORD_STATE))
    ]


def _units_with(roles: Iterable[Role], power: Power, *, cells: bool = False) -> list[Unit]:
    """The units of the roles that grant `power` (only cells, if asked), each once."""
    units = {
        r.unit.pk: r.unit
        for r in roles
        if power in POWERS.get(r.kind, frozenset()) and (r.unit.is_cell or not cells)
    }
    return sorted(units.values(), key=lambda u: u.path)


def _tops(units: list[Unit]) -> list[Unit]:
    """The units no other of them contains, each once."""
    unique = {u.pk: u for u in units}.values()
    return [u for u in unique if not any(o.pk != u.pk and o.is_ancestor_of(u) for o in unique)]


def _idle(units: list[Unit]) -> list[SubtreeReview]:
    return [SubtreeReview(u, [], []) for u in units]


# --- Organisations and collectives ----------------------------------------------------------

# What waits on each power in the review of organisations: at the role's own unit (its
# report), or below it.
UNIT_WAITS_ON: dict[Power, tuple[Step, str]] = {
    Power.DRAFT: (Step.SELF_REVIEW, "to_report"),
    Power.ASSESS: (Step.SUBMITTED, "to_propose"),
    Power.DECIDE_UNITS: (Step.PROPOSED, "to_decide"),
    Power.APPRAISE: (Step.DECIDED, "to_appraise"),
}


def _organisation_work(roles: list[Role], cycle: Cycle) -> list[OrganisationWork]:
    """Per unit of the user's roles that take part in the review of organisations, one grouped
    query over its subtree by its path range: counts by step, at the unit or below it."""
    found = []
    for role in sorted(roles, key=lambda r: r.unit.path):
        powers = POWERS.get(role.kind, frozenset()) & UNIT_WAITS_ON.keys()
        if not powers:
            continue
        unit = role.unit
        rows = (
            UnitEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
            .filter(Q(unit_path=unit.path) | ~Q(step=Step.SELF_REVIEW))
            .annotate(own=Case(When(unit_path=unit.path, then=True), default=False))
            .values("own", "step")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts = {(r["own"], r["step"]): r["n"] for r in rows}
        fields = {
            field: counts.get((power == Power.DRAFT, step), 0)
            for power, (step, field) in UNIT_WAITS_ON.items()
            if power in powers
        }
        work = OrganisationWork(unit, **fields)
        if work:
            found.append(work)
    return found


# --- The member's own review ----------------------------------------------------------------


def _own_review(member: Member, cycle: Cycle | None, today: dt.date) -> OwnReview:
    evaluations = (
        MemberEvaluation.objects.filter(member=member, cycle__kind=CycleKind.YEAR)
        .select_related("cycle")
        .annotate(started=Exists(SelfReview.objects.filter(evaluation=OuterRef("pk"))))
        .order_by("-cycle__year")
    )
    if cycle is not None:
        evaluations = evaluations.filter(cycle__year__lte=cycle.year)
    latest = list(evaluations[:2])
    current = next((e for e in latest if cycle is not None and e.cycle_id == cycle.pk), None)
    previous = next((e for e in latest if e is not current), None)
    return OwnReview(
        member, cycle, current, previous, _follow_ups(member, current, previous), today
    )


def _follow_ups(
    member: Member, current: MemberEvaluation | None, previous: MemberEvaluation | None
) -> list[FollowUp]:
    """The weaknesses the member's next self-review reports on (R37): as the open form lists
    them, or, with no evaluation open, those of the last result and older ones not fixed."""
    if current is not None:
        return open_follow_ups(current)
    last = Q(cycle_id=previous.cycle_id) if previous is not None else Q(pk__in=[])
    return list(
        FollowUp.objects.filter(member=member).filter(Q(fixed=False) | last).select_related("cycle")
    )


# --- The cells a secretary runs -------------------------------------------------------------


def _cell_reviews(cells: list[Unit], cycle: Cycle, today: dt.date) -> list[CellReview]:
    if not cells:
        return []
    evaluations = MemberEvaluation.objects.for_cycle(cycle).filter(cell__in=cells)
    rows = rows_for(evaluations.order_by(vietnamese("member__full_name")))
    meetings = {m.cell_id: m for m in Meeting.objects.filter(cycle=cycle, cell__in=cells)}
    reviews = []
    for cell in cells:
        mine = [r for r in rows if r.evaluation.cell_id == cell.pk]
        reviews.append(CellReview(cell, mine, meetings.get(cell.pk), _late_members(mine, today)))
    return reviews


def _late_members(rows: list[Row], today: dt.date) -> list[Late]:
    """The members late at a step the cell answers for, with that step's deadline."""
    late = []
    for row in rows:
        e = row.evaluation
        step = Step(e.step)
        due = e.cycle.due_for(step)
        if step in CELL_STEPS and due is not None and e.cycle.is_overdue(step, today):
            late.append(Late(step, due, name=e.member.full_name))
    return late


# --- The subtrees a committee decides or appraises ------------------------------------------


def _subtree_reviews(
    roles: list[Role], units: list[Unit], cycle: Cycle, today: dt.date
) -> list[SubtreeReview]:
    if not units:
        return []
    counts = _waiting_counts(roles, cycle)
    groups = _grassroots_of(counts, units)
    waiting: dict[str, Waiting] = {}
    for (path, field), n in counts.items():
        group = groups.get(path)
        if group is not None:
            entry = waiting.setdefault(group.path, Waiting(group))
            setattr(entry, field, getattr(entry, field) + n)
    return [
        SubtreeReview(
            unit,
            [w for _path, w in sorted(waiting.items()) if unit.is_ancestor_of(w.unit)],
            _late_counts(unit, cycle, today),
        )
        for unit in units
    ]


# What waits on each power, at which step.
WAITS_ON: dict[Power, tuple[tuple[Step, str], ...]] = {
    Power.DECIDE: ((Step.PROPOSED, "to_decide"), (Step.APPRAISED, "to_publish")),
    Power.APPRAISE: ((Step.DECIDED, "to_appraise"),),
}


def _waiting_counts(roles: list[Role], cycle: Cycle) -> dict[tuple[str, str], int]:
    """(cell path, Waiting field) → how many evaluations wait there on the user: one grouped
    query per power, over the subtrees of the roles that grant it."""
    counts: dict[tuple[str, str], int] = {}
    for power, steps in WAITS_ON.items():
        units = _tops(_units_with(roles, power))
        if not units:
            continue
        field = dict(steps)
        in_scope = functools.reduce(
            operator.or_, (MemberEvaluation.objects.for_cycle(cycle).in_subtree(u) for u in units)
        )
        rows = (
            in_scope.filter(step__in=field)
            .values("unit_path", "step")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            key = (row["unit_path"], field[Step(row["step"])])
            counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _grassroots_of(counts: dict[tuple[str, str], int], units: list[Unit]) -> dict[str, Unit]:
    """Cell path → the grassroots unit above it (or the cell itself, a grassroots cell), read
    in one query of the grassroots units of the committees' subtrees."""
    in_scope = functools.reduce(operator.or_, (Unit.objects.in_subtree(u) for u in units))
    by_path = {g.path: g for g in in_scope.filter(kind__in=GRASSROOTS_KINDS)}
    found = {}
    for path in {path for path, _field in counts}:
        # Grassroots units do not nest: the nearest one is the only one.
        for end in range(len(path), 0, -SEGMENT):
            if path[:end] in by_path:
                found[path] = by_path[path[:end]]
                break
    return found


def _late_counts(unit: Unit, cycle: Cycle, today: dt.date) -> list[Late]:
    """How many evaluations of the subtree are past the deadline of the step they wait at."""
    rows = (
        MemberEvaluation.objects.for_cycle(cycle)
        .in_subtree(unit)
        .filter(step__in=WAITING)
        .values("step")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {Step(r["step"]): r["n"] for r in rows}
    return [
        Late(step, due, count=counts[step])
        for step in WAITING
        if counts.get(step) and (due := cycle.due_for(step)) and cycle.is_overdue(step, today)
    ]
