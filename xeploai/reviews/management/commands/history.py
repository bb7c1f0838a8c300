"""`xeploai history verify`: check that no level history row was edited or deleted (R33)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeploai.reviews import history
from xeploai.reviews.models import LevelChange


class Command(BaseCommand):
    help = "Verify the hash chain of the level history."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("verify", help="check every row; exit 1 on any break")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        problems = list(history.verify())
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the level history", returncode=1)
        self.stdout.write(f"Level history intact: {LevelChange.objects.count()} rows verified.")
