"""Percentages as party offices print them: "92,8 %", and the printed shares of one
distribution adding up to exactly 100 (largest-remainder rounding)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal


def shares(counts: Sequence[int], decimals: int = 1) -> list[Decimal]:
    """Each count's share of their sum, rounded so that the shares add up to exactly 100:
    every share is rounded down, then the units left go to the largest remainders (ties to
    the earlier count). All zeros when the sum is zero."""
    total = sum(counts)
    step = Decimal(1).scaleb(-decimals)
    if total == 0:
        return [Decimal(0).quantize(step) for _c in counts]
    exact = [Decimal(c) * 100 / total for c in counts]
    floors = [e.quantize(step, rounding=ROUND_FLOOR) for e in exact]
    left = int((Decimal(100) - sum(floors)) / step)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += step
    return floors


def vietnamese(value: Decimal, decimals: int = 1) -> str:
    """ "92,8 %": a decimal comma and a space before the sign."""
    text = f"{value:.{decimals}f}".replace(".", ",")
    return f"{text} %"


def parse(text: str) -> Decimal:
    """The share a printed percentage shows: "92,8 %" → 92.8."""
    return Decimal(text.removesuffix(" %").replace(",", "."))
