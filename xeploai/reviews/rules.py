"""What a member's review needs, read from their records: the form, the required inputs (R7)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Prefetch, QuerySet

from xeploai.cycles.models import Cycle, MemberEvaluation, Step
from xeploai.cycles.rules import member_facts
from xeploai.members.models import (
    Discipline,
    Member,
    PostKind,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.rules import Regime, Verdict, classify_member
from xeploai.rules.scope import Stay, required_cell_comments
from xeploai.units.models import GRASSROOTS_KINDS, FieldType, Unit

from .models import InputKind
from .sheets import Form, form_for

# Cells in a workplace: their members also need the comment of the cell where they live.
WORKPLACE_FIELDS = (
    FieldType.PARTY_AGENCY,
    FieldType.ADMINISTRATION,
    FieldType.PUBLIC_SERVICE,
    FieldType.ENTERPRISE,
    FieldType.MILITARY,
    FieldType.POLICE,
)


@dataclasses.dataclass(frozen=True)
class Requirement:
    """A comment the review needs before the cell may propose a level."""

    kind: InputKind
    source: str
    unit: Unit | None = None  # the cell that comments, when it is in the tree

    @property
    def label(self) -> str:
        return f"{self.kind.label}: {self.source}"


def is_leader(member: Member, cycle: Cycle) -> bool:
    return any(
        p.leader and p.start <= cycle.end and (p.end is None or p.end >= cycle.start)
        for p in member.posts.all()
    )


def member_form(member: Member, cycle: Cycle) -> Form:
    return form_for(
        Regime(cycle.regime),
        leader=is_leader(member, cycle),
        in_political_system=member.in_political_system,
    )


def required_inputs(evaluation: MemberEvaluation) -> list[Requirement]:
    """The comments this member's review needs (DOMAIN.md 4 step 2, R7)."""
    member, cycle, cell = evaluation.member, evaluation.cycle, evaluation.cell
    required: list[Requirement] = []
    at_work = cell.field_type in WORKPLACE_FIELDS
    if at_work:
        required.append(Requirement(InputKind.RESIDENCE, str(InputKind.RESIDENCE.label)))
    posts = [
        p
        for p in member.posts.all()
        if p.start <= cycle.end and (p.end is None or p.end >= cycle.start)
    ]
    for post in posts:
        if post.kind == PostKind.MASS and post.leader:
            required.append(
                Requirement(InputKind.MASS_ORGANISATION, post.organisation or post.title)
            )
    if at_work and member.in_political_system and not any(p.head for p in posts):
        required.append(Requirement(InputKind.HEAD, cell.name.removeprefix("Chi bộ ").strip()))
    stays = tuple(
        Stay(str(t.from_cell_id), _previous_move(member, t.date, cycle), t.date)
        for t in member.transfers.all()
        if t.from_cell_id and cycle.start <= t.date <= cycle.end
    ) + tuple(
        Stay(str(s.temporary_cell_id), s.start, s.end or cycle.end, temporary=True)
        for s in member.status_periods.all()
        if s.kind == StatusKind.TEMPORARY
        and s.temporary_cell_id
        and s.start <= cycle.end
        and (s.end is None or s.end >= cycle.start)
    )
    temporary = {st.cell for st in stays if st.temporary}
    # The cells stayed in, as read with the member's transfers and statuses (`rows_for`).
    cells = [t.from_cell for t in member.transfers.all()]
    cells += [s.temporary_cell for s in member.status_periods.all()]
    by_id = {c.pk: c for c in cells if c is not None}
    for cell_id in required_cell_comments(stays, cycle.period, cycle.settings.new_member_months):
        other = by_id[int(cell_id)]
        kind = InputKind.TEMPORARY_CELL if cell_id in temporary else InputKind.OLD_CELL
        required.append(Requirement(kind, other.name, other))
    return required


def _previous_move(member: Member, before: dt.date, cycle: Cycle) -> dt.date:
    """When the member arrived in the cell they left on `before`: their previous transfer in,
    or the start of the period."""
    earlier = [t.date for t in member.transfers.all() if t.date < before]
    return max(earlier, default=cycle.start)


def missing_inputs(evaluation: MemberEvaluation) -> list[Requirement]:
    entered = {(i.kind, i.source) for i in evaluation.inputs.all()}
    return [r for r in required_inputs(evaluation) if (r.kind, r.source) not in entered]


def grassroots_of(unit: Unit) -> Unit:
    """The grassroots unit (TCCSĐ) a cell belongs to: the quota group of its members (R26)."""
    found = (
        Unit.objects.filter(path__in=unit.ancestor_paths(), kind__in=GRASSROOTS_KINDS)
        .order_by("-depth")
        .first()
    )
    if found is None:
        raise LookupError(f"{unit.code} is not under a grassroots unit")
    return found


@dataclasses.dataclass(frozen=True)
class Row:
    """One member's evaluation as a page lists it: what the rules allow and what is missing."""

    evaluation: MemberEvaluation
    verdict: Verdict
    missing: list[Requirement]


def rows_for(evaluations: QuerySet[MemberEvaluation]) -> list[Row]:
    """The rows of a list of evaluations, reading each member's records once."""
    evaluations = evaluations.select_related(
        "member", "cycle", "cell", "proposal"
    ).prefetch_related(
        "inputs",
        "member__posts",
        Prefetch("member__transfers", queryset=Transfer.objects.select_related("from_cell")),
        Prefetch(
            "member__status_periods",
            queryset=StatusPeriod.objects.select_related("temporary_cell"),
        ),
        Prefetch("member__disciplines", queryset=Discipline.objects.select_related("counted_in")),
    )
    rows = []
    for e in evaluations:
        facts = member_facts(
            e.member,
            e,
            e.cycle,
            statuses=e.member.status_periods.all(),
            disciplines=e.member.disciplines.all(),
        )
        verdict = classify_member(facts, e.cycle.period, e.cycle.settings)
        missing = missing_inputs(e) if e.step in (Step.SELF_REVIEW, Step.SUBMITTED) else []
        rows.append(Row(e, verdict, missing))
    return rows
