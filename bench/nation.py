"""What reports and the tally cost at the size of the nation, on PostgreSQL, against the least
the same rows can be read or written in, measured in the same run.

The tree: 1 centre, P provinces (34 by default), 21 districts each, 79 grassroots committees
each, 5 cells each, 20 members each (5.64 million members, 282,030 cells for 34 provinces),
two closed yearly cycles with a result for every member and organisation. It is built once,
set-based (the units copied in, members and evaluations written by INSERT … SELECT over
`generate_series`), deterministic, into its own database beside the one DATABASE_URL names,
and kept there so that the next run measures at once; `--drop` removes it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/nation.py [--provinces 34] [--drop]

For each of a district, a province and the nation: the statistics (whole, children,
reconciliation: what the roll-ups serve), against one grouped read of the subtree's
evaluations; the whole report's data beside. Then the tally of one cycle counted again,
against one INSERT … SELECT grouping its evaluations; and the next cycle opened for a
province, against one INSERT … SELECT of its members' evaluations (both undone after).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics as stats
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DISTRICTS, GRASSROOTS, CELLS, MEMBERS = 21, 79, 5, 20
YEARS = (2024, 2025)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--drop", action="store_true", help="drop the database, measure nothing")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("bench/nation.py: set DATABASE_URL to a PostgreSQL server")
    import psycopg

    name = f"xeploai_bench_nation_{args.provinces}"
    with psycopg.connect(url, autocommit=True) as admin:
        if args.drop:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped {name}")
            return
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    os.environ.setdefault("XEPLOAI_DATA_DIR", tempfile.mkdtemp())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xeploai.units.models import Unit

    if not Unit.objects.filter(code="TW").exists():
        started = time.perf_counter()
        build(args.provinces)
        print(f"built the tree in {time.perf_counter() - started:.0f} s")
    measure(args.repeat)


def build(provinces: int) -> None:
    from django.db import connection, transaction

    from xeploai.cycles.models import Cycle
    from xeploai.reports import tally
    from xeploai.rules import Regime

    with transaction.atomic():
        _copy_units(provinces)
        cycles = []
        for year in YEARS:
            cycle = Cycle.for_year(year, Regime.QD366, closed=True)
            cycle.save()
            cycles.append(cycle)
        with connection.cursor() as cursor:
            cursor.execute(_MEMBERS_SQL, {"n": MEMBERS})
            for cycle in cycles:
                cursor.execute(_MEMBER_RESULTS_SQL, {"cycle": cycle.pk, "salt": cycle.year})
                cursor.execute(_UNIT_RESULTS_SQL, {"cycle": cycle.pk, "salt": cycle.year})
                cursor.execute(_STATE_RESULTS_SQL, {"year": cycle.year})
            cursor.execute("ANALYZE")
        tally.rebuild(cycles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _copy_units(provinces: int) -> None:
    """The tree, in depth-first order, with ids given here so that parents are known."""
    import datetime as dt

    from django.db import connection

    from xeploai.units.models import Unit, UnitKind, segment

    founded = dt.date(1990, 1, 1)
    columns = "id, parent_id, path, depth, kind, field_type, code, name, search_key, founded"

    def rows() -> Iterator[tuple[Any, ...]]:
        ids = iter(range(1, 10**9))
        centre = next(ids)
        yield (centre, None, segment(0), 0, UnitKind.CENTRE, "COMMUNE", "TW", "Trung ương")
        for p in range(provinces):
            province, p_path = next(ids), segment(0) + segment(p)
            yield (province, centre, p_path, 1, UnitKind.PROVINCE, "COMMUNE", f"T{p:02d}", "Tỉnh")
            for d in range(DISTRICTS):
                district, d_path = next(ids), p_path + segment(d)
                code = f"T{p:02d}H{d:02d}"
                yield (district, province, d_path, 2, UnitKind.DISTRICT, "COMMUNE", code, "Huyện")
                for g in range(GRASSROOTS):
                    grassroots, g_path = next(ids), d_path + segment(g)
                    g_code = f"{code}X{g:02d}"
                    kind = UnitKind.GRASSROOTS_COMMITTEE
                    yield (grassroots, district, g_path, 3, kind, "COMMUNE", g_code, "Xã")
                    for c in range(CELLS):
                        c_path = g_path + segment(c)
                        yield (
                            next(ids),
                            grassroots,
                            c_path,
                            4,
                            UnitKind.CELL,
                            "COMMUNE",
                            f"{g_code}C{c}",
                            "Chi bộ",
                        )

    table = Unit._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row((*row, row[7].lower(), founded))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, Unit.objects.count()]
        )


_MEMBERS_SQL = """
INSERT INTO members_member (code, full_name, search_key, birth_date, gender, card_number,
    admitted, full_member_since, in_political_system, civil_servant, cell_id)
