"""`xeploai report --cycle YEAR --unit CODE`: a unit's statistics for one cycle.

An export, printed or written, so it is logged (RULES.md S3) under the account `--as`
names, by default the one named as the operating-system user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xeploai.accounts.audit import command_actor, log_command_export
from xeploai.core.cli import add_unit_cycle_arguments, output_line, unit_and_cycle, write_output
from xeploai.core.replica import replica
from xeploai.reports import exports, text
from xeploai.reports.data import report


class Command(BaseCommand):
    # A report reads; the system checks (every URL configuration imported, 0.4 s) are for
    # `xeploai check --deploy` and the server, not for each report printed.
    requires_system_checks: list[str] = []
    help = (
        "A unit's statistics for one yearly cycle: printed as text or JSON"
        " (docs/report-json.md), or written as .xlsx, .docx or .pdf with --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_cycle_arguments(parser)
        parser.add_argument(
            "--format", choices=("text", "json", *exports.CONTENT_TYPES), default="text"
        )
        parser.add_argument("--decimals", type=int, choices=(1, 2), default=1)
        parser.add_argument("--output", type=Path, help="write to this file instead")

    def handle(
        self,
        *args: Any,
        cycle: int,
        unit: str,
        format: str,  # noqa: A002  (the option's name)
        decimals: int,
        output: Path | None,
        actor: str | None,
        **options: Any,
    ) -> None:
        if format in exports.CONTENT_TYPES and output is None:
            raise CommandError(_("Định dạng {format} cần --output FILE.").format(format=format))
        found_unit, found_cycle = unit_and_cycle(unit, cycle)
        log_command_export(
            command_actor(actor),
            command=_command_line(cycle, unit, format, decimals, output),
            detail=_("báo cáo {unit} {year} {format}").format(unit=unit, year=cycle, format=format),
        )
        with replica():
            data = report(found_unit, found_cycle, decimals=decimals)
        if format in exports.CONTENT_TYPES:
            content: str | bytes = getattr(exports, format)(data)
        elif format == "json":
            content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            content = text.render(data)
        write_output(self.stdout, content, output)


def _command_line(cycle: int, unit: str, fmt: str, decimals: int, output: Path | None) -> list[str]:
    """The command's arguments as the log keeps them, the output file as an absolute path."""
    line = ["report", "--cycle", str(cycle), "--unit", unit, "--format", fmt]
    line += ["--decimals", str(decimals)]
    return line + output_line(output)
