"""What a review needs, read from the records: a member's form and required inputs (R7); an
organisation's facts computed from the results below it, and what it waits on (R20-R25, R30)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.cycles.rules import member_facts, unit_facts
from xeploai.members.models import (
    Discipline,
    Member,
    PostKind,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.rules import (
    DisciplineForm,
    Regime,
    UnitFacts,
    Verdict,
    classify_member,
    classify_unit,
)
from xeploai.rules import Level as EngineLevel
from xeploai.rules.scope import Stay, required_cell_comments
from xeploai.units.models import GRASSROOTS_KINDS, FieldType, Unit, UnitKind

from .models import InputKind, PeerResult
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

    @property
    def code(self) -> str:
        return self.evaluation.member.code


def rows_for(evaluations: QuerySet[MemberEvaluation]) -> list[Row]:
    """The rows of a list of evaluations, reading each member's records once."""
    evaluations = evaluations.select_related(
        "member", "cycle", "cell", "proposal"
    ).prefetch_related(
        "inputs",
        "member__posts",
        "member__state_results",
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
            state_results=e.member.state_results.all(),
        )
        verdict = classify_member(facts, e.cycle.period, e.cycle.settings)
        missing = missing_inputs(e) if e.step in (Step.SELF_REVIEW, Step.SUBMITTED) else []
        rows.append(Row(e, verdict, missing))
    return rows


# --- Organisations and leadership collectives ------------------------------------------------

# Steps at which a result below counts as decided for the ordering of R30.
DECIDED_STEPS = (Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)
# Results that wait on nobody: out of the review, or reviewed and given no level.
_NO_LEVEL = (Status.EXEMPT, Status.NOT_CLASSIFIED)


def deciding_unit(unit: Unit) -> Unit | None:
    """The committee that decides an organisation's or a collective's level (HD 43): the
    nearest unit above it that is not a partial committee, whose cells the grassroots
    committee decides. None at the top of the tree."""
    return (
        Unit.objects.filter(path__in=unit.ancestor_paths()[:-1])
        .exclude(kind=UnitKind.PARTIAL_COMMITTEE)
        .order_by("-depth")
        .first()
    )


def unit_verdict(evaluation: UnitEvaluation, facts: UnitFacts | None = None) -> Verdict:
    """What the engine allows for an organisation or a collective, and why; from `facts`
    when the caller has already read them."""
    cycle = evaluation.cycle
    facts = facts or computed_unit_facts(evaluation)
    return classify_unit(facts, cycle.period, cycle.settings)


def computed_unit_facts(evaluation: UnitEvaluation) -> UnitFacts:
    """An organisation's or a collective's facts (`computed_units_facts`)."""
    return computed_units_facts([evaluation])[evaluation.pk]


