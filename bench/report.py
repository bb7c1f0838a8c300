"""What a report costs on the demo province, against the least any report must read.

The lower bound is one grouped query of the per-cell aggregates (`Tally`) of the unit's
subtree: the figures of the whole, and nothing else. Beside it, the same grouped count read
from the evaluations themselves shows what the aggregates save. Then each step of a real
report: the statistics (whole, children, reconciliation), the whole report's data (quota
groups, appraisal changes, trends), the page's tables, its charts, and each download.

    .venv/bin/python bench/report.py [--data-dir DIR] [--year 2025]

Uses the database DATABASE_URL names when it is set (PostgreSQL: the measure that matters at
scale), else the SQLite database of DIR (default: a temporary one), loading the demo
province into it first when it is not there (`xeploai demo --size province`); run it again on
the same database to measure again.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from timing import best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="keep the database here (default: a temporary one)")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp()
    os.environ["XEPLOAI_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum
    from django.test.utils import CaptureQueriesContext

    from xeploai.cycles.models import Cycle, MemberEvaluation
    from xeploai.demo import load
    from xeploai.reports import exports
    from xeploai.reports.charts import charts, svg
    from xeploai.reports.data import report
    from xeploai.reports.models import MEMBERS, Tally
    from xeploai.reports.stats import statistics
    from xeploai.reports.tables import tables
    from xeploai.units.models import Unit

    call_command("migrate", verbosity=0)
    if not load.is_loaded("province"):
        print("loading the demo province...")
        load.build("province", 2026, progress=lambda _line: None)
    cycle = Cycle.objects.get(year=args.year)
    province = Unit.objects.get(code=load.root_code("province"))
    district = Unit.objects.filter(parent=province).order_by("path").first()
    assert district is not None
    group = ("status", "level", "label", "ordinal")

    def floor(unit: Unit) -> None:
        rows = Tally.objects.filter(cycle=cycle, subject=MEMBERS, unit_path__startswith=unit.path)
        list(rows.values(*group).annotate(n=Sum("n")).order_by())

    def scan(unit: Unit) -> None:
        rows = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        list(rows.values("status", "level_final", "label", "ordinal").annotate(n=Count("id")))

    def measure(unit: Unit) -> None:
        members = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        print(f"{unit.name} ({unit.code}), {args.year}: {members.count():,} member results")
        bound = best(lambda: floor(unit))
        print(f"  {'lower bound (tally, one query)':38} {bound * 1000:8.1f} ms")
        data: dict[str, Any] = {}
        steps: list[tuple[str, Callable[[], object]]] = [
            ("same count read from evaluations", lambda: scan(unit)),
            ("statistics (whole, children, R36)", lambda: statistics(unit, cycle)),
            ("report data (+quota, changes, trend)", lambda: data.update(report(unit, cycle))),
            ("page tables", lambda: tables(data)),
            ("charts, drawn (not from the cache)", lambda: [svg(f) for _n, f in charts(data)]),
            ("xlsx", lambda: exports.xlsx(data)),
            ("docx", lambda: exports.docx(data)),
            ("pdf", lambda: exports.pdf(data)),
        ]
        for name, step in steps:
            with CaptureQueriesContext(connection) as queries:
                step()
            took = best(step, repeat=1 if name in ("docx", "pdf") else 3)
            print(
                f"  {name:38} {took * 1000:8.1f} ms  ratio {took / bound:7.1f}"
                f"  ({len(queries)} queries)"
            )

    def in_background(unit: Unit) -> None:
        """A large report's file as the worker writes it, then asked again for the same
        figures (served from the kept file), against writing it in the request."""
        from xeploai.accounts.models import User
        from xeploai.reports.models import ReportFile
        from xeploai.reports.tasks import write_report_file

        def remove(by: User) -> None:
            for job in ReportFile.objects.filter(unit=unit, cycle=cycle):
                job.file.delete(save=False)
                job.delete()
            by.delete()

        by, _new = User.objects.get_or_create(username="bench-report-files")
        remove(by)  # what an interrupted run left: each format is written once, then kept
        by = User.objects.create(username="bench-report-files")
        for fmt in ("docx", "pdf"):
            took = []
            for _time in range(2):
                job = ReportFile.objects.create(unit=unit, cycle=cycle, fmt=fmt, by=by)
                started = time.perf_counter()
                write_report_file.func(str(job.pk))
                took.append(time.perf_counter() - started)
            print(
                f"  {fmt + ' in the background: written':38} {took[0] * 1000:8.1f} ms"
                f"  kept, asked again: {took[1] * 1000:.0f} ms"
            )
        remove(by)

    print(f"on {connection.vendor}")
    measure(province)
    in_background(province)
    measure(district)


if __name__ == "__main__":
    main()
