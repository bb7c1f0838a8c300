"""Copied and evasive self-reviews: precision and recall of `integrity.texts` on planted cases,
and its speed against a lower bound measured in the same run; the inflation test's false
positives on honest simulated units, and its recall of inflated ones (`integrity.stats`).

A district of generated members, two years of self-reviews written from the demo's bank of
stock phrases (`demo/texts.py`), each member in their own words but for the copies planted:
3 % of this year's members copy a fellow member of their grassroots unit (light edits), 2 %
their own text of last year. The texts are compared as `xeploai integrity` compares them:
within each grassroots unit, section by section, this year's with one another and with last
year's. A found pair is right when both texts come from one text. The lower bound reads every
section into its syllables and shingles, the least any comparison must do.

    .venv/bin/python bench/integrity.py [--units 40] [--members 100] [--province]

Evasive weakness sections planted besides the demo's empty ones (3 %): 2 % one line long,
2 % a short sentence beside long strengths. Honest units for the inflation test: 40 groups of
25 peers, each unit's true share of EXCELLENT drawn from a beta around 15 % (spread 0.03), its
15-120 results drawn from it; 5 % of them inflated by 25 points (then by 40).

--province also times a province's texts (1,700 grassroots units of 60 members, two years).
Needs no database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import time
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor

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
    evasive = _evasive(args.units, args.members)
    print(
        f"  evasive: planted {evasive['planted']:,}  flagged {evasive['flagged']:,}"
        f"  recall {evasive['recall']:.3f}  precision {evasive['precision']:.3f}"
        "  (goal 0.95 each)"
    )
    for lift in (0.25, 0.40):
        inflation = _inflation(lift)
        print(
            f"inflation +{lift * 100:.0f} points: {inflation['honest']:,} honest units,"
            f" {inflation['planted']} inflated; false positives {inflation['false']}"
            f" ({inflation['false_rate']:.2%} of the honest)  recall {inflation['recall']:.3f}"
        )
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
    print(f"  on two processes {result['two']:6.1f} s (the same copies found)")


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
    # As `signals.find` compares a large subtree: each grassroots unit's sections in one of
    # two other processes.
    started = time.perf_counter()
    per_unit = [
        populations[i : i + len(SECTIONS)] for i in range(0, len(populations), len(SECTIONS))
    ]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        both = {
            (c.section.key, c.source.key)
            for copies in pool.map(texts.copies_among, per_unit, chunksize=8)
            for section in copies
            for c in section
            if c.section.year == 2026
        }
    two = time.perf_counter() - started
    assert both == found, "two processes found other copies than one"

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
        "two": two,
        "bound": bound,
        "candidates": candidates,
    }


ONE_LINERS = (
    "Đôi khi còn chậm.",
    "Còn nể nang.",
    "Chưa thật sự gương mẫu.",
    "Có lúc còn chủ quan.",
)
SHORT = (
    "Có lúc việc học tập nghị quyết chưa thật thường xuyên như yêu cầu.",
    "Đôi khi còn chậm nộp báo cáo tháng cho chi bộ theo quy định.",
)
STRENGTHS = 7  # sentences of strengths beside a planted short weakness


def _evasive(units: int, members: int) -> dict[str, float]:
    """Weakness sections that avoid the point among honest ones, judged per grassroots unit
    as the command judges them."""
    from xeploai.demo import texts as demo
    from xeploai.integrity import texts

    groups = [[f"DV{g:04d}{n:03d}" for n in range(members)] for g in range(units)]
    written = demo.for_members(groups, 2026, 2026)
    planted = set(written.empty)
    for group in groups:
        for code in group:
            rng = random.Random(f"evasive:{code}")  # noqa: S311  (reproducible test data)
            roll, sections = rng.random(), written.sections[code]
            if code in planted or code in written.copied:
                continue
            if roll < 0.02:
                sections["weaknesses"] = rng.choice(ONE_LINERS)
            elif roll < 0.04:
                sections["strengths"] = demo._paragraph(rng, demo.STRENGTHS, STRENGTHS)
                sections["weaknesses"] = rng.choice(SHORT)
            else:
                continue
            planted.add(code)
    for code, source in written.copied.items():  # a copy of an empty section is one too
        while source in written.copied and source not in planted:
            source = written.copied[source]
        if source in written.empty:
            planted.add(code)
    flagged = set()
    for group in groups:
        stock = texts.stock_sentences((c, written.sections[c]["weaknesses"]) for c in group)
        flagged |= {c for c in group if texts.evasions(written.sections[c], stock=stock)}
    return {
        "planted": len(planted),
        "flagged": len(flagged),
        "recall": len(planted & flagged) / len(planted),
        "precision": len(planted & flagged) / len(flagged) if flagged else 1.0,
    }


def _inflation(lift: float, groups: int = 40, peers: int = 25, seed: int = 16) -> dict[str, float]:
    import numpy as np

    from xeploai.integrity import stats

    rng = np.random.default_rng(seed)
    mean, rho = 0.15, 0.03
    a, b = mean * (1 - rho) / rho, (1 - mean) * (1 - rho) / rho
    tests, inflated = [], set()
    for g in range(groups):
        counts = []
        for u in range(peers):
            key, n, share = f"{g}:{u}", int(rng.integers(15, 121)), float(rng.beta(a, b))
            if rng.random() < 0.05:
                share = min(share + lift, 1.0)
                inflated.add(key)
            counts.append(stats.Count(key, n, int(rng.binomial(n, share))))
        tests += stats.against_peers(counts)
    flagged = {t.key for t in stats.corrected(tests) if t.q <= stats.FDR}
    honest = groups * peers - len(inflated)
    return {
        "honest": honest,
        "planted": len(inflated),
        "false": len(flagged - inflated),
        "false_rate": len(flagged - inflated) / honest,
        "recall": len(flagged & inflated) / len(inflated),
    }


if __name__ == "__main__":
    main()
