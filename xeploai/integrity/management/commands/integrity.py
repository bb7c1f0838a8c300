"""`xeploai integrity --cycle YEAR --unit CODE`: where a unit's results deserve a second look.
The subtree is analysed and what is found kept, as the page's "Phân tích lại" does, so that
the page then lists what the command printed.

An export of what members wrote, so it is logged (RULES.md S3) under the account `--as`
names, by default the one named as the operating-system user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xeploai.accounts.audit import command_actor, log_command_export
from xeploai.core.cli import add_unit_cycle_arguments, output_line, unit_and_cycle, write_output
from xeploai.integrity import actions, exports
from xeploai.integrity.models import Finding


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "Signals of a unit's subtree in one cycle, the strongest first: printed as JSON"
        " (docs/integrity-json.md), or written as .xlsx with --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_unit_cycle_arguments(parser)
        parser.add_argument("--format", choices=("json", "xlsx"), default="json")
        parser.add_argument("--output", type=Path, help="write to this file instead")

    def handle(
        self,
        *args: Any,
        cycle: int,
        unit: str,
        format: str,  # noqa: A002  (the option's name)
        output: Path | None,
        actor: str | None,
        **options: Any,
    ) -> None:
        if format == "xlsx" and output is None:
            raise CommandError(_("Định dạng {format} cần --output FILE.").format(format=format))
        found_unit, found_cycle = unit_and_cycle(unit, cycle)
        command = ["integrity", "--cycle", str(cycle), "--unit", unit, "--format", format]
        user = command_actor(actor)
        log_command_export(
            user,
            command=[*command, *output_line(output)],
            detail=_("dấu hiệu cần xem lại {unit} {year}").format(unit=unit, year=cycle),
        )
        actions.analyse(found_unit, cycle=found_cycle, by=user)
        kept = Finding.objects.filter(cycle=found_cycle).in_subtree(found_unit).ranked()
        found = [finding.as_signal() for finding in kept.iterator(chunk_size=2000)]
        if format == "xlsx":
            content: str | bytes = exports.xlsx(found)
        else:
            content = json.dumps([s.as_json() for s in found], ensure_ascii=False, indent=2) + "\n"
        write_output(self.stdout, content, output)
