"""`xeploai export KIND FILE`: write records in the import's own format, or a template.

Every export is logged (RULES.md S3) under the account `--as` names, by default the one
named as the operating-system user; without such an account nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xeploai.accounts.audit import add_actor_argument, command_actor, log_command_export
from xeploai.imports import files
from xeploai.imports.kinds import KINDS
from xeploai.units.models import Unit


class Command(BaseCommand):
    help = (
        "Export one kind (or `all` of them into a directory) as .xlsx or .csv, in the columns"
        " the import reads; --template writes an empty file with an example row and notes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*KINDS, "all"])
        parser.add_argument("path", type=Path, help="a .xlsx or .csv file; a directory for all")
        parser.add_argument("--unit", help="only this unit's subtree, by its code")
        parser.add_argument("--template", action="store_true", help="the empty template")
        add_actor_argument(parser)

    def handle(
        self,
        *args: Any,
        kind: str,
        path: Path,
        unit: str | None,
        template: bool,
        actor: str | None,
        **opts: Any,
    ) -> None:
        root = _root(unit)
        if kind != "all" and path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(_("Tên tệp phải kết thúc bằng .xlsx hoặc .csv."))
        if template and kind != "all":
            files.write_template(KINDS[kind], path)  # an example row: nobody's data, not logged
            return
        user = command_actor(actor)
        command = ["export", kind, str(path.absolute()), *(["--unit", unit] if unit else [])]
        detail = _("xuất {kind}, đơn vị {unit}").format(kind=kind, unit=unit or _("tất cả"))
        log_command_export(user, command=command, detail=detail)
        if kind == "all":
            for written in files.export_all(path, root):
                self.stdout.write(str(written))
            return
        count = files.export(KINDS[kind], path, root)
        self.stdout.write(_("Đã ghi {n} dòng vào {path}.").format(n=count, path=path))


def _root(code: str | None) -> Unit | None:
    """The unit whose subtree is exported, by its code; None for everything."""
    if not code:
        return None
    root = Unit.objects.filter(code=code).first()
    if root is None:
        raise CommandError(_("Không có đơn vị mã {code}.").format(code=code))
    return root
