"""Small builders of facts for the engine's tests: a member or unit that is EXCELLENT unless
a test changes one fact."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from xeploai.rules.facts import MemberFacts, Period, Score, Tasks, UnitFacts
from xeploai.rules.levels import Grade
from xeploai.rules.regimes import SETTINGS, Regime, RegimeSettings

YEAR = 2026
PERIOD = Period.year(YEAR)


def settings(regime: Regime = Regime.QD366, **changes: Any) -> RegimeSettings:
    return dataclasses.replace(SETTINGS[regime], **changes)


def tasks(done: int = 100, late: int = 0, exceeded: int = 40, **kw: Any) -> Tasks:
    return Tasks(Decimal(done), Decimal(late), Decimal(exceeded), **kw)


def score(general: str | int = 28, task_results: str | int = 65) -> Score:
    return Score(Decimal(general), Decimal(task_results))


def grades(
    regime: Regime = Regime.HD21, subject: str = "member", **changes: Grade
) -> dict[str, Grade]:
    given = dict.fromkeys(SETTINGS[regime].criteria_for(subject), Grade.EXCELLENT)
    given.update(changes)
    return given


def member(regime: Regime = Regime.QD366, **changes: Any) -> MemberFacts:
    base: dict[str, Any] = {
        "id": "DV1",
        "admitted": dt.date(2010, 5, 19),
        "tasks": tasks(exceeded=60),
    }
    if SETTINGS[regime].method == "score":
        base["score"] = score()
    else:
        base["grades"] = grades(regime)
    base.update(changes)
    return MemberFacts(**base)


def unit(regime: Regime = Regime.QD366, **changes: Any) -> UnitFacts:
    base: dict[str, Any] = {
        "id": "CB1",
        "founded": dt.date(1990, 1, 1),
        "tasks": tasks(exceeded=60),
    }
    if SETTINGS[regime].method == "score":
        base["score"] = score()
    else:
        base["grades"] = grades(regime, "unit")
    base.update(changes)
    return UnitFacts(**base)
