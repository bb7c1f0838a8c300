"""The statistics of a unit's subtree for one cycle (DOMAIN.md 5): members by status and level,
organisations by kind and level, leaders by their level as leaders with their level as members
beside, for the subtree as a whole and for each direct child, and whether they reconcile (R36).

The figures of members and organisations are read from the per-cell tally (reports/tally.py),
which is itself checked against the evaluations; those of leaders, fewer, from their
evaluations in one grouped query. The whole and the children are counted by two separate
queries, so that reconciliation compares two computations rather than one with itself.
Evaluations carry the path of their cell (or of the leader's post) in that year, so a past
cycle rolls up along the tree as it was."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Self

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Level,
    Status,
)
from xeploai.members.models import PostTier
from xeploai.units.models import GRASSROOTS_KINDS, SEGMENT, Unit, UnitKind

from .checks import ORGANISATIONS
from .models import MEMBERS, Mismatch, Rollup, Tally
from .reasons import counted_reason
from .tally import KEY_FIELDS, LEVEL, ORGANISATION_KINDS

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
        """Count a row of the tally (or of its sums), or of the leaders' evaluations: reasons
        by what they say (reasons.py), which a tally counted before it did so may not."""
        n, status, reason = row["n"], row["status"], counted_reason(row["status_reason"])
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
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, Counter):
                mine.update(theirs)  # in place: a report adds up many parts
            else:
                setattr(self, field.name, mine + theirs)
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


# --- Leaders (R32) ---------------------------------------------------------------------------

# The level of the tree a leading post is at, by the kind of its unit, from the top down: how
# reports break leaders down, and the words naming a quota group of equivalent posts (R26).
POST_LEVELS: dict[str, tuple[str, ...]] = {
    "CENTRE": (UnitKind.CENTRE,),
    "PROVINCE": (UnitKind.PROVINCE,),
    "DISTRICT": (UnitKind.DISTRICT, UnitKind.BLOC),
    "GRASSROOTS": GRASSROOTS_KINDS,
    "PARTIAL_COMMITTEE": (UnitKind.PARTIAL_COMMITTEE,),
    "CELL": (UnitKind.CELL,),
}
POST_LEVEL_LABELS = {
    "CENTRE": gettext_lazy("Trung ương"),
    "PROVINCE": gettext_lazy("Cấp tỉnh"),
    "DISTRICT": gettext_lazy("Cấp huyện và tương đương"),
    "GRASSROOTS": gettext_lazy("Cấp xã / cơ sở"),
    "PARTIAL_COMMITTEE": gettext_lazy("Đảng bộ bộ phận"),
    "CELL": gettext_lazy("Chi bộ trực thuộc"),
}
# The place of a post in its collective (`members.PostTier`), as reports name it.
TIER_LABELS = {
    PostTier.HEAD: gettext_lazy("Cấp trưởng"),
    PostTier.DEPUTY: gettext_lazy("Cấp phó"),
    PostTier.MEMBER: gettext_lazy("Ủy viên"),
}
_POST_LEVEL_OF_KIND = {kind: level for level, kinds in POST_LEVELS.items() for kind in kinds}
# A leader's member result where their cell has none for the cycle: waiting, and why.
NO_MEMBER_RESULT = gettext_lazy("Chưa có phiếu đánh giá đảng viên trong kỳ")


def post_level(kind: str) -> str:
    """The level of the tree (a key of `POST_LEVELS`) of a post at a unit of this kind."""
    return _POST_LEVEL_OF_KIND[kind]


@dataclasses.dataclass
class Leaders:
    """The leaders classified at posts in a part of the tree (R32): by their level as
    leaders, and the same people by their level as members, set at their cell."""

    levels: Figures = dataclasses.field(default_factory=Figures)
    as_members: Figures = dataclasses.field(default_factory=Figures)

    def add(self, row: Mapping[str, Any]) -> None:
        """Count a row of `_leader_rows`: the leader's result, and their member result."""
        self.levels.add(row)
        found = row["member_status"] is not None
        self.as_members.add(
            {
                "n": row["n"],
                "status": row["member_status"] if found else Status.PENDING,
                "status_reason": row["member_reason"] if found else str(NO_MEMBER_RESULT),
                "level": row["member_level"],
                "label": row["member_label"] or "",
                "ordinal": row["member_ordinal"],
                "exemplary": False,
            }
        )

    def __iadd__(self, other: Self) -> Self:
        self.levels += other.levels
        self.as_members += other.as_members
        return self

    @property
    def total(self) -> int:
        return self.levels.total

    def problems(self, where: str) -> list[str]:
        found = self.levels.problems(_("{where} — cán bộ lãnh đạo, quản lý").format(where=where))
        return found + self.as_members.problems(
            _("{where} — cán bộ lãnh đạo, quản lý, xếp loại đảng viên").format(where=where)
        )


