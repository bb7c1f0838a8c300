"""Reasons: every exemption, forced level, cap and failed condition, in Vietnamese."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from .i18n import _
from .levels import Level
from .regimes import Regime, RegimeSettings


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why a result is what it is: the rule, its regime, and a sentence for the user."""

    rule: str
    regime: Regime
    text: str


def number(value: Decimal | int) -> str:
    """A number written the Vietnamese way: "92,5", "90", "1.250"."""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    whole, _point, fraction = text.partition(".")
    if len(whole) > 3:  # thousands, grouped by dots
        whole = f"{int(whole):,}".replace(",", ".")
    return f"{whole},{fraction}" if fraction else whole


def percent(value: Decimal | int) -> str:
    return f"{number(value)} %"


class Trace:
    """Collects reasons and the best level the facts still allow, as rules are applied."""

    def __init__(self, settings: RegimeSettings) -> None:
        self.settings = settings
        self.ceiling = Level.EXCELLENT
        self.reasons: list[Reason] = []

    def note(self, rule: str, text: str, outcome: str = "") -> None:
        """A reason; `outcome` says what it leads to, when it changes the result."""
        sentence = f"{text} ({self.settings.text})" + (f" → {outcome}" if outcome else "")
        self.reasons.append(Reason(rule, self.settings.regime, sentence))

    def cap(self, rule: str, level: Level, text: str) -> None:
        """Make the result no better than `level`, saying why."""
        self.ceiling = self.ceiling.cap(level)
        self.note(rule, text, _cap_words(level))

    def force(self, rule: str, text: str) -> None:
        """Force NOT_COMPLETED, saying why."""
        self.cap(rule, Level.NOT_COMPLETED, text)


def _cap_words(level: Level) -> str:
    if level is Level.NOT_COMPLETED:
        return level.label
    return _("tối đa {level}", level=level.label)
