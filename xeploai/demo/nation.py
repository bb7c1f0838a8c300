"""The nation for the demo, on PostgreSQL: the centre, its provinces, their districts,
communes, cells and members, last year's results and this year's review opened, written
set-based (the units copied in, every other row by INSERT … SELECT), deterministic; and
the demo district, with its people, history and personas, as one more district of the first
province.

The shape per province (21 districts of 79 communes of 5 cells of 20 members) gives 34
provinces 5.64 million members in 282,030 cells, the size of the party.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction

from xeploai.accounts.models import Role, RoleKind, User
from xeploai.core.text import search_key
from xeploai.cycles.models import Cycle, Status, Step
from xeploai.cycles.rules import Records
from xeploai.members.models import Member
from xeploai.reports import tally
from xeploai.reviews.actions.common import opening_state
from xeploai.rules import classify_member
from xeploai.units.models import FieldType, Unit, UnitKind, segment

from . import load, names

FOUNDED = dt.date(1990, 1, 1)


@dataclasses.dataclass(frozen=True)
class Shape:
    provinces: int = 34
    districts: int = 21  # per province
    communes: int = 79  # per district
    cells: int = 5  # per commune
    members: int = 20  # per cell


def load_nation(
    shape: Shape, seed: int, progress: Callable[[str], None] = print, *, district: bool = True
) -> dict[str, int]:
    """Write the nation, then (unless `district` is false) the demo district within it; all
    of it or, on any error, nothing."""
    if connection.vendor != "postgresql":
        raise NationError("the nation demo needs PostgreSQL: set DATABASE_URL=postgres://…")
    if Unit.objects.exists():
        raise NationError("the nation demo is written into an empty database")
    with transaction.atomic():
        cycles = load.make_or_reuse_cycles()
        done, current = cycles[-2], cycles[-1]
        with _bulk_loading(BULK_TABLES), connection.cursor() as cursor:
            _copy_units(shape)
            progress(f"  {Unit.objects.count()} tổ chức đảng")
            cursor.execute(
                _MEMBERS_SQL, {"n": shape.members, "year": current.year, **_name_arrays()}
            )
            progress(f"  {cursor.rowcount} đảng viên")
            cursor.execute(_MEMBER_RESULTS_SQL, {"cycle": done.pk, "salt": done.year})
            cursor.execute(_UNIT_RESULTS_SQL, {"cycle": done.pk, "salt": done.year})
            cursor.execute(_STATE_RESULTS_SQL, {"year": done.year})
            progress(f"  {done.name}: xong")
            cursor.execute(_OPEN_MEMBERS_SQL, {"cycle": current.pk, **_kept_out(current)})
            cursor.execute(_OPEN_UNITS_SQL, {"cycle": current.pk})
            progress(f"  {current.name}: đã mở kiểm điểm")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts: dict[str, int] = {}
        if district:  # which counts the tally of every cycle
            province = Unit.objects.get(code=province_code(0))
            counts = load.load("district", seed, progress=progress, parent=province)
            _officers(province)
        else:
            tally.rebuild(cycles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["units"] = Unit.objects.count()
    counts["members"] = _count("SELECT count(*) FROM members_member")
    counts["evaluations"] = _count("SELECT count(*) FROM cycles_memberevaluation")
    return counts


class NationError(Exception):
    """The nation cannot be written here; the message says why."""


# The tables written in bulk: their indexes and foreign keys are dropped while they are
# written, then made again, each in one pass over the table (PostgreSQL's advice for
# populating a database), instead of kept up to date and checked row by row.
BULK_TABLES = (
    "units_unit",
    "members_member",
    "members_stateresult",
    "cycles_memberevaluation",
    "cycles_unitevaluation",
)


@contextlib.contextmanager
def _bulk_loading(tables: tuple[str, ...]) -> Iterator[None]:
    """Within the block, the tables have no foreign keys and no indexes but their primary
    keys; all come back, checked, when it ends (in the block's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND (conrelid::regclass::text = ANY(%(t)s)"
            " OR confrelid::regclass::text = ANY(%(t)s))",
            {"t": list(tables)},
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.tablename, i.indexname, i.indexdef, c.conname, c.contype"
            " FROM pg_indexes i LEFT JOIN pg_constraint c ON c.contype <> 'f' AND c.conindid ="
            " (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass"
            " WHERE i.tablename = ANY(%(t)s) AND c.contype IS DISTINCT FROM 'p'",
            {"t": list(tables)},
        )
        indexes = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table, name, _definition, constraint, _kind in indexes:
            if constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, name, definition, constraint, _kind in indexes:
            cursor.execute(definition)
            if constraint:  # a unique constraint, made again on its index
                cursor.execute(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" UNIQUE USING INDEX "{name}"'
                )
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def province_code(p: int) -> str:
    return f"T{p + 1:02d}"