@dataclasses.dataclass
class Part:
    """The figures of a part of the subtree: a direct child, or the unit's own members."""

    unit: Unit
    own: bool  # the unit's own members (a cell), not a child's subtree
    members: MemberFigures
    organisations: dict[str, Figures]  # by unit kind
    leaders: Leaders = dataclasses.field(default_factory=Leaders)


@dataclasses.dataclass
class Statistics:
    unit: Unit
    cycle: Cycle
    members: MemberFigures
    organisations: dict[str, Figures]
    # The leaders classified at posts under the unit; None where none were reviewed as
    # leaders in the cycle (years imported from earlier records).
    leaders: Leaders | None
    # The same leaders by the level of their post's unit (`POST_LEVELS`), then their place
    # in its collective (`PostTier`), in that order.
    leader_posts: dict[str, dict[int, Leaders]]
    parts: list[Part]
    problems: list[str]

    @property
    def reconciled(self) -> bool:
        return not self.problems


def statistics(unit: Unit, cycle: Cycle) -> Statistics:
    members, organisations = _figures(_subtree(Q(cycle=cycle, unit_path=unit.path)))
    leaders, leader_posts = _leader_posts(_leader_rows(unit, [cycle], by="post"))
    parts = _parts(unit, cycle)
    problems = _stale(unit, cycle, members, organisations)
    problems += members.problems(unit.name)
    for kind, figures in organisations.items():
        problems += figures.problems(f"{unit.name} — {UnitKind(kind).label}")
    for part in parts:
        problems += part.members.problems(part.unit.name)
    problems += _unreconciled(unit, members, organisations, parts)
    if leaders is not None:
        problems += leaders.problems(unit.name)
        for part in parts:
            problems += part.leaders.problems(part.unit.name)
        problems += _unreconciled_leaders(unit, leaders, leader_posts, parts)
    return Statistics(unit, cycle, members, organisations, leaders, leader_posts, parts, problems)


@dataclasses.dataclass
class Year:
    """The subtree's figures in one yearly cycle, for the trends."""

    cycle: Cycle
    members: MemberFigures = dataclasses.field(default_factory=MemberFigures)
    organisations: dict[str, Figures] = dataclasses.field(
        default_factory=lambda: {str(kind): Figures() for kind in ORGANISATION_KINDS}
    )
    leaders: Leaders | None = None  # None: nobody reviewed as a leader that year


def trend(unit: Unit) -> list[Year]:
    """The subtree's figures in every yearly cycle that has any, oldest first, from the
    unit's own tally rows and roll-ups: three queries."""
    years = {c.pk: Year(c) for c in Cycle.objects.filter(kind=CycleKind.YEAR).order_by("year")}
    by_cycle: dict[int, list[Mapping[str, Any]]] = {}
    for r in _subtree(Q(cycle__in=years, unit_path=unit.path), by=("cycle_id",)):
        by_cycle.setdefault(r["cycle_id"], []).append(r)
    for cycle_id, rows in by_cycle.items():
        years[cycle_id].members, years[cycle_id].organisations = _figures(rows)
    for r in _leader_rows(unit, list(years), by="cycle"):
        year = years[r["cycle_id"]]
        if year.leaders is None:
            year.leaders = Leaders()
        year.leaders.add(r)
    return [
        y
        for y in years.values()
        if y.members.total or any(f.total for f in y.organisations.values())
    ]


