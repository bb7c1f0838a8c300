"""The signals the levels themselves raise: shares of high levels that stand out (`inflation`,
tested in `stats`), and units whose EXCELLENT results sit at the quota's ceiling year after
year (`quota_ceiling`).

Read from the tally (the members' results counted per cell and level, the level the quota
counts), never from the evaluations: the cost is the subtree's cells times its years. A
grassroots unit is compared with the grassroots units of the same type of field under the
same superior, and with its own earlier years; a cell with the other cells of its grassroots
unit. Peers are read beyond the subtree analysed when it is one grassroots unit: its
superior's other units are its peers."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext as _

from xeploai.cycles.models import Cycle, CycleKind
from xeploai.reports.models import MEMBERS, Tally
from xeploai.reports.percent import vietnamese
from xeploai.rules.levels import Level
from xeploai.rules.quota import allowed_excellent
from xeploai.units.models import CELL_KINDS, GRASSROOTS_KINDS, SEGMENT, Unit, UnitKind

from . import stats
from .signals import INFLATION, QUOTA_CEILING, Signal

MEMBERS_OF = "members"  # the results of a unit's members
CELLS_OF = "cells"  # the results of a grassroots unit's cells, as organisations
EXCELLENT = "excellent"  # the share of EXCELLENT results
GOOD_OR_BETTER = "good_or_better"  # the share of GOOD or EXCELLENT results
CEILING_YEARS = 2  # at the ceiling this many years running, this one included: a signal


@dataclasses.dataclass
class Levels:
    """One unit's results with a level in one year, by level."""

    n: int = 0
    excellent: int = 0
    good: int = 0

    def at(self, measure: str) -> int:
        return self.excellent if measure == EXCELLENT else self.excellent + self.good


@dataclasses.dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    path: str
    parent: str  # the superior's path
    field_type: str
    grassroots: bool


def find(unit: Unit, cycle: Cycle) -> list[Signal]:
    scope = _scope(unit)
    units = _units(scope)
    tests: list[tuple[stats.Test, str, str]] = []
    counted: dict[str, dict[int, dict[str, Levels]]] = {}
    for subjects in (MEMBERS_OF, CELLS_OF):
        years = counted[subjects] = _levels(scope, cycle, units, subjects)
        tests += _grassroots_tests(units, years, cycle, subjects)
    now = counted[MEMBERS_OF].get(cycle.year, {})
    cells = [u for u in units.values() if not u.grassroots and u.path in now]
    for group in _groups(cells, lambda u: (u.parent,)):
        counts = [stats.Count(u.path, now[u.path].n, now[u.path].at(GOOD_OR_BETTER)) for u in group]
        tests += [(t, GOOD_OR_BETTER, MEMBERS_OF) for t in stats.against_peers(counts)]
    corrected = stats.corrected([t for t, _measure, _subjects in tests])
    found = [
        _inflation(test, measure, subjects, units[test.key], counted[subjects], cycle)
        for test, (_test, measure, subjects) in zip(corrected, tests, strict=True)
        if test.q <= stats.FDR and test.key.startswith(unit.path)
    ]
    found += list(_ceilings(unit, cycle, units, counted[MEMBERS_OF]))
    return found


def _grassroots_tests(
    units: dict[str, _Unit], years: dict[int, dict[str, Levels]], cycle: Cycle, subjects: str
) -> list[tuple[stats.Test, str, str]]:
    """Each grassroots unit's shares of `subjects` against its peers and its own years."""
    now = years.get(cycle.year, {})
    tests: list[tuple[stats.Test, str, str]] = []
    grassroots = [u for u in units.values() if u.grassroots and u.path in now]
    for group in _groups(grassroots, lambda u: (u.parent, u.field_type)):
        for measure in (EXCELLENT, GOOD_OR_BETTER):
            counts = [stats.Count(u.path, now[u.path].n, now[u.path].at(measure)) for u in group]
            tests += [(t, measure, subjects) for t in stats.against_peers(counts)]
            for u, count in zip(group, counts, strict=True):
                before = _earlier(years, cycle.year, u.path)
                test = stats.against_history(
                    count,
                    stats.Count(u.path, before.n, before.at(measure)),
                    _spread([c for c in counts if c is not count]),
                )
                tests += [(test, measure, subjects)] if test else []
    return tests


def _scope(unit: Unit) -> Unit:
    """Where peers are read: the unit's superior when the unit is a grassroots unit."""
    if unit.kind in GRASSROOTS_KINDS and unit.parent_id is not None:
        return Unit.objects.get(pk=unit.parent_id)
    return unit


def _units(scope: Unit) -> dict[str, _Unit]:
    """The grassroots units and cells under `scope`; a cell's field is its grassroots'."""
    rows = (
        Unit.objects.filter(path__startswith=scope.path, kind__in=(*GRASSROOTS_KINDS, *CELL_KINDS))
        .order_by("path")
        .values_list("code", "name", "path", "kind", "field_type")
    )
    units: dict[str, _Unit] = {}
    fields: dict[str, str] = {}
    for code, name, path, kind, field_type in rows.iterator(chunk_size=5000):
        grassroots = kind in GRASSROOTS_KINDS
        parent = path[:-SEGMENT]
        if grassroots:
            fields[path] = field_type
        else:  # a cell: its grassroots unit is the longest of its prefixes that is one
            parent = next((p for p in ancestors(path) if p in fields), parent)
        units[path] = _Unit(code, name, path, parent, fields.get(path, ""), grassroots)
    return units


def ancestors(path: str) -> Iterator[str]:
    """The paths above `path`, the nearest first."""
    for end in range(len(path) - SEGMENT, 0, -SEGMENT):
        yield path[:end]