def district_code(p: int, d: int) -> str:
    return f"{province_code(p)}-H{d + 1:02d}"


def _copy_units(shape: Shape) -> None:
    """The tree, depth first, with ids given here (from the table's sequence) so that parents
    are known."""
    columns = "id, parent_id, path, depth, kind, field_type, code, name, search_key, founded"
    table = Unit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        first = last = int(cursor.fetchone()[0])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in _units(shape, first):
                copy.write_row((*row, search_key(row[7], row[6]), FOUNDED))
                last = row[0]
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])


def _units(shape: Shape, first: int) -> Iterator[tuple[Any, ...]]:
    ids = iter(range(first, 10**12))
    centre, c_path = next(ids), segment(0)
    yield centre, None, c_path, 0, UnitKind.CENTRE, FieldType.OTHER, "TW", "Đảng bộ Trung ương"
    committee = UnitKind.GRASSROOTS_COMMITTEE
    for p in range(shape.provinces):
        place = names.PROVINCES[p % len(names.PROVINCES)]
        kind_of_place = "thành phố" if place in names.CITIES else "tỉnh"
        province, p_path, p_code = next(ids), c_path + segment(p), province_code(p)
        name = f"Đảng bộ {kind_of_place} {place}"
        yield province, centre, p_path, 1, UnitKind.PROVINCE, FieldType.OTHER, p_code, name
        for d in range(shape.districts):
            district, d_path, d_code = next(ids), p_path + segment(d), district_code(p, d)
            name = f"Đảng bộ huyện {_district_name(d)}"
            yield district, province, d_path, 2, UnitKind.DISTRICT, FieldType.OTHER, d_code, name
            for g in range(shape.communes):
                commune, g_path, g_code = next(ids), d_path + segment(g), f"{d_code}-X{g + 1:02d}"
                name = f"Đảng bộ xã {_commune_name(d, g)}"
                yield commune, district, g_path, 3, committee, FieldType.COMMUNE, g_code, name
                for c in range(shape.cells):
                    yield (
                        next(ids),
                        commune,
                        g_path + segment(c),
                        4,
                        UnitKind.CELL,
                        FieldType.RESIDENTIAL,
                        f"{g_code}-C{c + 1:02d}",
                        f"Chi bộ thôn {c + 1}",
                    )


def _district_name(d: int) -> str:
    pool = names.DISTRICTS + names.COMMUNES
    return pool[d % len(pool)]


