"""The statistics of a unit's subtree for one cycle (DOMAIN.md 5): members by status and level,
organisations by kind and level, for the subtree as a whole and for each direct child, and
whether they reconcile (R36).

The whole and the children are counted by two separate queries, so that reconciliation
compares two computations rather than one with itself. Evaluations carry the path of their
cell in that year, so a past cycle rolls up along the tree as it was."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Self

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from xeploai.cycles.models import (
    Cycle,
    Level,
    MemberEvaluation,
    Status,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.units.models import SEGMENT, Unit, UnitKind

ORGANISATION_KINDS = (
    UnitKind.GRASSROOTS_COMMITTEE,
    UnitKind.GRASSROOTS_CELL,
    UnitKind.PARTIAL_COMMITTEE,
    UnitKind.CELL,
)


@dataclasses.dataclass
class Figures:
    """Counts of one population (members, or organisations of one kind) by status and level."""

    total: int = 0
    exempt: Counter[str] = dataclasses.field(default_factory=Counter)  # by reason
    pending: Counter[str] = dataclasses.field(default_factory=Counter)  # by reason
    not_classified_new: int = 0
    classified: int = 0
    levels: Counter[int] = dataclasses.field(default_factory=Counter)  # by current level
    # Imported results of earlier regimes: their own label and rank, never a level (R34).
    labels: Counter[tuple[str, int]] = dataclasses.field(default_factory=Counter)

    def add_row(
        self, status: str, reason: str, level: int | None, label: str, ordinal: int | None, n: int
    ) -> None:
        self.total += n
        if status == Status.EXEMPT:
            self.exempt[reason] += n
        elif status == Status.PENDING:
            self.pending[reason] += n
        elif status == Status.NOT_CLASSIFIED:
            self.not_classified_new += n
        else:
            self.classified += n
            if level is not None:
                self.levels[level] += n
            elif ordinal is not None:
                self.labels[(label, ordinal)] += n

    def __iadd__(self, other: Self) -> Self:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    @property
    def good_or_better(self) -> int:
        return self.levels[Level.EXCELLENT] + self.levels[Level.GOOD]

    def problems(self, where: str) -> list[str]:
        """Where this population's own sums fail (R36)."""
        found = []
        parts = self.classified + sum(self.exempt.values()) + sum(self.pending.values())
        if self.total != parts + self.not_classified_new:
            found.append(
                _(
                    "{where}: tổng số {total} khác số đã xếp loại, miễn, chưa đánh giá và không"
                    " xếp loại cộng lại ({parts})."
                ).format(where=where, total=self.total, parts=parts + self.not_classified_new)
            )
        ranked = sum(self.levels.values()) + sum(self.labels.values())
        if self.classified != ranked:
            found.append(
                _("{where}: {classified} đã xếp loại nhưng các mức cộng lại {ranked}.").format(
                    where=where, classified=self.classified, ranked=ranked
                )
            )
        return found


@dataclasses.dataclass
class MemberFigures(Figures):
    full: int = 0
    probationary: int = 0

    def problems(self, where: str) -> list[str]:
        found = super().problems(where)
        if self.total != self.full + self.probationary:
            found.append(
                _("{where}: {total} đảng viên nhưng chính thức và dự bị cộng lại {sum}.").format(
                    where=where, total=self.total, sum=self.full + self.probationary
                )
            )
        return found


@dataclasses.dataclass
class Part:
    """The figures of a part of the subtree: a direct child, or the unit's own members."""

    unit: Unit
    own: bool  # the unit's own members (a cell), not a child's subtree
    members: MemberFigures
    organisations: dict[str, Figures]  # by unit kind


@dataclasses.dataclass
class Statistics:
    unit: Unit
    cycle: Cycle
    members: MemberFigures
    organisations: dict[str, Figures]
    parts: list[Part]
    problems: list[str]

    @property
    def reconciled(self) -> bool:
        return not self.problems


def statistics(unit: Unit, cycle: Cycle) -> Statistics:
    members = MemberFigures()
    _count_members(members, _member_rows(unit, cycle, by_child=False))
    organisations = _organisation_figures(_unit_rows(unit, cycle, by_child=False))
    parts = _parts(unit, cycle)
    problems = members.problems(unit.name)
    for kind, figures in organisations.items():
        problems += figures.problems(f"{unit.name} — {UnitKind(kind).label}")
    for part in parts:
        problems += part.members.problems(part.unit.name)
    problems += _unreconciled(unit, members, organisations, parts)
    return Statistics(unit, cycle, members, organisations, parts, problems)