SELECT c.code || '-' || g, 'Đảng viên ' || g, 'dang vien ' || g,
       DATE '1960-01-01' + ((c.id * 31 + g * 17) %% 15000)::int,
       CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
       '', DATE '2000-01-01', CASE WHEN g = 20 THEN NULL ELSE DATE '2001-01-01' END,
       false, g %% 4 = 0, c.id
FROM units_unit c CROSS JOIN generate_series(1, %(n)s) g
WHERE c.kind = 'CELL'
"""
# A result for every member: about 3 % exempt, the rest classified, about 15 % excellent,
# 70 % good, 13 % completed and 2 % not completed (deterministic by the member and the year).
_MEMBER_RESULTS_SQL = """
INSERT INTO cycles_memberevaluation (status, status_reason, tasks_late, tasks_exceeded,
    weaknesses_total, weaknesses_fixed, level_final, label, exemplary, version, unit_path,
    degraded, cell_id, cycle_id, member_id, step)
SELECT CASE WHEN r < 3 THEN 'EXEMPT' ELSE 'CLASSIFIED' END,
       CASE WHEN r < 3 THEN 'Miễn công tác và sinh hoạt đảng' ELSE '' END, 0, 0, 0, 0,
       CASE WHEN r < 3 THEN NULL WHEN r < 18 THEN 1 WHEN r < 88 THEN 2 WHEN r < 98 THEN 3
            ELSE 4 END,
       '', false, 1, c.path, false, c.id, %(cycle)s, m.id, 'PUBLISHED'
FROM (SELECT id, cell_id, (id * 7919 + %(salt)s * 104729) %% 100 AS r FROM members_member) m
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


# The state evaluation of the civil servants (a quarter of the members): about 95 % rated,
# a fifth of them excellent (deterministic by the member and the year).
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