def _commune_name(d: int, g: int) -> str:
    first = names.COMMUNES[g % len(names.COMMUNES)].split()[0]
    ending = names.COMMUNE_ENDINGS[(g // len(names.COMMUNES) + d) % len(names.COMMUNE_ENDINGS)]
    return f"{first} {ending}"


def _name_arrays() -> dict[str, Any]:
    """Surnames (repeated by their frequency), and the middle and given names of each gender
    in every combination; each with its search key."""
    surnames = [s for s, weight in names.SURNAMES.items() for _n in range(weight)]
    men = [f"{m} {g}" for m in names.MIDDLE_MALE for g in names.GIVEN_MALE]
    women = [f"{m} {g}" for m in names.MIDDLE_FEMALE for g in names.GIVEN_FEMALE]
    arrays = {"surnames": surnames, "men": men, "women": women}
    return arrays | {f"{k}_keys": [search_key(v) for v in values] for k, values in arrays.items()}


# Each member's name, gender, birth and admission drawn from their cell and rank in it, so
# that the same shape always gives the same members; a quarter are civil servants, one in
# twenty on probation (admitted this year). The others were admitted on one of 2,430 weeks
# since 1975, between 18 and 40 years old.
_MEMBERS_SQL = """
INSERT INTO members_member (code, full_name, search_key, birth_date, gender, card_number,
    admitted, full_member_since, in_political_system, civil_servant, cell_id)
SELECT 'DV' || (10000000 + c.id * %(n)s + g),
       (%(surnames)s::text[])[s] || ' ' || CASE WHEN female THEN (%(women)s::text[])[w]
                                                ELSE (%(men)s::text[])[m] END,
       (%(surnames_keys)s::text[])[s] || ' ' || CASE WHEN female THEN (%(women_keys)s::text[])[w]
                                                     ELSE (%(men_keys)s::text[])[m] END,
       admitted - (6575 + (c.id * 31 + g * 17) %% 8030)::int,
       CASE WHEN female THEN 'F' ELSE 'M' END, '', admitted,
       CASE WHEN probationer THEN NULL ELSE admitted + 365 END,
       g %% 4 = 0, g %% 4 = 0, c.id
FROM (SELECT id FROM units_unit WHERE kind = 'CELL') c
CROSS JOIN generate_series(1, %(n)s) g
CROSS JOIN LATERAL (
    SELECT (c.id * 7 + g * 3) %% 100 < 38 AS female,
           g %% 20 = 0 AS probationer,
           CASE WHEN g %% 20 = 0 THEN make_date(%(year)s, 3, 2) + ((c.id * 37 + g) %% 200)::int
                ELSE DATE '1975-01-06' + (7 * ((c.id * 13 + g * 7) %% 2430))::int END AS admitted,
           1 + (c.id * 97 + g * 89) %% cardinality(%(surnames)s::text[]) AS s,
           1 + (c.id * 53 + g * 41) %% cardinality(%(men)s::text[]) AS m,
           1 + (c.id * 71 + g * 29) %% cardinality(%(women)s::text[]) AS w
) drawn
"""
# Last year's result of every member: about 3 % exempt, the rest classified, about 15 %
# excellent, 70 % good, 13 % completed and 2 % not completed (by the member and the year).
_MEMBER_RESULTS_SQL = """
INSERT INTO cycles_memberevaluation (status, status_reason, tasks_late, tasks_exceeded,
    weaknesses_total, weaknesses_fixed, level_final, label, exemplary, version, unit_path,
    degraded, cell_id, cycle_id, member_id, step)
SELECT CASE WHEN r < 3 THEN 'EXEMPT' ELSE 'CLASSIFIED' END,
       CASE WHEN r < 3 THEN 'Miễn công tác và sinh hoạt đảng' ELSE '' END, 0, 0, 0, 0,
       CASE WHEN r < 3 THEN NULL WHEN r < 18 THEN 1 WHEN r < 88 THEN 2 WHEN r < 98 THEN 3
            ELSE 4 END,
       '', false, 1, c.path, false, c.id, %(cycle)s, m.id, 'PUBLISHED'
FROM (SELECT id, cell_id, (id * 7919 + %(salt)s * 104729) %% 100 AS r FROM members_member
      WHERE admitted < make_date(%(salt)s, 7, 1)) m
JOIN units_unit c ON c.id = m.cell_id
"""
_UNIT_RESULTS_SQL = """
INSERT INTO cycles_unitevaluation (status, status_reason, tasks_late, tasks_exceeded,
    weaknesses_total, weaknesses_fixed, level_final, label, exemplary, version, kind, unit_path,
    disciplined, disunity, degraded_member, cycle_id, unit_id, force_majeure, step)
SELECT 'CLASSIFIED', '', 0, 0, 0, 0,
       CASE WHEN r < 15 THEN 1 WHEN r < 85 THEN 2 WHEN r < 97 THEN 3 ELSE 4 END,
       '', false, 1, 'organisation', u.path, false, false, false, %(cycle)s, u.id, false,
       'PUBLISHED'
FROM (SELECT *, (id * 7919 + %(salt)s * 104729) %% 100 AS r FROM units_unit
      WHERE kind <> 'CENTRE') u
"""
# The civil servants' state evaluation: about 95 % rated, a fifth of them excellent.
_STATE_RESULTS_SQL = """
INSERT INTO members_stateresult (member_id, year, level, decision_number, decision_date)
SELECT id, %(year)s,
       CASE WHEN r < 20 THEN 'EXCELLENT' WHEN r < 85 THEN 'GOOD' WHEN r < 93 THEN 'COMPLETED'
            ELSE 'NOT_COMPLETED' END,
       '1/QĐ-UBND', make_date(%(year)s, 12, 1)
FROM (SELECT id, (id * 104729 + %(year)s * 7919) %% 100 AS r FROM members_member
      WHERE civil_servant) m
WHERE r < 95
"""
# This year's review opened for every member, as `open_cycle` opens it for members with no
# status, discipline or state result on record (all of the nation's but the demo district's):
# those the rules keep out of it (`_kept_out`) with their status, reason and step.
_OPEN_MEMBERS_SQL = """
INSERT INTO cycles_memberevaluation (status, status_reason, tasks_late, tasks_exceeded,
    weaknesses_total, weaknesses_fixed, label, exemplary, version, unit_path, degraded, cell_id,
    cycle_id, member_id, step)
SELECT coalesce(o.status, 'PENDING'), coalesce(o.reason, ''), 0, 0, 0, 0, '', false, 0, c.path,
       false, c.id, %(cycle)s, m.id, coalesce(o.step, 'SELF_REVIEW')
FROM members_member m JOIN units_unit c ON c.id = m.cell_id
LEFT JOIN unnest(%(admitted)s::date[], %(servant)s::boolean[], %(status)s::text[],
                 %(reason)s::text[], %(step)s::text[])
    AS o (admitted, servant, status, reason, step)
    ON o.admitted = m.admitted AND o.servant = m.civil_servant
"""


def _kept_out(cycle: Cycle) -> dict[str, list[Any]]:
    """The members with no records whom the rules keep out of the cycle's review as it opens
    (R4: admitted too recently), as `_OPEN_MEMBERS_SQL` takes them: the engine judges each
    distinct day of admission and service once."""
    kept: dict[str, list[Any]] = {
        k: [] for k in ("admitted", "servant", "status", "reason", "step")
    }
    alike = Member.objects.values_list("admitted", "civil_servant").distinct().order_by()
    for admitted, servant in alike:
        member = Member(code="", admitted=admitted, civil_servant=servant)
        facts = Records().facts(member, None, cycle)
        state = opening_state(classify_member(facts, cycle.period, cycle.settings))
        if state != OPENED:
            for key, value in zip(kept, (admitted, servant, *state), strict=True):
                kept[key].append(value)
    return kept


OPENED = (Status.PENDING.value, "", Step.SELF_REVIEW.value)  # as most members open
# And for every organisation and, but for cells, its leadership collective (`open_units`).
_OPEN_UNITS_SQL = """
INSERT INTO cycles_unitevaluation (status, status_reason, tasks_late, tasks_exceeded,
    weaknesses_total, weaknesses_fixed, label, exemplary, version, kind, unit_path,
    disciplined, disunity, degraded_member, cycle_id, unit_id, force_majeure, step)
SELECT 'PENDING', '', 0, 0, 0, 0, '', false, 0, k.kind, u.path, false, false, false,
       %(cycle)s, u.id, false, 'SELF_REVIEW'
FROM units_unit u
CROSS JOIN (VALUES ('organisation'), ('collective')) k (kind)
WHERE u.kind <> 'CENTRE' AND (k.kind = 'organisation' OR u.kind <> 'CELL')
"""


# Officers of the organisation boards above the demo district, signed in as the personas are.
OFFICERS = (
    ("tinh", "Hoàng Thị", "Tỉnh", "province"),
    ("trunguong", "Nguyễn Văn", "Trung", "centre"),
)


def _officers(province: Unit) -> None:
    """The organisation board officers of the first province and of the centre."""
    units = {"province": province, "centre": Unit.objects.get(code="TW")}
    password = User.objects.get(username="dung").password  # the personas' shared password
    for username, last, first, where in OFFICERS:
        user = User.objects.create(
            username=username,
            last_name=last,
            first_name=first,
            email=f"{username}@xeploai.invalid",
            password=password,
        )
        Role.objects.create(user=user, unit=units[where], kind=RoleKind.BOARD_OFFICER)


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])
