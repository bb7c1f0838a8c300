"""`xeploai import KIND FILE`: load an office's .xlsx or .csv file of one kind."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from xeploai.imports.base import run_import
from xeploai.imports.kinds import KINDS


class Command(BaseCommand):
    help = "Import a file of one kind: all its rows, or none when any row is refused."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument("--errors", type=Path, help="also write the refused rows as .xlsx")

    def handle(
        self, *args: Any, kind: str, file: Path, dry_run: bool, errors: Path | None, **opts: Any
    ) -> None:
        if not file.is_file():
            self.stderr.write(_("Không tìm thấy tệp {file}.").format(file=file))
            sys.exit(1)
        with tqdm(unit=" dòng", disable=None, file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = run_import(KINDS[kind], file, dry_run=dry_run, progress=progress)
        for error in report.errors:
            self.stderr.write(str(error))
        if errors is not None and report.errors:
            report.write_xlsx(errors)
        if not report.ok:
            self.stderr.write(_("{n} lỗi: không ghi dòng nào.").format(n=report.error_count))
            sys.exit(1)
        prefix = _("Kiểm tra xong (không ghi): ") if dry_run else _("Đã nhập: ")
        self.stdout.write(prefix + report.summary())
