"""Whether a unit's share of high levels stands out: tests, with no Django, of counts.

Honest units differ: one commune's members do better than another's, year after year, for
reasons no test can see. So a unit is compared with a beta-binomial, not a binomial: its
peers' shares fix both the expected share and how much honest units spread around it (the
overdispersion `rho`, by the method of moments). A unit is compared with its peers but
itself (leave one out), and with its own earlier years; the p-values of every comparison of
an analysis are corrected together for their number (Benjamini-Hochberg), so that among
hundreds of honest units about `FDR` of those flagged are flagged by chance."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from scipy import stats

FDR = 0.05  # the share of flagged units allowed to be honest ones, in expectation
MIN_MEMBERS = 10  # fewer results with a level than this: no share worth testing
MIN_PEERS = 5  # fewer peers than this: no spread worth fitting
RHO_FLOOR = 1e-4  # a spread no smaller than this, so that a tight peer group never tests exact
RHO_DEFAULT = 0.02  # the spread assumed where too few peers tell it
OUTLIER = 0.01  # a unit this unlikely among its peers is left out of fitting theirs


@dataclasses.dataclass(frozen=True)
class Count:
    key: str  # whose: a unit's code
    n: int  # results with a level
    k: int  # of them at the level measured


@dataclasses.dataclass(frozen=True)
class Test:
    key: str
    against: str  # PEERS or HISTORY
    share: float  # the unit's share, k / n
    expected: float  # the share its peers (or its own earlier years) would give
    p: float  # how likely so high a share is for an honest unit
    q: float = 1.0  # p corrected for the number of tests


PEERS = "peers"
HISTORY = "history"


def spread(n: np.ndarray, k: np.ndarray) -> tuple[float, float] | None:
    """(share, rho) of a group of units by the method of moments; None when they give no
    share to test against (no result, or all or none at the level)."""
    total = n.sum()
    if total == 0:
        return None
    share = float(k.sum() / total)
    if not 0 < share < 1:
        return None
    if len(n) < 2:
        return share, RHO_FLOOR
    chi = ((k - n * share) ** 2 / (n * share * (1 - share))).sum()
    excess = float((chi - len(n)) / max(float((n - 1).sum()), 1.0))
    return share, min(max(excess, RHO_FLOOR), 0.99)


def tail(k: int, n: int, share: float, rho: float) -> float:
    """P(K >= k) for K beta-binomial of `n` trials, mean `share`, overdispersion `rho`."""
    a = share * (1 - rho) / rho
    b = (1 - share) * (1 - rho) / rho
    return float(stats.betabinom.sf(k - 1, n, a, b))


def against_peers(counts: Sequence[Count]) -> list[Test]:
    """Each unit of a peer group (units alike: same level, same type of field) against the
    others. The others' share and spread are fitted twice: on all of them, then on those the
    first fit found unremarkable, so that two inflated units do not hide each other."""
    tested = [c for c in counts if c.n >= MIN_MEMBERS]
    if len(tested) <= MIN_PEERS:
        return []
    n = np.array([c.n for c in tested], dtype=float)
    k = np.array([c.k for c in tested], dtype=float)
    fitted_on = np.ones(len(tested), dtype=bool)
    out: list[Test] = []
    for _fit in range(2):
        out = []
        for i, count in enumerate(tested):
            others = fitted_on & (np.arange(len(tested)) != i)
            fitted = spread(n[others], k[others]) if others.sum() >= MIN_PEERS else None
            if fitted is not None:
                share, rho = fitted
                p = tail(count.k, count.n, share, rho)
                out.append(Test(count.key, PEERS, count.k / count.n, share, p))
        remarkable = {t.key for t in out if t.p < OUTLIER}
        fitted_on = np.array([c.key not in remarkable for c in tested])
    return out


def against_history(now: Count, before: Count, rho: float) -> Test | None:
    """A unit's year against its own earlier years, with the spread of its peers."""
    if now.n < MIN_MEMBERS or before.n < MIN_MEMBERS:
        return None
    share = before.k / before.n
    if not 0 < share < 1:
        return None
    p = tail(now.k, now.n, share, rho)
    return Test(now.key, HISTORY, now.k / now.n, share, p)


def corrected(tests: Sequence[Test]) -> list[Test]:
    """The tests with q, Benjamini-Hochberg over all of them."""
    if not tests:
        return []
    q = stats.false_discovery_control([t.p for t in tests], method="bh")
    return [dataclasses.replace(t, q=float(v)) for t, v in zip(tests, q, strict=True)]
