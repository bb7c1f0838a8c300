"""`xeploai restore PATH`: an archive of `xeploai backup` restored into an empty installation,
after checking all of it (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from xeploai.core import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and this data folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an archive written by `xeploai backup`")
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive; restore nothing"
        )

    def handle(self, *args: Any, path: Path, check: bool, **options: Any) -> None:
        try:
            notes: list[str] = []
            if check:
                manifest = backup.check(path)
            else:
                manifest, notes = backup.restore(path)
        except (backup.BackupError, DatabaseError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"{path}: verified." if check else f"Restored {path}.")
        for line in [*backup.describe(manifest), *notes]:
            self.stdout.write(line)