def _member_rows(unit: Unit, cycle: Cycle, *, by_child: bool) -> QuerySet[Any, dict[str, Any]]:
    rows = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
    probationary = Case(
        When(
            Q(member__full_member_since__isnull=False)
            & Q(member__full_member_since__lte=cycle.reference_date),
            then=Value(False),
        ),
        default=Value(True),
    )
    group = ["status", "status_reason", "level_final", "label", "ordinal", "probationary"]
    if by_child:
        rows = rows.annotate(part=Substr("unit_path", 1, len(unit.path) + SEGMENT))
        group.append("part")
    return (
        rows.annotate(probationary=probationary).values(*group).annotate(n=Count("id")).order_by()
    )


def _count_members(figures: MemberFigures, rows: Iterable[Mapping[str, Any]]) -> None:
    for r in rows:
        figures.add_row(
            r["status"], r["status_reason"], r["level_final"], r["label"], r["ordinal"], r["n"]
        )
        if r["probationary"]:
            figures.probationary += r["n"]
        else:
            figures.full += r["n"]


def _unit_rows(unit: Unit, cycle: Cycle, *, by_child: bool) -> QuerySet[Any, dict[str, Any]]:
    rows = UnitEvaluation.objects.filter(
        cycle=cycle,
        kind=UnitEvaluationKind.ORGANISATION,
        unit_path__startswith=unit.path,
        unit__kind__in=ORGANISATION_KINDS,
    ).annotate(unit_kind=F("unit__kind"))
    group = ["unit_kind", "status", "status_reason", "level_final", "label", "ordinal"]
    if by_child:
        rows = rows.annotate(part=Substr("unit_path", 1, len(unit.path) + SEGMENT))
        group.append("part")
    return rows.values(*group).annotate(n=Count("id")).order_by()


def _organisation_figures(rows: Iterable[Mapping[str, Any]]) -> dict[str, Figures]:
    figures = {str(kind): Figures() for kind in ORGANISATION_KINDS}
    for r in rows:
        figures[r["unit_kind"]].add_row(
            r["status"], r["status_reason"], r["level_final"], r["label"], r["ordinal"], r["n"]
        )
    return figures


def _parts(unit: Unit, cycle: Cycle) -> list[Part]:
    """The unit's own members first (when it is a cell), then each direct child in tree order,
    including children with nothing to count."""
    parts = {unit.path: Part(unit, True, MemberFigures(), _organisation_figures([]))}
    for child in Unit.objects.filter(parent=unit).order_by("path"):
        parts[child.path] = Part(child, False, MemberFigures(), _organisation_figures([]))
    member_rows: dict[str, list[Mapping[str, Any]]] = {}
    for r in _member_rows(unit, cycle, by_child=True):
        member_rows.setdefault(r["part"], []).append(r)
    for path, rows in member_rows.items():
        if path not in parts:  # a child closed or moved since: counted under its old path
            parts[path] = Part(unit, False, MemberFigures(), _organisation_figures([]))
        _count_members(parts[path].members, rows)
    unit_rows: dict[str, list[Mapping[str, Any]]] = {}
    for r in _unit_rows(unit, cycle, by_child=True):
        unit_rows.setdefault(r["part"], []).append(r)
    for path, rows in unit_rows.items():
        if path in parts:
            parts[path].organisations = _organisation_figures(rows)
    own = parts[unit.path]
    shown = [p for p in parts.values() if not p.own]
    has_own = own.members.total or any(f.total for f in own.organisations.values())
    return [own, *shown] if has_own else shown


def _unreconciled(
    unit: Unit, members: MemberFigures, organisations: dict[str, Figures], parts: list[Part]
) -> list[str]:
    """The whole against the sum of its parts, figure by figure (R36)."""
    summed = MemberFigures()
    for part in parts:
        summed += part.members
    found = []
    for name, label in (
        ("total", _("tổng số đảng viên")),
        ("classified", _("số đã xếp loại")),
        ("not_classified_new", _("số không xếp loại")),
        ("full", _("số chính thức")),
    ):
        whole, parts_sum = getattr(members, name), getattr(summed, name)
        if whole != parts_sum:
            found.append(
                _("{unit}: {label} là {whole} nhưng các đơn vị trực thuộc cộng lại {sum}.").format(
                    unit=unit.name, label=label, whole=whole, sum=parts_sum
                )
            )
    for level in Level:
        if members.levels[level] != summed.levels[level]:
            found.append(
                _(
                    "{unit}: mức “{level}” là {whole} nhưng các đơn vị trực thuộc cộng lại {sum}."
                ).format(
                    unit=unit.name,
                    level=level.label,
                    whole=members.levels[level],
                    sum=summed.levels[level],
                )
            )
    for kind, figures in organisations.items():
        parts_sum = sum(part.organisations[kind].total for part in parts)
        if figures.total != parts_sum:
            found.append(
                _(
                    "{unit}: {kind}: {whole} tổ chức nhưng các đơn vị trực thuộc cộng lại {sum}."
                ).format(
                    unit=unit.name, kind=UnitKind(kind).label, whole=figures.total, sum=parts_sum
                )
            )
    return found
