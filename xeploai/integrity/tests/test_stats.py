"""The tests of a unit's share of high levels (`integrity.stats`), without a database: honest
units spread as honest units do and are rarely flagged; an inflated one among them is; a jump
over a unit's own years is; the correction for many tests holds the false discoveries."""

from __future__ import annotations

import random
import unittest

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from xeploai.integrity import stats


def honest(units: int, seed: int, mean: float = 0.15, rho: float = 0.03) -> list[stats.Count]:
    """Units whose true shares differ as honest units' do (beta), each with 15-120 results."""
    rng = np.random.default_rng(seed)
    a, b = mean * (1 - rho) / rho, (1 - mean) * (1 - rho) / rho
    out = []
    for i in range(units):
        n = int(rng.integers(15, 121))
        out.append(stats.Count(f"U{i}", n, int(rng.binomial(n, rng.beta(a, b)))))
    return out


class StatsTestCase(unittest.TestCase):
    def test_honest_units_are_seldom_flagged(self) -> None:
        flagged = 0
        for seed in range(5):
            tests = stats.corrected(stats.against_peers(honest(200, seed)))
            flagged += sum(t.q <= stats.FDR for t in tests)
        self.assertLessEqual(flagged / 1000, 0.01)

    def test_an_inflated_unit_among_honest_peers_is_flagged(self) -> None:
        counts = [*honest(40, 7), stats.Count("THOI", 50, 30)]
        tests = stats.corrected(stats.against_peers(counts))
        flagged = {t.key for t in tests if t.q <= stats.FDR}
        self.assertIn("THOI", flagged)
        thoi = next(t for t in tests if t.key == "THOI")
        self.assertAlmostEqual(thoi.share, 0.6)
        self.assertLess(thoi.expected, 0.25)

    def test_a_spread_wider_than_chance_is_measured(self) -> None:
        counts = honest(400, 3, mean=0.2, rho=0.05)
        fitted = stats.spread(
            np.array([c.n for c in counts], dtype=float),
            np.array([c.k for c in counts], dtype=float),
        )
        assert fitted is not None
        share, rho = fitted
        self.assertAlmostEqual(share, 0.2, delta=0.02)
        self.assertAlmostEqual(rho, 0.05, delta=0.025)

    def test_a_jump_over_the_units_own_years_is_found(self) -> None:
        jump = stats.against_history(stats.Count("X", 40, 16), stats.Count("X", 120, 12), 0.02)
        same = stats.against_history(stats.Count("X", 40, 4), stats.Count("X", 120, 12), 0.02)
        assert jump is not None and same is not None
        self.assertLess(jump.p, 0.001)
        self.assertGreater(same.p, 0.3)

    def test_too_few_results_or_peers_are_not_tested(self) -> None:
        self.assertEqual(stats.against_peers(honest(5, 1)), [])
        small = [stats.Count(f"U{i}", 8, 1) for i in range(20)]
        self.assertEqual(stats.against_peers(small), [])
        self.assertIsNone(
            stats.against_history(stats.Count("X", 9, 9), stats.Count("X", 50, 5), 0.02)
        )
        self.assertIsNone(
            stats.against_history(stats.Count("X", 20, 9), stats.Count("X", 50, 0), 0.02)
        )
        self.assertEqual(stats.corrected([]), [])

    @given(
        n=st.integers(min_value=1, max_value=400),
        share=st.floats(min_value=0.01, max_value=0.99),
        rho=st.floats(min_value=stats.RHO_FLOOR, max_value=0.5),
        data=st.data(),
    )
    def test_a_higher_count_is_never_less_surprising(
        self, n: int, share: float, rho: float, data: st.DataObject
    ) -> None:
        k = data.draw(st.integers(min_value=0, max_value=n - 1))
        lower, higher = stats.tail(k, n, share, rho), stats.tail(k + 1, n, share, rho)
        self.assertTrue(0 <= higher <= lower <= 1 + 1e-9)

    def test_the_correction_never_lowers_a_p_value(self) -> None:
        rng = random.Random(5)
        tests = [stats.Test(str(i), stats.PEERS, 0.1, 0.1, rng.random()) for i in range(50)]
        for test in stats.corrected(tests):
            self.assertGreaterEqual(test.q, test.p)
