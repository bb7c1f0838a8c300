"""`xeploai tally [--cycle YEAR] [--check]`: count the per-unit aggregates of the reports
again, or check them against what they count."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xeploai.cycles.models import Cycle
from xeploai.reports.checks import check as check_cycle
from xeploai.reports.tally import rebuild


class Command(BaseCommand):
    help = (
        "Count the reports' per-unit aggregates again from the evaluations, for one yearly"
        " cycle or all cycles (after writing evaluations outside the application); with"
        " --check, compare them with the evaluations instead and keep what differs for the"
        " reports (run it on a schedule)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, metavar="YEAR")
        parser.add_argument(
            "--check", action="store_true", help="compare, count nothing (reports show it)"
        )

    def handle(self, *args: Any, cycle: int | None, check: bool, **options: Any) -> None:
        if cycle is None:
            cycles = list(Cycle.objects.order_by("start"))
        else:
            found = Cycle.objects.of_year(cycle)
            if found is None:
                raise CommandError(_("Không có kỳ đánh giá năm {year}.").format(year=cycle))
            cycles = [found]
        if not check:
            rows = rebuild(cycles)
            self.stdout.write(_("Đã tổng hợp lại: {n} dòng số liệu.").format(n=rows))
            return
        for each in cycles:
            places = len(check_cycle(each))
            if places:
                message = _(
                    "{cycle}: {n} chỗ số liệu tổng hợp không khớp với phiếu đánh giá; cần"
                    " tổng hợp lại bằng lệnh xeploai tally --cycle {year}."
                ).format(cycle=each.name, n=places, year=each.year)
            else:
                message = _("{cycle}: số liệu tổng hợp khớp với phiếu đánh giá.").format(
                    cycle=each.name
                )
            self.stdout.write(message)
