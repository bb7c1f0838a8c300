"""Printed shares add up to exactly 100, whatever the counts (largest remainder)."""

from __future__ import annotations

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from xeploai.reports.percent import shares, vietnamese


class PercentTestCase(SimpleTestCase):
    def test_thirds_are_rounded_to_add_up(self) -> None:
        self.assertEqual(shares([1, 1, 1]), [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")])
        self.assertEqual(shares([2, 1], decimals=2), [Decimal("66.67"), Decimal("33.33")])
        self.assertEqual(shares([0, 0]), [Decimal("0.0"), Decimal("0.0")])

    def test_the_largest_remainder_gets_the_unit_left(self) -> None:
        # 13/15 = 86.666..., 1/15 = 6.666..., 1/15: floors 86.6 + 6.6 + 6.6 = 99.8
        self.assertEqual(shares([13, 1, 1]), [Decimal("86.7"), Decimal("6.7"), Decimal("6.6")])

    def test_the_vietnamese_format(self) -> None:
        self.assertEqual(vietnamese(Decimal("92.8")), "92,8 %")
        self.assertEqual(vietnamese(Decimal("7.25"), 2), "7,25 %")
        self.assertEqual(vietnamese(Decimal("100.0")), "100,0 %")

    @given(
        st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8),
        st.sampled_from([0, 1, 2]),
    )
    def test_shares_always_add_up_to_100(self, counts: list[int], decimals: int) -> None:
        result = shares(counts, decimals)
        self.assertEqual(sum(result), 100 if sum(counts) else 0)
        for count, share in zip(counts, result, strict=True):
            exact = Decimal(count) * 100 / sum(counts) if sum(counts) else Decimal(0)
            self.assertLess(abs(share - exact), Decimal(1).scaleb(-decimals))