def computed_units_facts(evaluations: Sequence[UnitEvaluation]) -> dict[int, UnitFacts]:
    """The facts of organisations' or collectives' results of one cycle, by the result's
    id, from their own reports and from what the records below them say (R20-R25): the
    results of their sub-units (a committee) or members (a cell), the sub-units
    disciplined, the discipline of the members of their leadership in the year, and the
    levels of the organisations of the same unit; in four queries however many there are."""
    if not evaluations:
        return {}
    cycle = evaluations[0].cycle
    units = {e.unit_id: e.unit for e in evaluations}
    level = Coalesce("level_final", "level_decided")
    sub_results: dict[int, list[EngineLevel]] = defaultdict(list)
    subunits: Counter[int] = Counter()
    disciplined: Counter[int] = Counter()
    below = (
        UnitEvaluation.objects.filter(
            cycle=cycle, kind=UnitEvaluationKind.ORGANISATION, unit__parent__in=list(units)
        )
        .exclude(step=Step.NOT_REVIEWED)
        .annotate(at=level)
        .values_list("unit__parent_id", "status", "at", "disciplined")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for parent, status, at, was_disciplined, n in below:
        subunits[parent] += n
        disciplined[parent] += n if was_disciplined else 0
        if not units[parent].is_cell and status == Status.CLASSIFIED and at is not None:
            sub_results[parent] += [EngineLevel(at)] * n
    cells = {u.path: pk for pk, u in units.items() if u.is_cell}
    members = (
        MemberEvaluation.objects.filter(
            cycle=cycle, unit_path__in=list(cells), status=Status.CLASSIFIED
        )
        .annotate(at=level)
        .filter(at__isnull=False)
        .values_list("unit_path", "at")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for path, at, n in members:
        sub_results[cells[path]] += [EngineLevel(at)] * n
    # The discipline in the year of the members holding a party post at each unit in the
    # year: each once per unit, however many posts they hold there.
    forms: dict[int, list[int]] = defaultdict(list)
    disciplines = (
        Discipline.objects.filter(
            Q(member__posts__end__isnull=True) | Q(member__posts__end__gte=cycle.start),
            member__posts__unit__in=list(units),
            member__posts__kind=PostKind.PARTY,
            member__posts__start__lte=cycle.end,
            decided__range=(cycle.start, cycle.end),
        )
        .values_list("member__posts__unit_id", "pk", "form")
        .distinct()
        .order_by("member__posts__unit_id", "pk")
    )
    for unit_id, _pk, form in disciplines:
        forms[unit_id].append(form)
    peers: dict[int, list[EngineLevel]] = defaultdict(list)
    peer_levels = PeerResult.objects.filter(evaluation__in=[e.pk for e in evaluations])
    for evaluation_id, peer in peer_levels.values_list("evaluation_id", "level").order_by("pk"):
        peers[evaluation_id].append(EngineLevel(peer))
    return {
        e.pk: unit_facts(
            e,
            e.unit,
            sub_results=tuple(sub_results[e.unit_id]) or None,
            subunits=subunits[e.unit_id],
            subunits_disciplined=disciplined[e.unit_id],
            leadership_discipline=tuple(DisciplineForm(f) for f in forms[e.unit_id]),
            peer_levels=tuple(peers[e.pk]) or None,
        )
        for e in evaluations
    }


@dataclasses.dataclass(frozen=True)
class Waiting:
    """A result below an organisation that must be decided before it (R30)."""

    name: str
    step: str  # where it stands, in words
    unit: Unit  # the cell of a member, or the organisation itself
    member_code: str = ""  # a member's, to link to their review


def _undecided(
    cycle: Cycle, path: str
) -> tuple[QuerySet[MemberEvaluation], QuerySet[UnitEvaluation]]:
    """The members' and organisations' results under `path` not decided yet, that must be
    before the unit at `path` is (R30)."""
    members = (
        MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=path)
        .exclude(step__in=(Step.NOT_REVIEWED, *DECIDED_STEPS))
        .exclude(status__in=_NO_LEVEL)
    )
    units = (
        UnitEvaluation.objects.filter(
            cycle=cycle, kind=UnitEvaluationKind.ORGANISATION, unit_path__startswith=path
        )
        .exclude(unit_path=path)
        .exclude(step__in=(Step.NOT_REVIEWED, *DECIDED_STEPS))
        .exclude(status__in=_NO_LEVEL)
    )
    return members, units


def waiting_below(evaluation: UnitEvaluation, *, limit: int = 50) -> tuple[list[Waiting], int]:
    """The results under the organisation's unit not yet decided, members and organisations
    (R30: lower levels before higher ones): the first `limit` of them, and how many in all.
    A collective waits on the same."""
    members, units = _undecided(evaluation.cycle, evaluation.unit.path)
    total = units.count() + members.count()
    found = [
        Waiting(e.unit.name, e.step_label(), e.unit)
        for e in units.select_related("unit").order_by("unit_path")[:limit]
    ]
    found += [
        Waiting(e.member.full_name, str(Step(e.step).label), e.cell, e.member.code)
        for e in members.select_related("member", "cell").order_by("unit_path", "member__code")[
            : max(0, limit - len(found))
        ]
    ]
    return found, total


def waiting_counts(unit: Unit, cycle: Cycle, paths: Iterable[str]) -> dict[str, int]:
    """For each of these paths under `unit`, how many results below it are not decided yet
    (R30), counted in two grouped queries whatever the number of paths."""
    members, units = _undecided(cycle, unit.path)
    by_path = [
        Counter(dict(rows.values_list("unit_path").annotate(n=Count("pk")).order_by()))
        for rows in (members, units)
    ]
    # A cell's members are at its own path; an organisation's own result is not below it.
    return {
        p: sum(n for below, n in by_path[0].items() if below.startswith(p))
        + sum(n for below, n in by_path[1].items() if below.startswith(p) and below != p)
        for p in paths
    }