# What the statistics split the tally and its roll-ups by: all they are counted by but
# whether the member leads (the leaders are counted from their own evaluations), the level the
# quota counts and the state evaluation (reports/standings.py reads these).
_GROUP = tuple(f for f in KEY_FIELDS if f not in ("leader", "latest", "servant", "state"))


def _summed(
    model: type[Tally | Rollup], where: Q, by: tuple[str, ...] = (), **part: Any
) -> QuerySet[Any, dict[str, Any]]:
    """The sums of the rows of the tally or the roll-ups `where` selects, by `by` and
    `_GROUP` (and by the part of the subtree, where `part` names how to find it)."""
    rows = model.objects.filter(where).filter(
        Q(subject=MEMBERS) | Q(subject__in=ORGANISATION_KINDS)
    )
    summed: QuerySet[Any, dict[str, Any]] = (
        rows.values(*by, *_GROUP, **part).annotate(n=Sum("n")).order_by()
    )
    return summed


def _subtree(where: Q, by: tuple[str, ...] = (), **part: Any) -> QuerySet[Any, dict[str, Any]]:
    """The sums of `_summed` over the units `where` selects in the tally (their own rows)
    and in the roll-ups (what lies below them): their subtrees, in one query."""
    own = _summed(Tally, where, by, **part)
    return own.union(_summed(Rollup, where, by, **part), all=True)


def _figures(rows: Iterable[Mapping[str, Any]]) -> tuple[MemberFigures, dict[str, Figures]]:
    """The members' figures and the organisations' of each kind, from rows of `_summed`."""
    members = MemberFigures()
    organisations = {str(kind): Figures() for kind in ORGANISATION_KINDS}
    for r in rows:
        if r["subject"] == MEMBERS:
            _count_members(members, [r])
        else:
            organisations[r["subject"]].add(r)
    return members, organisations


# What splits the leaders: their result as leaders, then their result as members.
_LEADER_GROUP = (
    "status",
    "status_reason",
    "level",
    "label",
    "ordinal",
    "exemplary",
    "member_status",
    "member_reason",
    "member_level",
    "member_label",
    "member_ordinal",
)
_LEADER_BY = {"post": ("unit__kind", "tier"), "cycle": ("cycle_id",), "part": ("part",)}


def _leader_rows(
    unit: Unit, cycles: Iterable[Cycle | int], *, by: str
) -> QuerySet[Any, dict[str, Any]]:
    """The leaders classified at posts under the unit in these cycles, counted by their
    result and by the result of their evaluation as members in the same cycle (one grouped
    query), and further `by` the kind of the post's unit and its tier ("post"), the cycle
    ("cycle"), or the part of the subtree the post is in ("part", as `_parts`)."""
    rows = (
        LeaderEvaluation.objects.filter(
            cycle__in=cycles, classified=True, unit_path__startswith=unit.path
        )
        .alias(
            as_member=FilteredRelation(
                "member__evaluations", condition=Q(member__evaluations__cycle=F("cycle"))
            )
        )
        .annotate(
            level=LEVEL,
            member_status=F("as_member__status"),
            member_reason=F("as_member__status_reason"),
            member_level=Coalesce("as_member__level_final", "as_member__level_decided"),
            member_label=F("as_member__label"),
            member_ordinal=F("as_member__ordinal"),
        )
    )
    if by == "part":
        rows = rows.annotate(part=Substr("unit_path", 1, len(unit.path) + SEGMENT))
    grouped: QuerySet[Any, dict[str, Any]] = (
        rows.values(*_LEADER_GROUP, *_LEADER_BY[by]).annotate(n=Count("id")).order_by()
    )
    return grouped


def _leader_posts(
    rows: Iterable[Mapping[str, Any]],
) -> tuple[Leaders | None, dict[str, dict[int, Leaders]]]:
    """The whole subtree's leaders, and the same by post level and tier (`POST_LEVELS`,
    `PostTier` order); None and nothing where there are none."""
    whole, found = Leaders(), False
    posts: dict[tuple[str, int], Leaders] = {}
    for r in rows:
        found = True
        whole.add(r)
        posts.setdefault((post_level(r["unit__kind"]), r["tier"]), Leaders()).add(r)
    ordered: dict[str, dict[int, Leaders]] = {}
    for level in POST_LEVELS:
        for tier in PostTier:
            if (level, tier) in posts:
                ordered.setdefault(level, {})[int(tier)] = posts[(level, tier)]
    return (whole if found else None), ordered


