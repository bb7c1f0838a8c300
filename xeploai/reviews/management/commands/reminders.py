"""`xeploai reminders`: e-mail whoever the review waits on (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xeploai.cycles.models import Cycle
from xeploai.reviews.reminders import reminders, send


class Command(BaseCommand):
    help = "Send review reminders for the open cycle; late steps go to the level above too."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="pretend today is this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, *args: Any, date: str | None, dry_run: bool, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as e:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}") from e
        cycle = Cycle.objects.current()
        if cycle is None:
            raise CommandError("no open yearly cycle")
        due = reminders(cycle, today)
        for r in due:
            self.stdout.write(f"{r.user.username} <{r.user.email or '-'}>: {r.subject()}")
        if dry_run:
            return
        sent, skipped = send(due)
        self.stdout.write(f"{sent} sent, {skipped} without an e-mail address.")
