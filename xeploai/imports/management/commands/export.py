"""`xeploai export KIND FILE`: write records in the import's own format, or a template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

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

    def handle(
        self, *args: Any, kind: str, path: Path, unit: str | None, template: bool, **opts: Any
    ) -> None:
        root = None
        if unit:
            root = Unit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(_("Không có đơn vị mã {code}.").format(code=unit))
        if kind == "all":
            for written in files.export_all(path, root):
                self.stdout.write(str(written))
            return
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(_("Tên tệp phải kết thúc bằng .xlsx hoặc .csv."))
        if template:
            files.write_template(KINDS[kind], path)
            return
        count = files.export(KINDS[kind], path, root)
        self.stdout.write(_("Đã ghi {n} dòng vào {path}.").format(n=count, path=path))
