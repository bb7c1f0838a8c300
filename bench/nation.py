"""What reports and the tally cost at the size of the nation, on PostgreSQL, against the least
the same rows can be read or written in, measured in the same run.

The data: the nation's demo (`xeploai demo --size nation`, `xeploai/demo/nation.py`): 1
centre, P provinces (34 by default) of 21 districts of 79 communes of 5 cells of 20 members
(5.64 million members, 282,030 cells for 34 provinces), last year's results and this year's
review opened for every member and organisation, and the demo district within the first
province. It is built once into its own database beside the one DATABASE_URL names, and kept
there (`bench/databases.py`) so that the next run, and `bench/load.py`, measure at once;
`--drop` removes it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/nation.py [--provinces 34] [--drop]

For each of a district, a province and the nation: the statistics (whole, children,
reconciliation: what the roll-ups serve), against one grouped read of the subtree's
evaluations; the whole report's data beside. Then the tally of one cycle counted again,
against one INSERT … SELECT grouping its evaluations; and the year after opened for a
province, against one INSERT … SELECT of its members' evaluations (both undone after).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics as stats
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import databases

YEAR = 2025  # the last closed cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--drop", action="store_true", help="drop the database, measure nothing")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    args = parser.parse_args()
    if args.drop:
        databases.drop_nation(args.provinces)
        return
    os.environ.update(databases.kept_nation(args.provinces))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
    import django

    django.setup()
    measure(args.repeat)


def measure(repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xeploai.cycles.models import Cycle
    from xeploai.reports import tally
    from xeploai.reports.data import report
    from xeploai.reports.models import Rollup, Tally
    from xeploai.reports.stats import statistics
    from xeploai.units.models import Unit

    cycle = Cycle.objects.get(year=YEAR)
    members = _count("SELECT count(*) FROM members_member")
    cells = _count("SELECT count(*) FROM units_unit WHERE kind = 'CELL'")
    tallied = Tally.objects.filter(cycle=cycle).count()
    rolled = Rollup.objects.filter(cycle=cycle).count()
    cycles = Cycle.objects.count()
    print(f"PostgreSQL, {members:,} members, {cells:,} cells, {cycles} cycles;")
    print(f"one cycle: {tallied:,} tally rows, {rolled:,} roll-up rows")
    print(f"{'measure':<44} {'ours':>10} {'bound':>10} {'ratio':>7} {'queries':>8}")
    nation = Unit.objects.get(code="TW")
    for label, unit in (
        ("district", Unit.objects.get(code="T01-H01")),
        ("province", Unit.objects.get(code="T01")),
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
    command = [
        "report",
        "--cycle",
        str(YEAR),
        "--unit",
        "T01-H01",
        "--format",
        "json",
        "--as",
        "tinh",
    ]
    start_up = _timed(repeat, lambda: _command(["report", "--help"]))
    ours = _timed(repeat, lambda: _command([*command, "--output", os.devnull]))
    _row("`xeploai report` for a district (command)", ours, start_up, None)
    print(f"{'  beyond the start-up alone (goal 300 ms)':<44} {(ours - start_up) * 1000:>8.1f}ms")
    bound = _timed(1, lambda: _insert_select(cycle))
    ours = _timed(1, lambda: tally.rebuild([cycle]))
    _row("tally of one cycle counted again", ours, bound, None)
    province = Unit.objects.get(code="T01")
    bound = _timed(1, lambda: _rolled_back(functools.partial(_insert_evaluations, province)))
    before = _peak_mb()
    ours = _timed(1, lambda: _rolled_back(functools.partial(_open_cycle, province)))
    _row("opening a cycle for a province", ours, bound, None)
    print(f"peak memory of the process: {before:.0f} MB before opening, {_peak_mb():.0f} after")


def _command(arguments: list[str]) -> None:
    """One `xeploai` command as a user runs it: a process of its own, Django set up."""
    subprocess.run(  # noqa: S603  (our own command)
        [sys.executable, "-m", "xeploai.manage", *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _rolled_back(run: Callable[[], object]) -> None:
    """Run in a transaction undone at its end, so that the database stays as built."""
    from django.db import transaction

    with transaction.atomic():
        run()
        transaction.set_rollback(True)


def _next_cycle() -> Any:
    from xeploai.cycles.models import Cycle
    from xeploai.rules import Regime

    cycle = Cycle.for_year(YEAR + 2, Regime.QD366)
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
