"""The statistics of a unit's subtree for one cycle (DOMAIN.md 5): members by status and level,
organisations by kind and level, for the subtree as a whole and for each direct child, and
whether they reconcile (R36).

The figures are read from the per-cell tally (reports/tally.py), which is itself checked
against the evaluations. The whole and the children are counted by two separate queries, so
that reconciliation compares two computations rather than one with itself. Evaluations carry
the path of their cell in that year, so a past cycle rolls up along the tree as it was."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Self

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    Level,
    MemberEvaluation,
    Status,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.units.models import GRASSROOTS_KINDS, SEGMENT, Unit, UnitKind

from .models import MEMBERS, Tally
from .tally import LEVEL, ORGANISATION_KINDS

# The grassroots organisations of both kinds together, beside the kinds in a report's `units`.
GRASSROOTS = "GRASSROOTS"
GRASSROOTS_LABEL = gettext_lazy("Tổ chức cơ sở đảng")


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
    # Of these, the results marked "tiêu biểu": an imported "trong sạch vững mạnh tiêu biểu"
    # (R34), an EXCELLENT organisation proposed as exemplary (R38).
    exemplary_levels: Counter[int] = dataclasses.field(default_factory=Counter)
    exemplary_labels: Counter[tuple[str, int]] = dataclasses.field(default_factory=Counter)

    def add(self, row: Mapping[str, Any]) -> None:
        """Count a row of the tally (or of its sums)."""
        n, status, reason = row["n"], row["status"], row["status_reason"]
        level, label, ordinal = row["level"], row["label"], row["ordinal"]
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
                if row["exemplary"]:
                    self.exemplary_levels[level] += n
            elif ordinal is not None:
                self.labels[(label, ordinal)] += n
                if row["exemplary"]:
                    self.exemplary_labels[(label, ordinal)] += n

    def __iadd__(self, other: Self) -> Self:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    @property
    def good_or_better(self) -> int:
        return self.levels[Level.EXCELLENT] + self.levels[Level.GOOD]

    @property
    def exemplary(self) -> int:
        return sum(self.exemplary_levels.values()) + sum(self.exemplary_labels.values())

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
    leaders: Figures = dataclasses.field(default_factory=Figures)


@dataclasses.dataclass
class Statistics:
    unit: Unit
    cycle: Cycle
    members: MemberFigures
    organisations: dict[str, Figures]
    leaders: Figures  # members who held a leading post in the cycle, by their member level
    parts: list[Part]
    problems: list[str]

    @property
    def reconciled(self) -> bool:
        return not self.problems


def statistics(unit: Unit, cycle: Cycle) -> Statistics:
    members, leaders = MemberFigures(), Figures()
    _count_members(members, leaders, _member_rows(unit, cycle, by_child=False))
    organisations = _organisation_figures(_unit_rows(unit, cycle, by_child=False))
    parts = _parts(unit, cycle)
    problems = _stale(unit, cycle, members, organisations)
    problems += members.problems(unit.name)
    for kind, figures in organisations.items():
        problems += figures.problems(f"{unit.name} — {UnitKind(kind).label}")
    for part in parts:
        problems += part.members.problems(part.unit.name)
    problems += _unreconciled(unit, members, organisations, parts)
    return Statistics(unit, cycle, members, organisations, leaders, parts, problems)


@dataclasses.dataclass
class Year:
    """The subtree's figures in one yearly cycle, for the trends."""

    cycle: Cycle
    members: MemberFigures = dataclasses.field(default_factory=MemberFigures)
    organisations: dict[str, Figures] = dataclasses.field(
        default_factory=lambda: {str(kind): Figures() for kind in ORGANISATION_KINDS}
    )
    leaders: Figures = dataclasses.field(default_factory=Figures)


def trend(unit: Unit) -> list[Year]:
    """The subtree's figures in every yearly cycle that has any, oldest first: two queries."""
    years = {c.pk: Year(c) for c in Cycle.objects.filter(kind=CycleKind.YEAR).order_by("year")}
    members = Tally.objects.filter(
        cycle__in=years, subject=MEMBERS, unit_path__startswith=unit.path
    )
    group = ["cycle_id", "status", "status_reason", "level", "label", "ordinal", "exemplary"]
    for r in _summed(members, [*group, "probationary", "leader"], None):
        year = years[r["cycle_id"]]
        _count_members(year.members, year.leaders, [r])
    units = Tally.objects.filter(
        cycle__in=years, subject__in=ORGANISATION_KINDS, unit_path__startswith=unit.path
    )
    for r in _summed(units, [*group, "subject"], None):
        years[r["cycle_id"]].organisations[r["subject"]].add(r)
    return [
        y
        for y in years.values()
        if y.members.total or any(f.total for f in y.organisations.values())
    ]


