"""Timing shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(step: Callable[[], object], repeat: int = 3, *, warm: bool = True) -> float:
    """The fastest of a few runs of `step`, after one to warm the caches unless `warm` is
    false (a step long enough to warm them itself)."""
    if warm:
        step()
    times = []
    for _i in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)