def _levels(
    scope: Unit, cycle: Cycle, units: dict[str, _Unit], subjects: str
) -> dict[int, dict[str, Levels]]:
    """Per year up to the cycle's, the results by level: of members per grassroots unit and
    per cell (`MEMBERS_OF`), or of the cells as organisations per grassroots unit."""
    rows = (
        Tally.objects.filter(
            cycle__kind=CycleKind.YEAR,
            cycle__year__lte=cycle.year,
            unit_path__startswith=scope.path,
            subject=MEMBERS if subjects == MEMBERS_OF else UnitKind.CELL,
            latest__isnull=False,
        )
        .values_list("cycle__year", "unit_path", "latest")
        .annotate(n=Sum("n"))
        .order_by()
    )
    grassroots = {p for p, u in units.items() if u.grassroots}
    years: dict[int, dict[str, Levels]] = defaultdict(lambda: defaultdict(Levels))
    for year, path, level, n in rows.iterator(chunk_size=5000):
        places = [path] if path in units and subjects == MEMBERS_OF else []
        places += [p for p in ancestors(path) if p in grassroots][:1]
        for place in places:
            levels = years[year][place]
            levels.n += n
            levels.excellent += n if level == Level.EXCELLENT else 0
            levels.good += n if level == Level.GOOD else 0
    return years


def _groups(units: list[_Unit], key: Callable[[_Unit], tuple[str, ...]]) -> list[list[_Unit]]:
    grouped: dict[tuple[str, ...], list[_Unit]] = defaultdict(list)
    for u in units:
        grouped[key(u)].append(u)
    return list(grouped.values())


def _spread(counts: list[stats.Count]) -> float:
    """How much the units of a group spread (stats.spread): those but the one tested, for
    the test of its year against its own; a modest spread when they tell nothing."""
    tested = [c for c in counts if c.n >= stats.MIN_MEMBERS]
    fitted = stats.spread(
        np.array([c.n for c in tested], dtype=float), np.array([c.k for c in tested], dtype=float)
    )
    return fitted[1] if fitted and len(tested) > stats.MIN_PEERS else stats.RHO_DEFAULT


def _earlier(years: dict[int, dict[str, Levels]], year: int, path: str) -> Levels:
    total = Levels()
    for y, places in years.items():
        if y < year and path in places:
            total.n += places[path].n
            total.excellent += places[path].excellent
            total.good += places[path].good
    return total


def _percent(share: float) -> str:
    return vietnamese(Decimal(share * 100), 1)


def _inflation(
    test: stats.Test,
    measure: str,
    subjects: str,
    unit: _Unit,
    years: dict[int, dict[str, Levels]],
    cycle: Cycle,
) -> Signal:
    levels = years[cycle.year][unit.path]
    what = (
        _("hoàn thành xuất sắc nhiệm vụ")
        if measure == EXCELLENT
        else _("hoàn thành tốt nhiệm vụ trở lên")
    )
    if test.against == stats.HISTORY:
        than = _("các năm trước của đơn vị ({expected})")
    elif unit.grassroots:
        than = _(
            "các đảng bộ, chi bộ cơ sở cùng loại hình trực thuộc cùng cấp trên"
            " (bình quân {expected})"
        )
    else:
        than = _("các chi bộ khác của đảng bộ cơ sở (bình quân {expected})")
    if subjects == CELLS_OF:
        text = _(
            "Tỷ lệ chi bộ trực thuộc {what} là {share} ({k}/{n}), cao bất thường so với {than}."
        )
    else:
        text = _("Tỷ lệ đảng viên {what} là {share} ({k}/{n}), cao bất thường so với {than}.")
    return Signal(
        INFLATION,
        unit.code,
        round(1 - 0.5 * test.q / stats.FDR, 4),
        text.format(
            what=what,
            share=_percent(test.share),
            k=levels.at(measure),
            n=levels.n,
            than=than.format(expected=_percent(test.expected)),
        ),
        {
            "subjects": subjects,
            "measure": measure,
            "against": test.against,
            "year": cycle.year,
            "n": levels.n,
            "k": levels.at(measure),
            "share": round(test.share, 4),
            "expected": round(test.expected, 4),
            "p": test.p,
            "q": test.q,
        },
        unit.path,
        unit.name,
    )


def _ceilings(
    unit: Unit, cycle: Cycle, units: dict[str, _Unit], years: dict[int, dict[str, Levels]]
) -> Iterator[Signal]:
    """Grassroots units of the subtree whose EXCELLENT results were as many as the quota
    allows (R26), and more than none, this year and the years just before."""
    settings = {
        c.year: c.settings for c in Cycle.objects.filter(kind=CycleKind.YEAR, year__in=list(years))
    }
    for u in units.values():
        if not (u.grassroots and u.path.startswith(unit.path)):
            continue
        run: list[int] = []
        year = cycle.year
        while year in years and u.path in years[year] and year in settings:
            levels = years[year][u.path]
            allowed = allowed_excellent(levels.good, levels.excellent, settings[year])
            if levels.excellent == 0 or levels.excellent < allowed:
                break
            run.append(year)
            year -= 1
        if len(run) >= CEILING_YEARS:
            yield Signal(
                QUOTA_CEILING,
                u.code,
                min(0.5 + 0.1 * len(run), 0.9),
                _(
                    "Số đảng viên hoàn thành xuất sắc nhiệm vụ bằng đúng mức tối đa được phép"
                    " {years} năm liền ({first}-{last})."
                ).format(years=len(run), first=run[-1], last=run[0]),
                {"year": cycle.year, "years": sorted(run)},
                u.path,
                u.name,
            )
