"""Translation of the engine's sentences, without importing Django.

Messages are written in Vietnamese, the source language, inside `_()` so that Django's
`makemessages` finds them; the Django side installs its `gettext` with `use()` so that the
sentences follow the active language. Placeholders are filled after translation.
"""

from __future__ import annotations

from collections.abc import Callable


def _identity(message: str) -> str:
    return message


_translate: Callable[[str], str] = _identity


def use(translate: Callable[[str], str]) -> None:
    """Translate the engine's messages with `translate` from now on."""
    global _translate
    _translate = translate


def _(message: str, **values: object) -> str:
    """`message` in the active language, its {placeholders} filled with `values`."""
    text = _translate(message)
    return text.format(**values) if values else text


def gettext_noop(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message
