"""`xeploai purge_uploads`: delete uploaded import files left behind, for a daily cron job."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xeploai.imports.tasks import purge_uploads


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if days < 0:
        raise argparse.ArgumentTypeError("the number of days cannot be negative")
    return days


class Command(BaseCommand):
    help = (
        "Delete uploaded import files older than --days (the setting IMPORT_UPLOAD_DAYS, 7 by"
        " default): those of imports the worker never finished; their runs are marked failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=_days, help="age in days (default: the setting)")

    def handle(self, *args: Any, days: int | None, **opts: Any) -> None:
        count = purge_uploads(days)
        self.stdout.write(f"{count} uploaded file(s) deleted.")
