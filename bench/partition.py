"""Would partitioning the member evaluations by cycle help? Measured on the nation's demo
(`bench/databases.py` `kept_nation`), on two copies of its evaluations made in the same run:
one table as the project has it, one partitioned by cycle (PostgreSQL's declarative
partitioning, a partition per cycle), each with the index the reports read by.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/partition.py [--provinces 1]

For each: a district's results of one cycle read grouped (a report's read), a whole cycle's
(counting it again), and a year archived: its rows deleted, against its partition detached
and dropped. Everything is written in one transaction undone at the end: the database stays
as built.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from typing import Any

import databases
from nation import _timed as timed

YEAR = 2025  # the last closed cycle
COPIES = ("plain", "partitioned")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read (median)")
    args = parser.parse_args()
    os.environ.update(databases.kept_nation(args.provinces))
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as db:  # one transaction, rolled back
        db.execute("SET LOCAL jit = off")
        measure(db, args.repeat)
        db.rollback()


def measure(db: Any, repeat: int) -> None:
    cycles = [row[0] for row in db.execute("SELECT id FROM cycles_cycle ORDER BY year")]
    cycle = db.execute("SELECT id FROM cycles_cycle WHERE year = %s", [YEAR]).fetchone()[0]
    district = db.execute("SELECT path FROM units_unit WHERE code = 'T01-H01'").fetchone()[0]
    started = time.perf_counter()
    _copies(db, cycles)
    rows = db.execute("SELECT count(*) FROM bench_plain").fetchone()[0]
    print(f"{rows:,} evaluations of {len(cycles)} cycles copied twice and indexed in"
          f" {time.perf_counter() - started:.1f} s")  # fmt: skip
    print(f"{'measure':<44} {'plain':>10} {'partitioned':>12} {'ratio':>7}")
    reads = {
        "a district's cycle, read grouped": (cycle, district + "%"),
        "a whole cycle, read grouped": (cycle, "%"),
    }
    for label, (cycle_id, pattern) in reads.items():
        times = [
            timed(repeat, functools.partial(_grouped, db, table, cycle_id, pattern))
            for table in COPIES
        ]
        _row(label, *times)
    year = int(cycle)
    deleted = timed(1, functools.partial(_undone, db, _DELETE.format(year=year)))
    detached = timed(1, functools.partial(_undone, db, _DETACH.format(year=year)))
    _row("a year archived (deleted / detached)", deleted, detached)


_DELETE = "DELETE FROM bench_plain WHERE cycle_id = {year}"
_DETACH = (
    "ALTER TABLE bench_partitioned DETACH PARTITION bench_partitioned_{year};"
    " DROP TABLE bench_partitioned_{year}"
)


def _copies(db: Any, cycles: list[int]) -> None:
    db.execute("SET LOCAL maintenance_work_mem = '256MB'")
    db.execute("CREATE TEMPORARY TABLE bench_plain (LIKE cycles_memberevaluation)")
    db.execute(
        "CREATE TEMPORARY TABLE bench_partitioned (LIKE cycles_memberevaluation)"
        " PARTITION BY LIST (cycle_id)"
    )
    for cycle in cycles:
        db.execute(
            f"CREATE TEMPORARY TABLE bench_partitioned_{int(cycle)}"
            f" PARTITION OF bench_partitioned FOR VALUES IN ({int(cycle)})"
        )
    for table in COPIES:
        db.execute(f"INSERT INTO bench_{table} SELECT * FROM cycles_memberevaluation")  # noqa: S608
        db.execute(f"CREATE INDEX ON bench_{table} (cycle_id, unit_path varchar_pattern_ops)")
        db.execute(f"ANALYZE bench_{table}")


def _grouped(db: Any, table: str, cycle: int, pattern: str) -> None:
    db.execute(
        f"SELECT status, coalesce(level_final, level_decided), count(*) FROM bench_{table}"  # noqa: S608
        " WHERE cycle_id = %s AND unit_path LIKE %s GROUP BY 1, 2",
        [cycle, pattern],
    ).fetchall()


def _undone(db: Any, sql: str) -> None:
    """Run in a savepoint rolled back at its end."""
    with db.transaction(force_rollback=True):
        for statement in sql.split(";"):
            db.execute(statement)


def _row(label: str, plain: float, partitioned: float) -> None:
    print(
        f"{label:<44} {plain * 1000:>8.1f}ms {partitioned * 1000:>10.1f}ms"
        f" {partitioned / plain:>6.2f}x"
    )


if __name__ == "__main__":
    main()
