"""`xeploai history verify|seal`: check the level history (R33), or seal what was written."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeploai.reviews import history, seals
from xeploai.reviews.models import HistorySeal, LevelChange, UnitLevelChange


class Command(BaseCommand):
    help = "Verify the level history against its signatures and seals, or seal it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("verify", help="check every row and every seal; exit 1 on any break")
        sub.add_parser("seal", help="seal the rows written since the last seal (run daily)")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "seal":
            self.seal()
            return
        problems = [*history.verify(), *seals.verify()]
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the level history", returncode=1)
        rows = LevelChange.objects.count() + UnitLevelChange.objects.count()
        sealed = HistorySeal.objects.count()
        self.stdout.write(f"Level history intact: {rows} rows verified, {sealed} seal(s) matched.")
        if not sealed:
            self.stdout.write("No seal yet: rows cut from a chain's end cannot be detected.")

    def seal(self) -> None:
        try:
            repaired = seals.repair_file()
            made = seals.seal()
        except (seals.SealError, OSError) as e:
            raise CommandError(f"could not seal the level history: {e}") from None
        if repaired:
            self.stdout.write(f"{repaired} seal(s) written again to the seals file.")
        if made is None:
            self.stdout.write("Nothing written since the last seal.")
        else:
            self.stdout.write(f"Seal {made.seq} made: {made.heads.count()} chain(s) sealed.")