def measure(repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xeploai.cycles.models import Cycle
    from xeploai.reports import tally
    from xeploai.reports.data import report
    from xeploai.reports.models import Rollup, Tally
    from xeploai.reports.stats import statistics
    from xeploai.units.models import Unit

    cycle = Cycle.objects.get(year=YEARS[-1])
    members = _count("SELECT count(*) FROM members_member")
    cells = _count("SELECT count(*) FROM units_unit WHERE kind = 'CELL'")
    tallied = Tally.objects.filter(cycle=cycle).count()
    rolled = Rollup.objects.filter(cycle=cycle).count()
    print(f"PostgreSQL, {members:,} members, {cells:,} cells, {len(YEARS)} cycles;")
    print(f"one cycle: {tallied:,} tally rows, {rolled:,} roll-up rows")
    print(f"{'measure':<44} {'ours':>10} {'bound':>10} {'ratio':>7} {'queries':>8}")
    nation = Unit.objects.get(code="TW")
    for label, unit in (
        ("district", Unit.objects.get(code="T00H00")),
        ("province", Unit.objects.get(code="T00")),
        ("nation", nation),
    ):
        bound = _timed(repeat, functools.partial(_read_evaluations, unit, cycle))
        with CaptureQueriesContext(connection) as queries:
            statistics(unit, cycle)
        ours = _timed(repeat, functools.partial(statistics, unit, cycle))
        _row(f"{label}: statistics", ours, bound, len(queries))
        with CaptureQueriesContext(connection) as queries:
            report(unit, cycle)
        whole = _timed(repeat, functools.partial(report, unit, cycle))
        _row(f"{label}: whole report data", whole, bound, len(queries))
    bound = _timed(1, lambda: _insert_select(cycle))
    ours = _timed(1, lambda: tally.rebuild([cycle]))
    _row("tally of one cycle counted again", ours, bound, None)
    province = Unit.objects.get(code="T00")
    bound = _timed(1, lambda: _rolled_back(functools.partial(_insert_evaluations, province)))
    before = _peak_mb()
    ours = _timed(1, lambda: _rolled_back(functools.partial(_open_cycle, province)))
    _row("opening a cycle for a province", ours, bound, None)
    print(f"peak memory of the process: {before:.0f} MB before opening, {_peak_mb():.0f} after")


def _rolled_back(run: Callable[[], object]) -> None:
    """Run in a transaction undone at its end, so that the database stays as built."""
    from django.db import transaction

    with transaction.atomic():
        run()
        transaction.set_rollback(True)


def _next_cycle() -> Any:
    from xeploai.cycles.models import Cycle
    from xeploai.rules import Regime

    cycle = Cycle.for_year(YEARS[-1] + 1, Regime.QD366)
    cycle.save()
    return cycle


def _open_cycle(unit: Any) -> None:
    """The next year's cycle opened for the unit, as its organisation board would."""
    from xeploai.accounts.models import RoleKind
    from xeploai.core.testing import make_user
    from xeploai.reports import tally
    from xeploai.reviews import actions

    board = make_user("ban_to_chuc", roles=((RoleKind.BOARD_OFFICER, unit),))
    with tally.deferred():
        actions.open_cycle(unit, cycle=_next_cycle(), by=board)


def _insert_evaluations(unit: Any) -> None:
    """The least opening costs: one INSERT … SELECT of an evaluation for every member of the
    unit, in the next year's cycle."""
    from django.db import connection

    cycle = _next_cycle()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cycles_memberevaluation (status, status_reason, tasks_late,"
            " tasks_exceeded, weaknesses_total, weaknesses_fixed, label, exemplary, version,"
            " unit_path, degraded, cell_id, cycle_id, member_id, step)"
            " SELECT 'CLASSIFIED', '', 0, 0, 0, 0, '', false, 1, c.path, false, c.id, %s,"
            " m.id, 'SELF_REVIEW' FROM members_member m JOIN units_unit c ON c.id = m.cell_id"
            " WHERE c.path LIKE %s",
            [cycle.pk, unit.path + "%"],
        )


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_evaluations(unit: Any, cycle: Any) -> None:
    """The least a report of the subtree reads: its evaluations grouped by status and level."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, coalesce(level_final, level_decided), count(*)"
            " FROM cycles_memberevaluation WHERE cycle_id = %s AND unit_path LIKE %s"
            " GROUP BY 1, 2",
            [cycle.pk, unit.path + "%"],
        )
        cursor.fetchall()


def _insert_select(cycle: Any) -> None:
    """The least counting a cycle costs: one INSERT … SELECT grouping its evaluations by cell,
    status and level, into a table dropped afterwards."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bound_tally ON COMMIT DROP AS"
            " SELECT unit_path, status, status_reason, coalesce(level_final, level_decided) AS"
            " level, count(*) AS n FROM cycles_memberevaluation WHERE cycle_id = %s"
            " GROUP BY 1, 2, 3, 4",
            [cycle.pk],
        )


def _count(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def _timed(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _n in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return stats.median(times)


def _row(label: str, ours: float, bound: float, queries: int | None) -> None:
    counted = "" if queries is None else str(queries)
    print(
        f"{label:<44} {ours * 1000:>8.1f}ms {bound * 1000:>8.1f}ms {ours / bound:>6.1f}x"
        f" {counted:>8}"
    )


if __name__ == "__main__":
    main()
