"""The per-unit aggregates (`Tally`) kept in step with the evaluations, so that a report adds
up a few rows per cell instead of grouping every evaluation of its subtree (STACK.md, unit
tree).

A single save or deletion of an evaluation, a member, a post or a unit counts its cells again
at once, and new dates of a cycle count the cycle again (signals, in `apps.py`). Inside
`deferred()` the cells are only noted and counted again once, at the end of the block: bulk
writers (opening a cycle, imports) run inside it and name what they wrote with `touched()`;
the demo counts every cell once it has written them. The statistics compare three sums of the
evaluations themselves with the tally, so a write that escaped all of these is reported,
never silently counted."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, Exists, F, Model, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member, Post
from xeploai.units.models import Unit, UnitKind

from .models import MEMBERS, Tally
from .reasons import counted_reason

# The kinds of organisations the reports count, from the top of the tree down: the committees
# above grassroots level (đảng bộ tỉnh, huyện, đảng ủy khối and đảng bộ trực thuộc), then the
# grassroots organisations and their sub-units. The centre is not counted.
ORGANISATION_KINDS = (
    UnitKind.PROVINCE,
    UnitKind.DISTRICT,
    UnitKind.BLOC,
    UnitKind.GRASSROOTS_COMMITTEE,
    UnitKind.GRASSROOTS_CELL,
    UnitKind.PARTIAL_COMMITTEE,
    UnitKind.CELL,
)
BATCH = 500  # cells counted again per query
# The level a result counts at: the final one, or while the appraisal is awaited the decided one.
LEVEL = Coalesce("level_final", "level_decided")


@dataclasses.dataclass
class _Pending:
    cells: set[tuple[int, str]] = dataclasses.field(default_factory=set)  # (cycle id, path)
    members: set[int] = dataclasses.field(default_factory=set)
    units: set[int] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.cells or self.members or self.units)


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar("tally", default=None)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Note the changes made inside the block; count their cells again once, at its end."""
    if _pending.get() is not None:  # an outer block counts them
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    _flush(pending)


def touched(objs: Iterable[Model]) -> None:
    """Evaluations, members, posts or units written without signals (bulk writes)."""
    pending = _Pending()
    for obj in objs:
        if isinstance(obj, Member | Unit) and obj.pk is None:
            continue  # not written yet: no evaluation counts it
        if isinstance(obj, MemberEvaluation | UnitEvaluation):
            pending.cells.add((obj.cycle_id, obj.unit_path))
        elif isinstance(obj, Member):
            pending.members.add(obj.pk)
        elif isinstance(obj, Post):
            pending.members.add(obj.member_id)
        elif isinstance(obj, Unit):
            pending.units.add(obj.pk)
    outer = _pending.get()
    if outer is None:
        _flush(pending)
    else:
        outer.cells |= pending.cells
        outer.members |= pending.members
        outer.units |= pending.units


def _flush(pending: _Pending) -> None:
    if not pending:
        return
    cells = set(pending.cells)
    for ids in _batches(sorted(pending.members)):
        members = MemberEvaluation.objects.filter(member_id__in=ids)
        cells.update(members.values_list("cycle_id", "unit_path").distinct())
    for ids in _batches(sorted(pending.units)):  # a unit's kind sorts its own result
        units = UnitEvaluation.objects.filter(unit_id__in=ids)
        cells.update(units.values_list("cycle_id", "unit_path").distinct())
    refresh(cells)


def refresh(cells: Iterable[tuple[int, str]]) -> None:
    """Count these cells (cycle id, path) again from their evaluations."""
    by_cycle: dict[int, set[str]] = defaultdict(set)
    for cycle_id, path in cells:
        by_cycle[cycle_id].add(path)
    with transaction.atomic():
        for cycle in Cycle.objects.filter(pk__in=by_cycle):
            for paths in _batches(sorted(by_cycle[cycle.pk])):
                Tally.objects.filter(cycle=cycle, unit_path__in=paths).delete()
                Tally.objects.bulk_create(_count(cycle, Q(unit_path__in=paths)), batch_size=2000)


def rebuild(cycles: Iterable[Cycle] | None = None) -> int:
    """Count every cell of these cycles (all by default) again; returns the rows written."""
    written = 0
    with transaction.atomic():
        for cycle in cycles if cycles is not None else Cycle.objects.all():
            Tally.objects.filter(cycle=cycle).delete()
            rows = _count(cycle, Q())
            Tally.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def _count(cycle: Cycle, where: Q) -> list[Tally]:
    """The tally rows of the cells `where` selects, from two grouped queries."""
    in_post = Q(end__isnull=True) | Q(end__gte=cycle.start)
    leader = Exists(
        Post.objects.filter(in_post, member=OuterRef("member"), leader=True, start__lte=cycle.end)
    )
    probationary = Case(
        When(
            Q(member__full_member_since__isnull=False)
            & Q(member__full_member_since__lte=cycle.reference_date),
            then=Value(False),
        ),
        default=Value(True),
    )
    members = (
        MemberEvaluation.objects.filter(where, cycle=cycle)
        .annotate(subject=Value(MEMBERS), probationary=probationary, leader=leader, level=LEVEL)
        .values(*_GROUP)
        .annotate(n=Count("id"))
        .order_by()
    )
    units = (
        UnitEvaluation.objects.filter(
            where,
            cycle=cycle,
            kind=UnitEvaluationKind.ORGANISATION,
            unit__kind__in=ORGANISATION_KINDS,
        )
        .annotate(
            subject=F("unit__kind"), probationary=Value(False), leader=Value(False), level=LEVEL
        )
        .values(*_GROUP)
        .annotate(n=Count("id"))
        .order_by()
    )
    # Reasons by what they say (reasons.py): the exempt members of a cell, each exempt from
    # their own date for the same reason, are one row.
    counted: Counter[tuple[Any, ...]] = Counter()
    for rows in (members, units):
        for r in rows:
            counted[tuple(_counted(k, r[k]) for k in _GROUP)] += r["n"]
    return [
        Tally(cycle=cycle, n=n, **dict(zip(_GROUP, key, strict=True))) for key, n in counted.items()
    ]


_GROUP = (
    "unit_path",
    "subject",
    "status",
    "status_reason",
    "level",
    "label",
    "ordinal",
    "exemplary",
    "probationary",
    "leader",
)


def _counted(key: str, value: Any) -> Any:
    return counted_reason(value) if key == "status_reason" else value


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]
