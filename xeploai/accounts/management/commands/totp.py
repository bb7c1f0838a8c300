"""`xeploai totp USERNAME`: the code a user's authenticator app shows now.

For the demo and for support at the desk: whoever can run this command can read the database
already, devices' keys included, so it opens nothing new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xeploai.accounts import twofactor
from xeploai.accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of USERNAME's device."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        device = twofactor.confirmed_device(user)
        if device is None:
            raise CommandError(f"{username} has no two-factor device set up")
        code = twofactor.current_code(device)
        self.stdout.write(f"{code}  (valid for {twofactor.seconds_left(device)} more seconds)")
