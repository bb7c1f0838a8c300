"""Engine throughput: classifying many members, against reading their facts once.

The lower bound is a pass that reads every fact the engine may read and builds a verdict with
no reasoning at all: no engine can do less per member. The ratio says what the rules cost.

    .venv/bin/python bench/engine.py [--members 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal

from xeploai.rules import (
    SETTINGS,
    Discipline,
    DisciplineForm,
    Grade,
    Level,
    MemberFacts,
    Period,
    Regime,
    RegimeSettings,
    Score,
    Status,
    Tasks,
    Verdict,
    Weaknesses,
    classify_member,
)
from xeploai.rules.facts import StateLevel

PERIOD = Period.year(2026)


def members(count: int, seed: int) -> list[MemberFacts]:
    """Members as the demo spreads them: most complete, some disciplined, some on leave."""
    rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
    criteria = SETTINGS[Regime.QD124].member_criteria
    grades = (Grade.EXCELLENT, Grade.GOOD, Grade.AVERAGE)
    out = []
    for n in range(count):
        disciplined = rng.random() < 0.02
        total = rng.choice((0, 0, 1, 2))
        out.append(
            MemberFacts(
                id=f"DV{n}",
                admitted=dt.date(rng.randint(1970, 2026), rng.randint(1, 12), 1),
                discipline=(Discipline(DisciplineForm.REPRIMAND, dt.date(2026, 5, 1)),)
                if disciplined
                else (),
                tasks=Tasks(Decimal(rng.choice((100, 100, 95, 80, 40))), Decimal(0)),
                grades={c: rng.choice(grades) for c in criteria},
                score=Score(Decimal(rng.randint(40, 60)) / 2, Decimal(rng.randint(60, 140)) / 2),
                weaknesses=Weaknesses(total, rng.randint(0, total)),
                civil_servant=rng.random() < 0.4,
                state_level=rng.choice(list(StateLevel)),
                sick_leave_months=Decimal(rng.choice((0, 0, 0, 4))),
            )
        )
    return out


def read_only(facts: MemberFacts, period: Period, _settings: RegimeSettings) -> Verdict:
    """The lower bound: touch the same facts, decide nothing."""
    touched = (
        facts.admitted <= period.reference_date,
        facts.exempt,
        facts.suspended,
        len(facts.discipline),
        facts.degraded,
        facts.tasks,
        facts.grades,
        facts.score,
        facts.weaknesses,
        facts.state_level,
        facts.sick_leave_months,
        facts.maternity_leave_months,
        facts.head_of_unit_level,
    )
    return Verdict(facts.id, Status.CLASSIFIED, Level.GOOD if touched else None, ())


Classify = Callable[[MemberFacts, Period, RegimeSettings], Verdict]


def best_of(repeat: int, classify: Classify, facts: list[MemberFacts], regime: Regime) -> float:
    settings = SETTINGS[regime]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for f in facts:
            classify(f, PERIOD, settings)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    facts = members(args.members, seed=1)
    print(f"{args.members:,} members, best of {args.repeat}")
    for regime in (Regime.HD21, Regime.QD124, Regime.QD366):
        floor = best_of(args.repeat, read_only, facts, regime)
        took = best_of(args.repeat, classify_member, facts, regime)
        print(
            f"{regime:7} engine {took:6.2f} s ({args.members / took:,.0f}/s)"
            f"  lower bound {floor:5.2f} s  ratio {took / floor:5.1f}"
        )


if __name__ == "__main__":
    main()
