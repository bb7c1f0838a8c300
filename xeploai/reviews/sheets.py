"""The self-review forms of each regime, and their score sheets, read from `forms.json`.

Items and maxima are data: a new guidance changes the file, not the code.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from decimal import Decimal
from pathlib import Path

from xeploai.rules import Regime

FORMS_FILE = Path(__file__).with_name("forms.json")


@dataclasses.dataclass(frozen=True)
class Item:
    code: str
    text: str
    max: Decimal


@dataclasses.dataclass(frozen=True)
class Form:
    """One self-review form: which members fill it, and its score items (QD366 only)."""

    code: str
    title: str
    # "member", "leader", "central" (a leader the centre manages), "outside" (not working in
    # the political system) or "collective"
    case: str
    general: tuple[Item, ...] = ()
    task_results: tuple[Item, ...] = ()

    @property
    def scored(self) -> bool:
        return bool(self.general or self.task_results)

    def items(self) -> tuple[Item, ...]:
        return self.general + self.task_results


def _items(rows: list[dict[str, object]]) -> tuple[Item, ...]:
    return tuple(Item(str(r["code"]), str(r["text"]), Decimal(str(r["max"]))) for r in rows)


@functools.cache
def forms(regime: Regime) -> tuple[Form, ...]:
    data = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Form(
            code=f["code"],
            title=f["title"],
            case=f["case"],
            general=_items(f.get("general", [])),
            task_results=_items(f.get("task_results", [])),
        )
        for f in data.get(regime.value, [])
    )


def form_for(
    regime: Regime, *, leader: bool, in_political_system: bool, central: bool = False
) -> Form:
    """The form a member fills: leaders one (the cadres the centre manages, their own where
    the regime has one), members outside the political system another; else the members'."""
    cases = ["member"]
    if leader:
        cases[:0] = ["central", "leader"] if central else ["leader"]
    elif not in_political_system:
        cases.insert(0, "outside")
    available = forms(regime)
    if not available:
        raise LookupError(f"no self-review form for {regime}")
    return next(f for case in cases for f in available if f.case == case)


def form_by_code(regime: Regime, code: str) -> Form:
    return next(f for f in forms(regime) if f.code == code)


def spread(total: Decimal, items: tuple[Item, ...]) -> dict[str, Decimal]:
    """Item scores adding up to `total`, each in proportion to its maximum, in half points:
    how a part's total entered elsewhere (an imported sheet, the demo) fills the form."""
    scores: dict[str, Decimal] = {}
    left, most = total, sum((item.max for item in items), Decimal(0))
    for n, item in enumerate(items):
        if n == len(items) - 1:
            share = left
        else:
            share = min(item.max, left, (total * item.max / most * 2).to_integral_value() / 2)
        scores[item.code], left = share, left - share
    # Each share rounded to the half point can leave the last item over its maximum (68 over
    # 45, 10, 10 and 5 gives it 5.5): the items before it with room take the rest.
    for item in items[:-1]:
        over = scores[items[-1].code] - items[-1].max
        if over <= 0:
            break
        moved = min(over, item.max - scores[item.code])
        scores[item.code] += moved
        scores[items[-1].code] -= moved
    return scores


def collective_form(regime: Regime) -> Form:
    """The report an organisation's or a leadership collective's committee drafts."""
    return next(f for f in forms(regime) if f.case == "collective")