def _count_members(figures: MemberFigures, rows: Iterable[Mapping[str, Any]]) -> None:
    for r in rows:
        figures.add(r)
        if r["probationary"]:
            figures.probationary += r["n"]
        else:
            figures.full += r["n"]


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
    """The unit's own part first (a cell's members, a committee's own result, the leaders
    at posts of the unit itself) when it has any, then each direct child in tree order,
    including children with nothing to count."""
    # The unit's own rows, then each child's subtree (its own rows and its roll-up), under the
    # path it had.
    children = Unit.objects.filter(parent=unit).order_by("path")
    units = {unit.path: unit, **{child.path: child for child in children}}
    by_part: dict[str, list[Mapping[str, Any]]] = {path: [] for path in units}
    by_part[unit.path] += _summed(Tally, Q(cycle=cycle, unit_path=unit.path))
    for r in _subtree(Q(cycle=cycle, parent_path=unit.path), part=F("unit_path")):
        by_part.setdefault(r["part"], []).append(r)
    parts = {
        path: _part(units.get(path), path, path == unit.path, rows)
        for path, rows in by_part.items()
    }

    def part(path: str) -> Part:
        if path not in parts:
            parts[path] = _part(None, path, False, [])
        return parts[path]

    for r in _leader_rows(unit, [cycle], by="part"):
        part(r["part"]).leaders.add(r)
    own = parts[unit.path]
    shown = [p for p in parts.values() if not p.own]
    has_own = (
        own.members.total or any(f.total for f in own.organisations.values()) or own.leaders.total
    )
    return [own, *shown] if has_own else shown


def _part(unit: Unit | None, path: str, own: bool, rows: Iterable[Mapping[str, Any]]) -> Part:
    """A part of the statistics from its rows; `unit` None where a child closed or moved
    since: counted under its old path."""
    if unit is None:
        unit = Unit(path=path, code="", name=_("Đơn vị không còn ở vị trí này trong cây"))
    return Part(unit, own, *_figures(rows))


_MEASURES = {
    "total": gettext_lazy("tổng hợp {tallied} phiếu, thực có {live}"),
    "classified": gettext_lazy("tổng hợp {tallied} đã xếp loại, thực có {live}"),
    "levels": gettext_lazy("các mức đã thay đổi"),
    "latest": gettext_lazy("các mức đã thay đổi"),  # as a quota counts them
    "servants": gettext_lazy("công chức, viên chức hoặc kết quả đánh giá của họ đã thay đổi"),
    "rated": gettext_lazy("công chức, viên chức hoặc kết quả đánh giá của họ đã thay đổi"),
    "exemplary": gettext_lazy("tổng hợp {tallied} tiêu biểu, thực có {live}"),
}
_SUBJECTS = {MEMBERS: gettext_lazy("đảng viên"), ORGANISATIONS: gettext_lazy("tổ chức đảng")}


def _stale(
    unit: Unit, cycle: Cycle, members: MemberFigures, organisations: dict[str, Figures]
) -> list[str]:
    """What the last check of the cycle (checks.py) found apart in the subtree and has not
    been counted again since: the tally against the evaluations, in the subtree's own
    figures, and the roll-ups against the tally."""
    found = []
    differ: dict[str, Counter[str]] = {}
    rolled: set[str] = set()
    for mismatch in Mismatch.objects.filter(cycle=cycle, unit_path__startswith=unit.path):
        if mismatch.found == Mismatch.ROLLUP:
            rolled.add(mismatch.subject)
            continue
        by = differ.setdefault(mismatch.subject, Counter())
        for measure, live in mismatch.live.items():
            by[measure] += live - mismatch.counted.get(measure, 0)
    tallied = {
        MEMBERS: _measured([members]),
        ORGANISATIONS: _measured(list(organisations.values())),
    }
    for subject, by in differ.items():
        counted = tallied[subject]
        words = [  # each said once: a level changed changes both measures of levels
            _MEASURES[m].format(tallied=counted.get(m, 0), live=counted.get(m, 0) + d)
            for m, d in by.items()
            if d
        ]
        found.append(
            _(
                "{unit}: số liệu tổng hợp về {what} không khớp với phiếu đánh giá ({differ});"
                " cần tổng hợp lại bằng lệnh xeploai tally."
            ).format(
                unit=unit.name, what=_SUBJECTS[subject], differ="; ".join(dict.fromkeys(words))
            )
        )
    found += [
        _(
            "{unit}: số liệu cộng dồn về {what} không khớp với số liệu tổng hợp của các đơn vị"
            " trực thuộc; cần tổng hợp lại bằng lệnh xeploai tally."
        ).format(unit=unit.name, what=_SUBJECTS[subject])
        for subject in sorted(rolled)
    ]
    return found


