"""Member import: time and peak memory of `xeploai import members`, against a lower bound.

The lower bound reads the same file with the csv module and inserts its rows, unvalidated,
into a bare table of the same columns in the same database, in one transaction: the file must
be read and the rows must reach the disk at least once. The ratio says what validation through
the forms, the checks against the database, the history rows and the ORM cost on top.

    .venv/bin/python bench/import_members.py [--members 100000] [--bad-last] [--again]

--bad-last appends one row naming an unknown cell: the import must refuse the file and
write nothing, whatever its size. --again imports the file a second time (nothing changes).
Runs in a temporary SQLite database unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "Mã đảng viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Mã chi bộ",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Làm việc trong hệ thống chính trị",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Em", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nga", "Tâm"]
PER_CELL = 70


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--bad-last", action="store_true")
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["XEPLOAI_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        cells = _tree(args.members // PER_CELL + 1)
        path = Path(data_dir) / "members.csv"
        _write_file(path, args.members, cells, bad_last=args.bad_last)
        size = path.stat().st_size / 1e6
        print(f"{args.members:,} members in {len(cells):,} cells, {size:.0f} MB of CSV")
        took, peak, code = _import(path)
        verdict = "refused, nothing written" if code == 1 else "imported"
        print(f"import {took:7.1f} s  peak {peak:5.0f} MB  ({verdict}; exit {code})")
        if args.again:
            took2, peak2, code2 = _import(path)
            print(f"again  {took2:7.1f} s  peak {peak2:5.0f} MB  (exit {code2})")
        floor = _lower_bound(path)
        print(f"lower bound {floor:5.2f} s  ratio {took / floor:5.1f}")
        print(f"{args.members / took:,.0f} rows/s")
        from xeploai.members.models import Member

        written = Member.objects.count()
        print(f"members in the database: {written:,}")
        if args.bad_last:
            assert code == 1 and written == 0, "a refused file must write nothing"


def _tree(count: int) -> list[str]:
    from xeploai.units.actions import create_unit
    from xeploai.units.models import FieldType, Unit, UnitKind, segment

    district = create_unit(
        None, code="H1", name="Đảng bộ huyện", kind=UnitKind.DISTRICT, founded=dt.date(1930, 2, 3)
    )
    units = []
    for n in range(count):
        commune = n // 20
        if n % 20 == 0:
            grassroots = Unit(
                parent=district,
                path=district.path + segment(commune),
                depth=1,
                code=f"X{commune:05d}",
                name=f"Đảng bộ xã {commune}",
                kind=UnitKind.GRASSROOTS_COMMITTEE,
                field_type=FieldType.COMMUNE,
                founded=dt.date(1975, 5, 1),
            )
            grassroots.save()
        units.append(
            Unit(
                parent=grassroots,
                path=grassroots.path + segment(n % 20),
                depth=2,
                code=f"CB{n:06d}",
                name=f"Chi bộ {n}",
                kind=UnitKind.CELL,
                field_type=FieldType.RESIDENTIAL,
                founded=dt.date(1980, 1, 1),
            )
        )
    Unit.objects.bulk_create(units, batch_size=2000)
    return [u.code for u in units]


def _write_file(path: Path, members: int, cells: list[str], *, bad_last: bool) -> None:
    rng = random.Random(2026)  # noqa: S311  (reproducible test data)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n in range(members):
            born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
            admitted = born + dt.timedelta(days=365 * 20 + rng.randrange(3650))
            out.writerow(
                [
                    f"DV{n:08d}",
                    f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}",
                    born.strftime("%d/%m/%Y"),
                    rng.choice(["Nam", "Nữ"]),
                    f"{n:012d}",
                    cells[n // PER_CELL],
                    admitted.strftime("%d/%m/%Y"),
                    (admitted + dt.timedelta(days=365)).strftime("%d/%m/%Y"),
                    rng.choice(["Có", "Không"]),
                ]
            )
        if bad_last:
            out.writerow(
                [
                    "DV99999999",
                    "Trần Thị Cuối",
                    "01/02/1980",
                    "Nữ",
                    "",
                    "CB-KHONG-CO",
                    "19/05/2010",
                    "",
                    "",
                ]
            )


def _import(path: Path) -> tuple[float, float, int]:
    """Time and peak memory of the command, run as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603  (our own command)
        [sys.executable, "-m", "xeploai.manage", "import", "members", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.exit(done.stderr)
    return took, max(peak, before) / 1024, done.returncode


def _lower_bound(path: Path) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_members (code varchar(32), full_name varchar(128),"
            " birth varchar(10), gender varchar(4), citizen varchar(12), cell varchar(32),"
            " admitted varchar(10), full_since varchar(10), political varchar(8))"
        )
        with path.open(encoding="utf-8", newline="") as f:
            rows = csv.reader(f)
            next(rows)
            batch: list[list[str]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 2000:
                    cursor.executemany(
                        "INSERT INTO bench_members VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
                    )
                    batch = []
            if batch:
                cursor.executemany(
                    "INSERT INTO bench_members VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
                )
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
