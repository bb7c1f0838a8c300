"""`xeploai rules classify|quota FILE.json`: the engine on the command line (docs/rules-cli.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xeploai.rules import jsonio

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Classify subjects or check quota groups, JSON in and out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["classify", "quota"])
        parser.add_argument("file", help="a JSON file, or - for standard input")

    def handle(self, *args: Any, action: str, file: str, **options: Any) -> None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self._fail(f"cannot read {file}: {e}")
        try:
            data = jsonio.load(text)
            result = jsonio.classify(data) if action == "classify" else jsonio.quota(data)
        except jsonio.InputError as e:
            self._fail(str(e))
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(EXIT_BAD_INPUT)
