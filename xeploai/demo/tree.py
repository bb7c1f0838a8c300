"""The demo's organisation tree and members, built in memory from a seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict

from xeploai.core.text import search_key
from xeploai.members.models import (
    Discipline,
    Gender,
    Member,
    Post,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.units.models import FieldType, Unit, UnitKind, segment

from . import names

CURRENT_YEAR = 2026
FIRST_YEAR = 2022
# The day the demo pretends to be: after the 2026 self-review opened, before its deadline.
TODAY = dt.date(CURRENT_YEAR, 11, 23)


@dataclasses.dataclass
class Cell:
    unit: Unit
    grassroots: Unit
    residential: bool  # a hamlet cell: older members, few civil servants
    size: int


@dataclasses.dataclass
class Seeded:
    """A member with the dated facts the demo gives them."""

    member: Member
    cell: Cell
    statuses: list[StatusPeriod] = dataclasses.field(default_factory=list)
    disciplines: list[Discipline] = dataclasses.field(default_factory=list)
    transfer: Transfer | None = None
    posts: list[Post] = dataclasses.field(default_factory=list)

    def add_status(self, kind: StatusKind, start: dt.date, **fields: object) -> None:
        self.statuses.append(StatusPeriod(member=self.member, kind=kind, start=start, **fields))


@dataclasses.dataclass
class Tree:
    root: Unit
    units: list[Unit] = dataclasses.field(default_factory=list)
    cells: list[Cell] = dataclasses.field(default_factory=list)
    members: list[Seeded] = dataclasses.field(default_factory=list)

    def grassroots_units(self) -> list[Unit]:
        return [u for u in self.units if u.kind in ("GRASSROOTS_COMMITTEE", "GRASSROOTS_CELL")]


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class TreeBuilder:
    """Builds a district (or a province of districts) deterministically from `seed`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.children: dict[str, int] = defaultdict(int)
        self.member_count = 0
        surnames = list(names.SURNAMES)
        self._surnames = (surnames, [names.SURNAMES[s] for s in surnames])

    def unit(
        self,
        parent: Unit | None,
        kind: UnitKind,
        code: str,
        name: str,
        field_type: FieldType,
        tree: Tree | None,
    ) -> Unit:
        parent_path = parent.path if parent else ""
        index = self.children[parent_path]
        self.children[parent_path] += 1
        unit = Unit(
            parent=parent,
            path=parent_path + segment(index),
            depth=parent.depth + 1 if parent else 0,
            kind=kind,
            code=code,
            name=name,
            field_type=field_type,
            search_key=search_key(name, code),
            founded=_date(self.rng, dt.date(1950, 1, 1), dt.date(2000, 12, 31)),
        )
        if tree is not None:
            tree.units.append(unit)
        return unit

    def province(self, districts: int) -> Tree:
        root = self.unit(
            None, UnitKind.PROVINCE, "T40", "Đảng bộ tỉnh Nghệ Tĩnh", FieldType.OTHER, None
        )
        tree = Tree(root=root, units=[root])
        for i in range(districts):
            name = names.DISTRICTS[i % len(names.DISTRICTS)]
            self.district(tree, root, f"T40-H{i + 1:02d}", name)
        return tree

    def single_district(self, parent: Unit | None = None) -> Tree:
        """The demo district; under `parent`, after the children it has already."""
        if parent is not None:
            self.children[parent.path] = parent.children.count()
        root = self.unit(
            parent, UnitKind.DISTRICT, "H01", "Đảng bộ huyện Yên Hòa", FieldType.OTHER, None
        )
        tree = Tree(root=root, units=[root])
        self.populate_district(tree, root, "H01")
        return tree

    def district(self, tree: Tree, parent: Unit, code: str, name: str) -> None:
        unit = self.unit(
            parent, UnitKind.DISTRICT, code, f"Đảng bộ huyện {name}", FieldType.OTHER, tree
        )
        self.populate_district(tree, unit, code)

    def populate_district(self, tree: Tree, district: Unit, code: str) -> None:
        """23 commune committees, the military and police committees, 34 grassroots cells."""
        for i, commune in enumerate(names.COMMUNES[:23]):
            c = self.unit(
                district,
                UnitKind.GRASSROOTS_COMMITTEE,
                f"{code}-X{i + 1:02d}",
                f"Đảng bộ xã {commune}",
                FieldType.COMMUNE,
                tree,
            )
            hamlets = self.rng.randint(6, 9)
            for j in range(hamlets):
                self.cell(
                    tree,
                    c,
                    f"{c.code}-C{j + 1:02d}",
                    f"Chi bộ xóm {j + 1}",
                    FieldType.RESIDENTIAL,
                    True,
                    self.rng.randint(14, 34),
                )
            for k, inst in enumerate(self.rng.sample(names.COMMUNE_INSTITUTIONS, 3)):
                field = (
                    FieldType.PUBLIC_SERVICE
                    if "Trường" in inst or "Trạm" in inst
                    else FieldType.ADMINISTRATION
                )
                self.cell(
                    tree,
                    c,
                    f"{c.code}-C{hamlets + k + 1:02d}",
                    f"Chi bộ {inst}",
                    field,
                    False,
                    self.rng.randint(6, 16),
                )
        for kind_code, name, field, cells in (
            ("QS", "Đảng bộ Quân sự huyện", FieldType.MILITARY, names.MILITARY_CELLS),
            ("CA", "Đảng bộ Công an huyện", FieldType.POLICE, names.POLICE_CELLS),
        ):
            c = self.unit(
                district, UnitKind.GRASSROOTS_COMMITTEE, f"{code}-{kind_code}", name, field, tree
            )
            for j, cell_name in enumerate(cells):
                self.cell(
                    tree,
                    c,
                    f"{c.code}-C{j + 1:02d}",
                    cell_name,
                    field,
                    False,
                    self.rng.randint(6, 14),
                )
        for i, (name, field_name, size) in enumerate(names.GRASSROOTS_CELLS):
            self.cell(
                tree,
                district,
                f"{code}-B{i + 1:02d}",
                name,
                FieldType(field_name),
                False,
                max(5, size + self.rng.randint(-3, 3)),
                UnitKind.GRASSROOTS_CELL,
            )

    def cell(
        self,
        tree: Tree,
        parent: Unit,
        code: str,
        name: str,
        field: FieldType,
        residential: bool,
        size: int,
        kind: UnitKind = UnitKind.CELL,
    ) -> None:
        unit = self.unit(parent, kind, code, name, field, tree)
        grassroots = unit if kind == UnitKind.GRASSROOTS_CELL else parent
        cell = Cell(unit, grassroots, residential, size)
        tree.cells.append(cell)
        for _ in range(size):
            tree.members.append(self.member(cell))

    def name(self, female: bool) -> str:
        surnames, weights = self._surnames
        surname = self.rng.choices(surnames, weights)[0]
        middle = self.rng.choice(names.MIDDLE_FEMALE if female else names.MIDDLE_MALE)
        given = self.rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE)
        return f"{surname} {middle} {given}"

    def member(self, cell: Cell) -> Seeded:
        rng = self.rng
        self.member_count += 1
        n = self.member_count
        female = rng.random() < 0.38
        military = cell.unit.field_type in (FieldType.MILITARY, FieldType.POLICE)
        if cell.residential:
            age = rng.choice([rng.randint(25, 60), rng.randint(55, 92)])
        else:
            age = rng.randint(23, 59)
        birth = _date(rng, dt.date(CURRENT_YEAR - age, 1, 1), dt.date(CURRENT_YEAR - age, 12, 28))
        probationary = rng.random() < 0.064
        if probationary:
            admitted = _date(rng, TODAY - dt.timedelta(days=360), TODAY - dt.timedelta(days=10))
        else:
            earliest = max(dt.date(birth.year + 18, birth.month, 1), dt.date(1960, 1, 1))
            admitted = _date(rng, earliest, max(earliest, dt.date(CURRENT_YEAR - 2, 6, 30)))
        full = (
            None
            if probationary
            else admitted.replace(year=admitted.year + 1, day=min(admitted.day, 28))
        )
        civil_servant = (
            military or (not cell.residential and rng.random() < 0.9) or rng.random() < 0.08
        )
        century = 0 if birth.year < 2000 else 2
        member = Member(
            code=f"DV{n:07d}",
            full_name=self.name(female),
            birth_date=birth,
            gender=Gender.FEMALE if female else Gender.MALE,
            citizen_id=f"040{century + int(female)}{birth.year % 100:02d}{n:06d}",
            card_number=f"{40_000_000 + n}",
            cell=cell.unit,
            admitted=admitted,
            full_member_since=full,
            in_political_system=civil_servant,
            civil_servant=civil_servant,
        )
        member.search_key = search_key(member.full_name)
        seeded = Seeded(member, cell)
        self.statuses(seeded, age, female)
        return seeded

    def statuses(self, s: Seeded, age: int, female: bool) -> None:
        rng = self.rng
        year_start = dt.date(CURRENT_YEAR, 1, 1)
        if s.cell.residential and age >= 75 and rng.random() < 0.3:
            s.add_status(
                kind=StatusKind.EXEMPT,
                reason="Tuổi cao, sức yếu",
                start=_date(rng, dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
            )
        elif rng.random() < 0.012:
            start = _date(rng, year_start, dt.date(CURRENT_YEAR, 8, 31))
            months = rng.randint(1, 6)
            s.add_status(
                kind=StatusKind.SICK_LEAVE,
                reason="Điều trị bệnh dài ngày",
                start=start,
                end=start + dt.timedelta(days=30 * months),
            )
        elif female and age < 40 and rng.random() < 0.04:
            start = _date(rng, year_start, dt.date(CURRENT_YEAR, 9, 30))
            s.add_status(
                kind=StatusKind.MATERNITY_LEAVE,
                reason="Nghỉ sinh con",
                start=start,
                end=start + dt.timedelta(days=182),
            )
        elif rng.random() < 0.0015:
            s.add_status(
                kind=StatusKind.SUSPENDED,
                reason="Bị khởi tố, đang điều tra",
                start=_date(rng, year_start, dt.date(CURRENT_YEAR, 10, 31)),
            )
