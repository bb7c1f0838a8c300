"""Rows to engine facts, and the engine's verdict for an evaluation (STYLE.md 2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import QuerySet

from xeploai.members.models import Discipline as MemberDiscipline
from xeploai.members.models import Member, StateResult, StatusKind, StatusPeriod
from xeploai.rules import (
    Discipline,
    Grade,
    Level,
    MemberFacts,
    Score,
    Tasks,
    UnitFacts,
    UnitKind,
    Verdict,
    Weaknesses,
    classify_member,
)
from xeploai.rules.facts import Exemption, StateLevel
from xeploai.rules.levels import DisciplineForm
from xeploai.rules.spans import Span, calendar_months
from xeploai.units.models import CELL_KINDS, GRASSROOTS_KINDS, Unit

from .models import Cycle, EvaluationFacts, LeaderEvaluation, MemberEvaluation, UnitEvaluation


def _in_force(periods: list[StatusPeriod], kind: StatusKind, day: dt.date) -> StatusPeriod | None:
    for p in periods:
        if p.kind == kind and p.start <= day and (p.end is None or p.end >= day):
            return p
    return None


def _months(periods: list[StatusPeriod], kind: StatusKind, cycle: Cycle) -> Decimal:
    """Calendar months of the cycle covered by periods of `kind`, each day counted once
    however many periods cover it (R14, R15; `calendar_months` says how)."""
    spans = [Span(p.start, p.end) for p in periods if p.kind == kind]
    return calendar_months(spans, cycle.start, cycle.end) if spans else Decimal(0)


class MemberRecord(Protocol):
    """What the engine reads of a member themselves: a `Member`, or the few values of one
    read without building it (opening a large subtree)."""

    @property
    def pk(self) -> Any: ...
    @property
    def code(self) -> str: ...
    @property
    def admitted(self) -> dt.date: ...
    @property
    def civil_servant(self) -> bool: ...


def member_facts(
    member: MemberRecord,
    evaluation: MemberEvaluation | LeaderEvaluation | None,
    cycle: Cycle,
    *,
    statuses: Iterable[StatusPeriod],
    disciplines: Iterable[MemberDiscipline],
    state_results: Iterable[StateResult],
) -> MemberFacts:
    """What the engine needs to know of a member for a cycle, read from their records.

    Suspensions count as they stand at the cycle's reference date; exemptions are passed
    with their dates and the engine judges them by the regime's `exempt_basis` (R2); leave
    counts in calendar months of the period; discipline is passed whole and the engine picks
    what falls in the period; the state evaluation is the one of the cycle's year, as the
    personnel office recorded it (R12, R17).
    """
    periods = list(statuses)
    state = next((r for r in state_results if r.year == cycle.year), None)
    day = cycle.reference_date
    suspended = _in_force(periods, StatusKind.SUSPENDED, day)
    committee_only = _in_force(periods, StatusKind.SUSPENDED_COMMITTEE, day)
    e = evaluation
    return MemberFacts(
        id=member.code,
        admitted=member.admitted,
        exemptions=tuple(
            Exemption(p.start, p.end, p.reason) for p in periods if p.kind == StatusKind.EXEMPT
        ),
        suspended=suspended is not None or committee_only is not None,
        suspended_from_committee_only=suspended is None and committee_only is not None,
        discipline=tuple(
            Discipline(
                form=DisciplineForm(d.form),
                decided=d.decided,
                counted_in_year=d.counted_in.year if d.counted_in else None,
                self_remedied=d.self_remedied,
            )
            for d in disciplines
        ),
        degraded=bool(e and e.degraded),
        tasks=_tasks(e),
        grades=_grades(e),
        score=_score(e),
        weaknesses=Weaknesses(e.weaknesses_total, e.weaknesses_fixed) if e else Weaknesses(),
        civil_servant=member.civil_servant,
        state_level=StateLevel(state.level) if state else None,
        sick_leave_months=_months(periods, StatusKind.SICK_LEAVE, cycle),
        maternity_leave_months=_months(periods, StatusKind.MATERNITY_LEAVE, cycle),
        # This is the member's classification in their cell; a leader's second classification
        # as a leader, with the results of the units they lead (R10, R16, R20, R32), is a
        # separate evaluation.
        leader=False,
    )


def unit_facts(
    evaluation: UnitEvaluation,
    unit: Unit,
    *,
    sub_results: tuple[Level, ...] | None = None,
    subunits: int = 0,
    subunits_disciplined: int = 0,
    leadership_discipline: tuple[DisciplineForm, ...] = (),
    peer_levels: tuple[Level, ...] | None = None,
) -> UnitFacts:
    """What the engine needs to know of an organisation or a collective for a cycle: its
    evaluation, and what the review computed from the records below it (`reviews.rules`)."""
    e = evaluation
    tasks = unit_tasks(e)
    return UnitFacts(
        id=unit.code,
        founded=unit.founded,
        kind=UnitKind(e.kind),
        grassroots_or_cell=unit.kind in GRASSROOTS_KINDS + CELL_KINDS,
        disciplined=e.disciplined,
        subunits=subunits,
        subunits_disciplined=subunits_disciplined,
        leadership_discipline=leadership_discipline,
        disunity=e.disunity,
        degraded_member=e.degraded_member,
        tasks=tasks,
        grades=_grades(e),
        score=_score(e),
        weaknesses=Weaknesses(e.weaknesses_total, e.weaknesses_fixed),
        sub_results=sub_results,
        peer_levels=peer_levels,
    )


def unit_tasks(evaluation: UnitEvaluation) -> Tasks | None:
    """An organisation's results as its report gives them, key targets and force majeure
    included (R10): its own facts, and those of the units a leader leads."""
    tasks = _tasks(evaluation)
    if tasks is None:
        return None
    return dataclasses.replace(
        tasks,
        key_targets_missed=evaluation.key_targets_missed,
        force_majeure=evaluation.force_majeure,
    )


def _grades(e: EvaluationFacts | None) -> dict[str, Grade] | None:
    return {k: Grade[v] for k, v in e.grades.items()} if e and e.grades else None


def _score(e: EvaluationFacts | None) -> Score | None:
    if e is None or e.score_general is None or e.score_task_results is None:
        return None
    return Score(e.score_general, e.score_task_results)


def _tasks(e: EvaluationFacts | None) -> Tasks | None:
    if e is None or e.tasks_done is None:
        return None
    return Tasks(e.tasks_done, e.tasks_late, e.tasks_exceeded)


@dataclasses.dataclass
class Records:
    """A member's records the engine reads for a cycle (`member_facts`)."""

    statuses: list[StatusPeriod] = dataclasses.field(default_factory=list)
    disciplines: list[MemberDiscipline] = dataclasses.field(default_factory=list)
    state_results: list[StateResult] = dataclasses.field(default_factory=list)  # of its year

    @property
    def empty(self) -> bool:
        return not (self.statuses or self.disciplines or self.state_results)

    def facts(
        self,
        member: MemberRecord,
        evaluation: MemberEvaluation | LeaderEvaluation | None,
        cycle: Cycle,
    ) -> MemberFacts:
        return member_facts(
            member,
            evaluation,
            cycle,
            statuses=self.statuses,
            disciplines=self.disciplines,
            state_results=self.state_results,
        )


