"""`xeploai import KIND FILE`: load units or members from an office's .xlsx or .csv file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from xeploai.imports.kinds import KINDS, run_import


class Command(BaseCommand):
    help = "Import a file of units or members: all rows, or none when any row is refused."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument("--errors", type=Path, help="also write the refused rows as .xlsx")

    def handle(
        self, *args: Any, kind: str, file: Path, dry_run: bool, errors: Path | None, **opts: Any
    ) -> None:
        if not file.is_file():
            self.stderr.write(_("Không tìm thấy tệp {file}.").format(file=file))
            sys.exit(1)
        report = run_import(KINDS[kind], file, dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(str(error))
        if errors is not None and report.errors:
            report.write_xlsx(errors)
        if not report.ok:
            self.stderr.write(_("{n} lỗi: không ghi dòng nào.").format(n=len(report.errors)))
            sys.exit(1)
        prefix = _("Kiểm tra xong (không ghi): ") if dry_run else _("Đã nhập: ")
        self.stdout.write(prefix + report.summary())
