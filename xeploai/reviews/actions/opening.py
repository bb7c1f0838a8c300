"""Opening the review: every member under a unit gets their evaluation, and keeps it in step
with their record while the cycle is open (R2-R4, R7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from itertools import islice

from django.db import transaction
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power
from xeploai.core.db import insert_rows
from xeploai.cycles.models import Cycle, MemberEvaluation, Status, Step
from xeploai.cycles.rules import Records, member_records, member_verdict
from xeploai.members.models import Member
from xeploai.reports import tally
from xeploai.rules import classify_member
from xeploai.units.models import Unit

from ..rules import grassroots_of
from .common import ReviewError, actor_for, locked, opening_state, save
from .leaders import open_leaders
from .units import open_units


@transaction.atomic
def open_cycle(unit: Unit, *, cycle: Cycle, by: User) -> int:
    """Create the evaluation of every current member under `unit` who has none in `cycle`,
    and record at once those the rules keep out of the review (R2-R4); and those of the
    organisations and collectives under it (`units.open_units`) and of the leading posts held
    there (`leaders.open_leaders`). Returns how many members."""
    actor_for(by, Power.OPEN, unit)
    if cycle.closed:
        raise ReviewError(_("Kỳ đánh giá đã kết thúc."))
    members = (
        Member.objects.current()
        .in_subtree(unit)
        .exclude(evaluations__cycle=cycle)
        .order_by("pk")
        .values_list("pk", "admitted", "civil_servant", "cell_id", "cell__path")
    )
    # The engine's verdict is the same for members whose facts are the same but for who they
    # are: most members of a subtree have no records and were admitted on one of a few
    # thousand days. So their facts are read without their codes, and the engine is asked
    # once for each distinct set of facts; for a member with no records, those of anyone
    # admitted the same day of the same service.
    verdicts: dict[object, tuple[str, str, str]] = {}

    def opening(member: _Opening, records: Records) -> tuple[str, str, str]:
        key: object = (member.admitted, member.civil_servant) if records.empty else None
        if key not in verdicts:
            facts = records.facts(member, None, cycle)
            key = key or facts
            if key not in verdicts:
                verdicts[key] = opening_state(classify_member(facts, cycle.period, cycle.settings))
        return verdicts[key]

    opened = 0
    cells: set[tuple[int, str]] = set()
    # A batch of members at a time, read as values, with their records read for the whole
    # batch, written without building their evaluations: the memory used does not grow with
    # the unit.
    streamed = members.iterator(chunk_size=BATCH)
    while batch := [_Opening(p, "", a, s, c, path) for p, a, s, c, path in islice(streamed, BATCH)]:
        among = Member.objects.in_subtree(unit).filter(pk__range=(batch[0].pk, batch[-1].pk))
        records = member_records(batch, cycle, among=among)
        insert_rows(
            MemberEvaluation,
            ("member_id", "cycle_id", "cell_id", "unit_path", "status", "status_reason", "step"),
            ((m.pk, cycle.pk, m.cell_id, m.cell_path, *opening(m, records[m.pk])) for m in batch),
        )
        cells.update((cycle.pk, m.cell_path) for m in batch)
        opened += len(batch)
    tally.touched_cells(cells)
    open_units(unit, cycle=cycle)
    open_leaders(unit, cycle=cycle)
    return opened


BATCH = 5000  # members opened at a time


def enrol(member: Member, *, cycle: Cycle) -> MemberEvaluation:
    """A member added or transferred in after the cycle opened joins it in their cell."""
    existing = MemberEvaluation.objects.filter(member=member, cycle=cycle).first()
    if existing is not None:
        return existing
    evaluation = _new_evaluation(member, cycle)
    evaluation.save()
    return evaluation


@transaction.atomic
@tally.deferred()
def follow_member(member: Member) -> MemberEvaluation | None:
    """Keep a member's evaluation of the open cycle in step with their record: one added after
    the cycle opened for their grassroots unit joins it; one transferred before their cell
    proposed a level moves to the receiving cell, which classifies them (R7); one who became
    exempt or suspended, or left the party, leaves the review, and comes back if that ends."""
    cycle = Cycle.objects.current()
    if cycle is None:
        return None
    evaluation = MemberEvaluation.objects.filter(member=member, cycle=cycle).first()
    if evaluation is None:
        group = grassroots_of(member.cell)
        opened = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=group.path)
        if member.left is not None or not opened.exists():
            return None
        return enrol(member, cycle=cycle)
    if evaluation.step not in (Step.NOT_REVIEWED, Step.SELF_REVIEW, Step.SUBMITTED):
        return evaluation  # proposed or later: changes go through the steps
    evaluation = locked(evaluation)
    fresh = _new_evaluation(member, cycle)
    if member.left is not None:
        fresh.step, fresh.status = Step.NOT_REVIEWED, Status.NOT_CLASSIFIED
        fresh.status_reason = _("Ra khỏi Đảng ngày {day}").format(day=f"{member.left:%d/%m/%Y}")
    if fresh.step == Step.NOT_REVIEWED:
        evaluation.step = Step.NOT_REVIEWED
    elif evaluation.step == Step.NOT_REVIEWED:
        evaluation.step = Step.SELF_REVIEW
    evaluation.status, evaluation.status_reason = fresh.status, fresh.status_reason
    tally.touched([evaluation])  # the cell it leaves, if it moves
    evaluation.cell, evaluation.unit_path = member.cell, member.cell.path
    save(evaluation, "step", "status", "status_reason", "cell", "unit_path")
    return evaluation


@dataclasses.dataclass(frozen=True, slots=True)
class _Opening:
    """What opening reads of a member; their code left empty (see `open_cycle`)."""

    pk: int
    code: str
    admitted: dt.date
    civil_servant: bool
    cell_id: int
    cell_path: str


def _new_evaluation(
    member: Member, cycle: Cycle, records: Records | None = None
) -> MemberEvaluation:
    """A member's evaluation as the review opens for them (`opening_state`); from `records` where
    their records were read already."""
    status, reason, step = opening_state(member_verdict(member, None, cycle, records))
    return MemberEvaluation(
        member=member,
        cycle=cycle,
        cell=member.cell,
        unit_path=member.cell.path,
        status=status,
        status_reason=reason,
        step=step,
    )