def _member_rows(unit: Unit, cycle: Cycle, *, by_child: bool) -> QuerySet[Any, dict[str, Any]]:
    rows = Tally.objects.filter(cycle=cycle, subject=MEMBERS, unit_path__startswith=unit.path)
    group = ["status", "status_reason", "level", "label", "ordinal", "exemplary"]
    return _summed(rows, [*group, "probationary", "leader"], unit if by_child else None)


def _unit_rows(unit: Unit, cycle: Cycle, *, by_child: bool) -> QuerySet[Any, dict[str, Any]]:
    rows = Tally.objects.filter(
        cycle=cycle, subject__in=ORGANISATION_KINDS, unit_path__startswith=unit.path
    )
    group = ["subject", "status", "status_reason", "level", "label", "ordinal", "exemplary"]
    return _summed(rows, group, unit if by_child else None)


def _summed(
    rows: QuerySet[Tally], group: list[str], by_child_of: Unit | None
) -> QuerySet[Any, dict[str, Any]]:
    if by_child_of is not None:
        rows = rows.annotate(part=Substr("unit_path", 1, len(by_child_of.path) + SEGMENT))
        group = [*group, "part"]
    summed: QuerySet[Any, dict[str, Any]] = rows.values(*group).annotate(n=Sum("n")).order_by()
    return summed


def _count_members(
    figures: MemberFigures, leaders: Figures, rows: Iterable[Mapping[str, Any]]
) -> None:
    for r in rows:
        figures.add(r)
        if r["leader"]:
            leaders.add(r)
        if r["probationary"]:
            figures.probationary += r["n"]
        else:
            figures.full += r["n"]


def _organisation_figures(rows: Iterable[Mapping[str, Any]]) -> dict[str, Figures]:
    figures = {str(kind): Figures() for kind in ORGANISATION_KINDS}
    for r in rows:
        figures[r["subject"]].add(r)
    return figures


def by_kind(organisations: Mapping[str, Figures]) -> dict[str, Figures]:
    """The organisations of each kind and, right after its two kinds, the grassroots
    organisations (TCCSĐ: đảng bộ cơ sở and chi bộ cơ sở) as one population, as offices report
    them. Their sum is made for printing only: no check or total here ever adds it again."""
    shown: dict[str, Figures] = {}
    for kind, figures in organisations.items():
        shown[kind] = figures
        if kind == UnitKind.GRASSROOTS_CELL:
            grassroots = Figures()
            for grassroots_kind in GRASSROOTS_KINDS:
                grassroots += organisations[grassroots_kind]
            shown[GRASSROOTS] = grassroots
    return shown


def kind_label(kind: str) -> str:
    """What a report calls the organisations of a kind of `by_kind`."""
    return str(GRASSROOTS_LABEL if kind == GRASSROOTS else UnitKind(kind).label)


def _parts(unit: Unit, cycle: Cycle) -> list[Part]:
    """The unit's own members first (when it is a cell), then each direct child in tree order,
    including children with nothing to count."""
    parts = {unit.path: Part(unit, True, MemberFigures(), _organisation_figures([]))}
    for child in Unit.objects.filter(parent=unit).order_by("path"):
        parts[child.path] = Part(child, False, MemberFigures(), _organisation_figures([]))

    def part(path: str) -> Part:
        if path not in parts:  # a child closed or moved since: counted under its old path
            gone = Unit(path=path, code="", name=_("Đơn vị không còn ở vị trí này trong cây"))
            parts[path] = Part(gone, False, MemberFigures(), _organisation_figures([]))
        return parts[path]

    member_rows: dict[str, list[Mapping[str, Any]]] = {}
    for r in _member_rows(unit, cycle, by_child=True):
        member_rows.setdefault(r["part"], []).append(r)
    for path, rows in member_rows.items():
        _count_members(part(path).members, part(path).leaders, rows)
    unit_rows: dict[str, list[Mapping[str, Any]]] = {}
    for r in _unit_rows(unit, cycle, by_child=True):
        unit_rows.setdefault(r["part"], []).append(r)
    for path, rows in unit_rows.items():
        part(path).organisations = _organisation_figures(rows)
    own = parts[unit.path]
    shown = [p for p in parts.values() if not p.own]
    has_own = own.members.total or any(f.total for f in own.organisations.values())
    return [own, *shown] if has_own else shown


