"""`xeploai backup PATH`: the database, keys, seal log and uploads in one archive
(docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from xeploai.core import backup


class Command(BaseCommand):
    help = "Write a backup archive (.tar, owner-only) of this installation to PATH."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a new .tar file, or a folder to write one in")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            written, manifest = backup.backup(path)
        except (backup.BackupError, DatabaseError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Wrote {written}.")
        for line in [*backup.describe(manifest), *manifest.notes]:
            self.stdout.write(line)
