"""Copied self-reviews: precision and recall of `integrity.texts` on planted cases, and its
speed against a lower bound measured in the same run.

A district of generated members, two years of self-reviews written from the demo's bank of
stock phrases (`demo/texts.py`), each member in their own words but for the copies planted:
3 % of this year's members copy a fellow member of their grassroots unit (light edits), 2 %
their own text of last year. The texts are compared as `xeploai integrity` compares them:
within each grassroots unit, section by section, this year's with one another and with last
year's. A found pair is right when both texts come from one text. The lower bound reads every
section into its syllables and shingles, the least any comparison must do.

    .venv/bin/python bench/integrity.py [--units 40] [--members 100] [--province]

--province also times a province's texts (1,700 grassroots units of 60 members, two years).
Needs no database.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Hashable

from timing import best

OWN_COPY_SHARE = 0.02  # members who hand in last year's text again, lightly edited
SECTIONS = ("strengths", "weaknesses", "plan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--province", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xeploai.settings")
    import django

    django.setup()
    district = _run(args.units, args.members)
    print(
        f"district: {args.units} grassroots units of {args.members} members, two years,"
        f" {district['sections']:,} sections"
    )
    print(
        f"  planted pairs {district['planted']:,}  found {district['found']:,}"
        f"  recall {district['recall']:.3f}  precision {district['precision']:.3f}"
        "  (goal 0.95 each)"
    )
    _timing(district)
    if args.province:
        province = _run(1700, 60)
        print(f"province: 1,700 grassroots units of 60 members, {province['sections']:,} sections")
        _timing(province)


def _timing(result: dict[str, float]) -> None:
    print(
        f"  compared in {result['took']:6.1f} s  lower bound {result['bound']:5.2f} s"
        f"  ratio {result['took'] / result['bound']:5.1f}"
        f"  ({result['took'] / result['sections'] * 1e6:.0f} µs a section,"
        f" {result['candidates']:,.0f} pairs confirmed)"
    )


def _run(units: int, members: int) -> dict[str, float]:
    from xeploai.demo import texts as demo
    from xeploai.integrity import texts

    groups = [[f"DV{g:04d}{n:03d}" for n in range(members)] for g in range(units)]
    last = demo.for_members(groups, 2025, 2026)
    this = demo.for_members(groups, 2026, 2026)
    own: set[str] = set()
    for group in groups:
        for code in group:
            rng = random.Random(f"own:{code}")  # noqa: S311  (reproducible test data)
            if code not in this.copied and rng.random() < OWN_COPY_SHARE:
                this.sections[code] = {
                    k: demo.edited(v, rng) for k, v in last.sections[code].items()
                }
                own.add(code)
    populations = []
    for group in groups:
        for key in SECTIONS:
            populations.append(
                [texts.Section((c, 2025), c, 2025, last.sections[c][key]) for c in group]
                + [texts.Section((c, 2026), c, 2026, this.sections[c][key]) for c in group]
            )
    sections = sum(len(p) for p in populations)
    bound = best(
        lambda: [texts._shingles(texts.syllables(s.text)) for p in populations for s in p],
        warm=False,
    )
    found: set[tuple[Hashable, Hashable]] = set()
    candidates = 0
    started = time.perf_counter()
    for population in populations:
        result = texts.near_copies(population)
        candidates += result.candidates
        found |= {(c.section.key, c.source.key) for c in result.copies if c.section.year == 2026}
    took = time.perf_counter() - started

    def origin(key: Hashable) -> tuple[str, int]:
        assert isinstance(key, tuple)
        code, year = key
        if year == 2026 and code in own:
            return origin((code, 2025))
        copied = (this if year == 2026 else last).copied
        while code in copied:
            code = copied[code]
        return code, year

    planted = {((c, 2026), (s, 2026)) for c, s in this.copied.items()}
    planted |= {((c, 2026), (c, 2025)) for c in own}
    right = {pair for pair in found if origin(pair[0]) == origin(pair[1])}
    return {
        "sections": sections,
        "planted": len(planted),
        "found": len(found),
        "recall": len(planted & found) / len(planted),
        "precision": len(right) / len(found) if found else 1.0,
        "took": took,
        "bound": bound,
        "candidates": candidates,
    }


if __name__ == "__main__":
    main()
