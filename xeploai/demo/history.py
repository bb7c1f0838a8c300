"""The demo's cycles: results of 2017 as an office imports them (the labels of the rules of
that time, R34), final results for 2021-2025 (five years: the organisations excellent in all
of them qualify for the five-year commendation, R38) and the 2026 cycle part-way through.

Results come from the engine: each member gets plausible facts (a score sheet or criterion
grades), the engine gives the best level they allow, the cell sometimes proposes one lower,
and each grassroots unit keeps within the quota (R26), as a real district would.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone

from xeploai.cycles.models import Cycle, MemberEvaluation, Status, Step, UnitEvaluation
from xeploai.cycles.rules import member_facts, unit_facts
from xeploai.members.models import Member, StateLevel, StateResult
from xeploai.rules import (
    Grade,
    Level,
    check_quota,
    classify_member,
    classify_unit,
)
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit, UnitKind

from .tree import CURRENT_YEAR, Seeded, Tree

M = TypeVar("M", MemberEvaluation, UnitEvaluation)
REGIMES = {
    2017: "LEGACY",
    2021: "HD21",
    2022: "HD21",
    2023: "QD124",
    2024: "QD124",
    2025: "QD366",
    2026: "QD366",
}
# The strongest organisations: exemplary under the rules before 2018 and excellent in every
# year since, so that five years running qualify them for the commendation (R38).
EXEMPLARY = 0.97
SHEET_SHARE = 0.6  # share of 2026 members who have submitted their self-review so far
GRASSROOTS_AND_CELLS = ("GRASSROOTS_COMMITTEE", "GRASSROOTS_CELL", "CELL")


def make_cycles() -> list[Cycle]:
    cycles = []
    for year, regime in REGIMES.items():
        cycle = Cycle.for_year(year, regime, closed=year < CURRENT_YEAR)  # type: ignore[arg-type]
        if year == CURRENT_YEAR:
            cycle.self_review_due = dt.date(year, 12, 5)
            cycle.inputs_due = dt.date(year, 12, 10)
            cycle.meeting_due = dt.date(year, 12, 15)
            cycle.decision_due = dt.date(year, 12, 25)
            cycle.appraisal_due = dt.date(year + 1, 1, 15)
        cycles.append(cycle)
    return cycles


def strength_of(code: str) -> float:
    """A stable 0-1 "how strong a worker" per subject, the same in every cycle."""
    return (zlib.crc32(code.encode()) % 1000) / 1000


def _half(value: float) -> Decimal:
    return Decimal(round(value * 2)) / 2


def sheet(rng: random.Random, cycle: Cycle, strength: float, subject: str) -> dict[str, Any]:
    """Facts of a self-review as evaluation fields; a stronger subject scores higher."""
    done = 100 if rng.random() < 0.96 else rng.choice([45, 60, 80, 90])
    late = 0 if rng.random() < 0.85 + 0.1 * strength else rng.choice([5, 10, 15])
    fields: dict[str, Any] = {
        "tasks_done": Decimal(done),
        "tasks_late": Decimal(min(late, done)),
        "tasks_exceeded": Decimal(int(70 * strength * rng.random())),
    }
    if cycle.settings.method == "score":
        general = min(30.0, rng.gauss(25.5 + 3.5 * strength, 1.5))
        results = min(70.0, rng.gauss(57 + 12 * strength, 4))
        fields["score_general"] = _half(max(general, 10))
        fields["score_task_results"] = _half(max(results, 20))
    else:

        def grade() -> str:
            roll = rng.random() * 0.7 + 0.45 * strength
            return (
                Grade.EXCELLENT if roll > 0.8 else Grade.GOOD if roll > 0.08 else Grade.AVERAGE
            ).name

        fields["grades"] = {c: grade() for c in cycle.settings.criteria_for(subject)}
    return fields


def member_rows(tree: Tree, cycle: Cycle, rng: random.Random) -> list[MemberEvaluation]:
    """Evaluations of every member present in the cycle; the quota holds in each grassroots
    unit of the tree as it was that year (a member who moved counts where they were)."""
    grassroots_of = {c.unit.code: c.grassroots.code for c in tree.cells}
    rows: list[MemberEvaluation] = []
    groups: dict[str, list[tuple[MemberEvaluation, Level]]] = {}
    misrecorded = _misrecorded(tree, cycle)
    for s in tree.members:
        if s.member.admitted > cycle.end:
            continue
        if cycle.regime == "LEGACY":
            moved = s.transfer is not None and s.transfer.from_cell is not None
            cell = s.transfer.from_cell if moved and s.transfer else s.cell.unit
            assert cell is not None
            row = MemberEvaluation(cycle=cycle, member=s.member)
            rows.append(_imported(row, cell, s.member.code))
            continue
        row, level = _member_row(s, cycle, rng)
        if s.member.code == misrecorded:
            level = Level.GOOD
        rows.append(row)
        if level is not None and cycle.closed:
            groups.setdefault(grassroots_of[row.cell.code], []).append((row, level))
    for decided in groups.values():
        _decide_within_quota(decided, cycle)
    return rows


MISRECORDED_YEAR = 2023


def _misrecorded(tree: Tree, cycle: Cycle) -> str | None:
    """The member whose paper record of `MISRECORDED_YEAR` rates them GOOD though they were
    disciplined that year (R8), as an office's records sometimes do: imported as written, it
    is what the integrity page finds in history no engine checked."""
    if cycle.year != MISRECORDED_YEAR or not cycle.closed:
        return None
    disciplined = (
        s.member.code
        for s in tree.members
        if any(cycle.start <= d.decided <= cycle.end for d in s.disciplines)
    )
    return min(disciplined, default=None)


def _member_row(
    s: Seeded, cycle: Cycle, rng: random.Random
) -> tuple[MemberEvaluation, Level | None]:
    moved = s.transfer is not None and s.transfer.from_cell is not None and cycle.closed
    cell = s.transfer.from_cell if moved and s.transfer else s.cell.unit
    assert cell is not None
    row = MemberEvaluation(cycle=cycle, member=s.member, cell=cell, unit_path=cell.path)
    strength = strength_of(s.member.code)
    if cycle.closed or rng.random() < SHEET_SHARE:
        for name, value in sheet(rng, cycle, strength, "member").items():
            setattr(row, name, value)
    state = state_level_of(s.member, cycle)
    facts = member_facts(
        s.member,
        row,
        cycle,
        statuses=s.statuses,
        disciplines=s.disciplines,
        state_results=[StateResult(year=cycle.year, level=state)] if state else [],
    )
    verdict = classify_member(facts, cycle.period, cycle.settings)
    # A result is classified once decided; until then the member is pending (R29).
    row.status = Status.PENDING if verdict.level is not None else verdict.status.value
    if verdict.status in (EngineStatus.EXEMPT, EngineStatus.NOT_CLASSIFIED):
        row.status_reason = verdict.reasons[0].text
    if not verdict.reviewed:
        row.step = Step.NOT_REVIEWED
    elif cycle.closed:
        row.step = Step.PUBLISHED
    if verdict.level is None:
        return row, None
    # Most claim what the facts allow; some claim one better, as the quota exists to catch.
    row.level_self = verdict.level if rng.random() < 0.85 else Level(max(1, verdict.level - 1))
    proposed = verdict.level if rng.random() < 0.9 else Level(min(4, verdict.level + 1))
    return row, proposed


def state_level_of(member: Member, cycle: Cycle) -> str | None:
    """A civil servant's level in the state evaluation of the cycle's year, as their office
    rates them (the strongest excellent); a few offices have not rated theirs yet this year."""
    if not member.civil_servant or cycle.regime == "LEGACY":
        return None
    strength = strength_of(member.code)
    if not cycle.closed and 0.40 <= strength < 0.46:
        return None
    return StateLevel.EXCELLENT if strength > 0.75 else StateLevel.GOOD


def state_results_file(tree: Tree, cycles: list[Cycle]) -> Iterator[dict[str, object]]:
    """The rows of the file the personnel offices send in: each civil servant's state level
    of each year, with its decision."""
    for cycle in cycles:
        for n, s in enumerate(tree.members, start=1):
            level = state_level_of(s.member, cycle)
            if level is not None:
                yield {
                    "member_code": s.member.code,
                    "year": cycle.year,
                    "level": StateLevel(level).label,
                    "decision_number": f"{n}/QĐ-UBND",
                    "decision_date": min(dt.date(cycle.year, 12, 20), timezone.localdate()),
                }


def _decide_within_quota(decided: list[tuple[MemberEvaluation, Level]], cycle: Cycle) -> None:
    """Final levels of a closed cycle; the weakest excellent results drop to keep the quota."""
    good = sum(1 for _, level in decided if level == Level.GOOD)
    excellent = [row for row, level in decided if level == Level.EXCELLENT]
    must_drop = check_quota("", good, len(excellent), cycle.settings).must_drop
    excellent.sort(key=lambda row: (strength_of(row.member.code), row.member.code))
    dropped = {row.member.code for row in excellent[:must_drop]}
    for row, level in decided:
        final = Level.GOOD if row.member.code in dropped else level
        row.level_proposed = row.level_decided = row.level_final = final
        row.status = Status.CLASSIFIED


def unit_rows(tree: Tree, cycle: Cycle, rng: random.Random) -> Iterator[UnitEvaluation]:
    """Results of grassroots units and cells for the closed cycles, each group of them within
    its quota, as its deciding committee kept it (R26: same committee, same type of field)."""
    if not cycle.closed:
        return
    by_pk = {unit.pk: unit for unit in tree.units}
    groups: dict[tuple[int | None, str], list[UnitEvaluation]] = {}
    for unit in tree.units:
        if unit.kind not in GRASSROOTS_AND_CELLS:
            continue
        # A closed cycle's results are published, as the members' are.
        row = UnitEvaluation(cycle=cycle, unit=unit, unit_path=unit.path, step=Step.PUBLISHED)
        if cycle.regime == "LEGACY":
            yield _imported(row, unit, unit.code)
            continue
        for name, value in sheet(rng, cycle, strength_of(unit.code), "unit").items():
            setattr(row, name, value)
        if strength_of(unit.code) > EXEMPLARY:
            _exemplary_sheet(row, cycle)
        verdict = classify_unit(unit_facts(row, unit), cycle.period, cycle.settings)
        row.status = verdict.status.value
        row.level_proposed = row.level_decided = row.level_final = verdict.level
        parent = by_pk.get(unit.parent_id or 0)
        if parent is not None and parent.kind == UnitKind.PARTIAL_COMMITTEE:
            parent = by_pk.get(parent.parent_id or 0)
        groups.setdefault((parent.pk if parent else None, unit.field_type), []).append(row)
    for rows in groups.values():
        _units_within_quota(rows, cycle)
        yield from rows


def _exemplary_sheet(row: UnitEvaluation, cycle: Cycle) -> None:
    """The facts of an organisation that did every task on time and a good part beyond."""
    row.tasks_done, row.tasks_late, row.tasks_exceeded = Decimal(100), Decimal(0), Decimal(50)
    if cycle.settings.method == "score":
        row.score_general, row.score_task_results = Decimal(29), Decimal(68)
    else:
        row.grades = dict.fromkeys(cycle.settings.criteria_for("unit"), Grade.EXCELLENT.name)


def _units_within_quota(rows: list[UnitEvaluation], cycle: Cycle) -> None:
    """The weakest excellent organisations of a group drop to GOOD to keep its quota."""
    good = sum(1 for row in rows if row.level_final == Level.GOOD)
    excellent = [row for row in rows if row.level_final == Level.EXCELLENT]
    must_drop = check_quota("", good, len(excellent), cycle.settings).must_drop
    excellent.sort(key=lambda row: (strength_of(row.unit.code), row.unit.code))
    for row in excellent[:must_drop]:
        row.level_proposed = row.level_decided = row.level_final = Level.GOOD


# Labels of the rules before 2018 by rank, members' and organisations' (R34).
_LEGACY_LABELS = {
    "member": (
        "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ",
        "Đủ tư cách, hoàn thành tốt nhiệm vụ",
        "Đủ tư cách, hoàn thành nhiệm vụ",
        "Vi phạm tư cách",
    ),
    "unit": ("Trong sạch vững mạnh", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Yếu kém"),
}


def _imported(row: M, unit: Unit, code: str) -> M:
    """A result of the rules before 2018 as imported: its label and rank, no level (R34)."""
    strength = strength_of(code)
    ordinal = 1 if strength > 0.85 else 2 if strength > 0.15 else 3 if strength > 0.01 else 4
    subject = "member" if isinstance(row, MemberEvaluation) else "unit"
    row.label, row.ordinal = _LEGACY_LABELS[subject][ordinal - 1], ordinal
    row.exemplary = subject == "unit" and strength > EXEMPLARY
    if row.exemplary:
        row.label += " tiêu biểu"
    row.status = Status.CLASSIFIED
    if isinstance(row, MemberEvaluation):
        row.cell, row.unit_path, row.step = unit, unit.path, Step.PUBLISHED
    return row