def _measured(populations: list[Figures]) -> dict[str, int]:
    """The measures of `checks.MEASURES` of these populations, as the report counts them."""
    return {
        "total": sum(f.total for f in populations),
        "classified": sum(f.classified for f in populations),
        "levels": sum(level * n for f in populations for level, n in f.levels.items()),
        "exemplary": sum(f.exemplary for f in populations),
    }


def _unreconciled(
    unit: Unit, members: MemberFigures, organisations: dict[str, Figures], parts: list[Part]
) -> list[str]:
    """The whole against the sum of its parts, figure by figure (R36)."""
    found = []
    for name, label in (
        ("total", _("tổng số đảng viên")),
        ("classified", _("số đã xếp loại")),
        ("not_classified_new", _("số không xếp loại")),
        ("full", _("số chính thức")),
    ):
        whole = getattr(members, name)
        parts_sum = sum(getattr(part.members, name) for part in parts)
        if whole != parts_sum:
            found.append(
                _("{unit}: {label} là {whole} nhưng các đơn vị trực thuộc cộng lại {sum}.").format(
                    unit=unit.name, label=label, whole=whole, sum=parts_sum
                )
            )
    summed: Counter[int] = Counter()
    for part in parts:
        summed.update(part.members.levels)
    for level in Level:
        if members.levels[level] != summed[level]:
            found.append(
                _(
                    "{unit}: mức “{level}” là {whole} nhưng các đơn vị trực thuộc cộng lại {sum}."
                ).format(
                    unit=unit.name,
                    level=level.label,
                    whole=members.levels[level],
                    sum=summed[level],
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
            figure = getattr(whole, name)
            parts_sum = sum(getattr(part.organisations[kind], name) for part in parts)
            if figure != parts_sum:
                found.append(
                    message.format(
                        unit=unit.name, kind=UnitKind(kind).label, whole=figure, sum=parts_sum
                    )
                )
    return found


def _unreconciled_leaders(
    unit: Unit, leaders: Leaders, posts: dict[str, dict[int, Leaders]], parts: list[Part]
) -> list[str]:
    """The leaders of the whole against the sum of the parts', and against the sum of the
    post levels and tiers (R36): how many, how many classified and at each level, as leaders
    and as members."""
    by_parts, by_posts = Leaders(), Leaders()
    for part in parts:
        by_parts += part.leaders
    for tiers in posts.values():
        for tier in tiers.values():
            by_posts += tier
    found = []
    for summed, where in (
        (by_parts, _("các đơn vị trực thuộc")),
        (by_posts, _("các cấp, vị trí chức vụ")),
    ):
        for whole, added, prefix in (
            (leaders.levels, summed.levels, ""),
            (leaders.as_members, summed.as_members, _("xếp loại đảng viên, ")),
        ):
            figures = [
                (_("tổng số"), whole.total, added.total),
                (_("số đã xếp loại"), whole.classified, added.classified),
            ]
            figures += [
                (
                    _("mức “{level}”").format(level=level.label),
                    whole.levels[level],
                    added.levels[level],
                )
                for level in Level
            ]
            found += [
                _(
                    "{unit}: cán bộ lãnh đạo, quản lý, {prefix}{label} là {whole} nhưng {where}"
                    " cộng lại {sum}."
                ).format(unit=unit.name, prefix=prefix, label=label, whole=a, where=where, sum=b)
                for label, a, b in figures
                if a != b
            ]
    return found
