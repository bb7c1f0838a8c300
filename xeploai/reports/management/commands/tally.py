"""`xeploai tally [--cycle YEAR]`: count the per-unit aggregates of the reports again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xeploai.cycles.models import Cycle
from xeploai.reports.tally import rebuild


class Command(BaseCommand):
    help = (
        "Count the reports' per-unit aggregates again from the evaluations, for one yearly"
        " cycle or all cycles (after writing evaluations outside the application)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, metavar="YEAR")

    def handle(self, *args: Any, cycle: int | None, **options: Any) -> None:
        if cycle is None:
            rows = rebuild(Cycle.objects.all())
        else:
            found = Cycle.objects.of_year(cycle)
            if found is None:
                raise CommandError(_("Không có kỳ đánh giá năm {year}.").format(year=cycle))
            rows = rebuild([found])
        self.stdout.write(_("Đã tổng hợp lại: {n} dòng số liệu.").format(n=rows))
