"""Demo load time, against writing the same rows with no generation and no ORM.

The lower bound copies every table the demo wrote with one `CREATE TABLE ... AS SELECT` in the
same database: the rows must reach the disk at least once. The ratio says what generating the
demo, computing its results and going through the ORM cost on top.

    .venv/bin/python bench/demo_load.py [--size district|province]

On PostgreSQL `--size province` is the nation's first province (`xeploai demo --size province`).

Runs in a temporary SQLite database or, with DATABASE_URL set, in a throwaway database on
that PostgreSQL server, dropped afterwards; nothing of the project's own data is touched.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from databases import throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("district", "province"), default="district")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir, throwaway_database() as engine:
        os.environ["XEPLOAI_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from xeploai.demo import load

        call_command("migrate", verbosity=0)
        before = set(connection.introspection.table_names())
        started = time.perf_counter()
        counts = load.build(args.size, args.seed, progress=lambda _line: None)
        took = time.perf_counter() - started
        with connection.cursor() as cursor:
            tables = [
                t
                for t in connection.introspection.table_names(cursor)
                if t in before and _count(cursor, t) > 0
            ]
        rows = 0
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'CREATE TABLE "bench_{table}" AS SELECT * FROM "{table}"')  # noqa: S608
                rows += _count(cursor, f"bench_{table}")
        floor = time.perf_counter() - started
    print(
        f"demo {args.size} on {engine}: {counts['units']:,} units, {counts['members']:,} members,"
        f" {counts['evaluations']:,} evaluations; {rows:,} rows in {len(tables)} tables"
    )
    print(f"load {took:6.1f} s  lower bound {floor:5.2f} s  ratio {took / floor:5.1f}")


def _count(cursor: object, table: str) -> int:
    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # type: ignore[attr-defined]  # noqa: S608
    return int(cursor.fetchone()[0])  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