_MEASURES = {
    "total": gettext_lazy("tổng hợp {tallied} phiếu, thực có {live}"),
    "classified": gettext_lazy("tổng hợp {tallied} đã xếp loại, thực có {live}"),
    "levels": gettext_lazy("các mức đã thay đổi"),
    "exemplary": gettext_lazy("tổng hợp {tallied} tiêu biểu, thực có {live}"),
}


def _stale(
    unit: Unit, cycle: Cycle, members: MemberFigures, organisations: dict[str, Figures]
) -> list[str]:
    """The tally against the evaluations themselves: how many, how many classified, the sum
    of their levels and, for organisations, how many exemplary, so that a write that bypassed
    the tally (or a tally counted before it kept one of these) is reported."""
    found = []
    measures: dict[str, Any] = {
        "total": Count("id"),
        "classified": Count("id", filter=Q(status=Status.CLASSIFIED)),
        "levels": Coalesce(Sum(LEVEL), 0),
    }
    # As `Figures.add` counts them: classified, with a level or a rank.
    ranked = Q(level_final__isnull=False) | Q(level_decided__isnull=False)
    ranked |= Q(ordinal__isnull=False)
    exemplary = Q(status=Status.CLASSIFIED, exemplary=True) & ranked
    checks = (
        (MemberEvaluation.objects.all(), [members], _("đảng viên"), measures),
        (
            UnitEvaluation.objects.filter(
                kind=UnitEvaluationKind.ORGANISATION, unit__kind__in=ORGANISATION_KINDS
            ),
            list(organisations.values()),
            _("tổ chức đảng"),
            {**measures, "exemplary": Count("id", filter=exemplary)},
        ),
    )
    for rows, populations, what, aggregates in checks:
        live = rows.filter(cycle=cycle, unit_path__startswith=unit.path).aggregate(**aggregates)
        tallied = {
            "total": sum(f.total for f in populations),
            "classified": sum(f.classified for f in populations),
            "levels": sum(level * n for f in populations for level, n in f.levels.items()),
            "exemplary": sum(f.exemplary for f in populations),
        }
        differ = [
            _MEASURES[k].format(tallied=tallied[k], live=live[k])
            for k in live
            if live[k] != tallied[k]
        ]
        if differ:
            found.append(
                _(
                    "{unit}: số liệu tổng hợp về {what} không khớp với phiếu đánh giá ({differ});"
                    " cần tổng hợp lại bằng lệnh xeploai tally."
                ).format(unit=unit.name, what=what, differ="; ".join(differ))
            )
    return found


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
    return found + _unreconciled_organisations(unit, organisations, parts)


def _unreconciled_organisations(
    unit: Unit, organisations: dict[str, Figures], parts: list[Part]
) -> list[str]:
    """The organisations of each kind against the sum of the parts' (R36). Only the kinds
    themselves: the grassroots organisations together (`by_kind`) are their sum."""
    found = []
    for kind, whole in organisations.items():
        summed = Figures()
        for part in parts:
            summed += part.organisations[kind]
        for name, message in (
            (
                "total",
                _("{unit}: {kind}: {whole} tổ chức nhưng các đơn vị trực thuộc cộng lại {sum}."),
            ),
            (
                "classified",
                _(
                    "{unit}: {kind}: {whole} tổ chức đã xếp loại nhưng các đơn vị trực thuộc"
                    " cộng lại {sum}."
                ),
            ),
            (
                "exemplary",
                _(
                    "{unit}: {kind}: {whole} tổ chức tiêu biểu nhưng các đơn vị trực thuộc cộng"
                    " lại {sum}."
                ),
            ),
        ):
            figure, parts_sum = getattr(whole, name), getattr(summed, name)
            if figure != parts_sum:
                found.append(
                    message.format(
                        unit=unit.name, kind=UnitKind(kind).label, whole=figure, sum=parts_sum
                    )
                )
    return found