def member_records(
    members: Iterable[MemberRecord], cycle: Cycle, *, among: QuerySet[Member] | None = None
) -> dict[int, Records]:
    """The records of these members for the cycle, by member id, in three queries however
    many members there are. `among`, members that include them, reads the records by a join
    instead of a list of every id: the records of others are read and left out."""
    found = {m.pk: Records() for m in members}
    ids = list(found) if among is None else among.values("pk")
    none = Records()  # where the records of the others go
    for period in StatusPeriod.objects.filter(member_id__in=ids):
        found.get(period.member_id, none).statuses.append(period)
    disciplines = MemberDiscipline.objects.filter(member_id__in=ids)
    for discipline in disciplines.select_related("counted_in"):
        found.get(discipline.member_id, none).disciplines.append(discipline)
    for result in StateResult.objects.filter(member_id__in=ids, year=cycle.year):
        found.get(result.member_id, none).state_results.append(result)
    return found


def member_verdict(
    member: Member,
    evaluation: MemberEvaluation | None,
    cycle: Cycle,
    records: Records | None = None,
) -> Verdict:
    """What the engine allows for a member in a cycle, and why; from `records` where the
    caller read them already (`member_records`)."""
    records = records or member_records([member], cycle)[member.pk]
    facts = records.facts(member, evaluation, cycle)
    return classify_member(facts, cycle.period, cycle.settings)
