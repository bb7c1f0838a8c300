"""What the commands that export one unit's figures of one cycle share: their arguments,
and the unit and the cycle they name, or a clear message."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from xeploai.accounts.audit import add_actor_argument
from xeploai.cycles.models import Cycle
from xeploai.units.models import Unit


def add_unit_cycle_arguments(parser: CommandParser) -> None:
    """`--cycle YEAR --unit CODE`, and `--as` (the account the export is logged under)."""
    parser.add_argument("--cycle", type=int, required=True, metavar="YEAR")
    parser.add_argument("--unit", required=True, metavar="CODE")
    add_actor_argument(parser)


def unit_and_cycle(code: str, year: int) -> tuple[Unit, Cycle]:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(_("Không có đơn vị mã {code}.").format(code=code))
    cycle = Cycle.objects.of_year(year)
    if cycle is None:
        raise CommandError(_("Không có kỳ đánh giá năm {year}.").format(year=year))
    return unit, cycle


def output_line(output: Path | None) -> list[str]:
    """`--output` as the access log keeps it: the file as an absolute path."""
    return ["--output", str(output.absolute())] if output is not None else []


def write_output(stdout: OutputWrapper, content: str | bytes, output: Path | None) -> None:
    """The export printed, or written to `output`: text as UTF-8, a file's bytes as they are."""
    if output is None:
        assert isinstance(content, str)
        stdout.write(content, ending="")
    elif isinstance(content, bytes):
        output.write_bytes(content)
    else:
        output.write_text(content, encoding="utf-8")
