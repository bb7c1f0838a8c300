from __future__ import annotations

from decimal import Decimal
from unittest import TestCase

from xeploai.rules.levels import Level
from xeploai.rules.quota import Proposal, allowed_excellent, check_proposals, check_quota
from xeploai.rules.regimes import QuotaBase, Rounding

from .factories import settings


class QuotaTestCase(TestCase):
    def test_it_allows_twenty_percent_of_good(self) -> None:  # R26
        result = check_quota("G", 430, 91, settings())
        self.assertEqual((result.allowed, result.breach), (86, 5))
        self.assertFalse(result.within)
        self.assertTrue(check_quota("G", 430, 86, settings()).within)

    def test_it_rounds_down_by_default(self) -> None:  # R26
        self.assertEqual(allowed_excellent(9, 0, settings()), 1)
        self.assertEqual(allowed_excellent(4, 0, settings()), 0)
        self.assertEqual(allowed_excellent(9, 0, settings(quota_rounding=Rounding.HALF_UP)), 2)
        self.assertEqual(allowed_excellent(4, 0, settings(quota_rounding=Rounding.CEILING)), 1)

    def test_it_reads_the_percentage_and_base_from_the_settings(self) -> None:  # R26
        self.assertEqual(allowed_excellent(100, 0, settings(quota_percent=Decimal(15))), 15)
        above = settings(quota_base=QuotaBase.GOOD_AND_ABOVE)
        self.assertEqual(allowed_excellent(80, 20, above), 20)

    def test_it_counts_how_many_must_drop(self) -> None:  # R26, R27
        # Each EXCELLENT lowered to GOOD also grows the base.
        result = check_quota("G", 430, 91, settings())
        self.assertEqual(result.must_drop, 5)
        result = check_quota("G", 20, 10, settings())
        self.assertEqual((result.allowed, result.breach, result.must_drop), (4, 6, 5))

    def test_it_names_the_lowest_ranked_proposals_to_drop(self) -> None:  # R27
        proposals = [Proposal(f"G{i}", Level.GOOD) for i in range(10)] + [
            Proposal("E1", Level.EXCELLENT, Decimal(95)),
            Proposal("E2", Level.EXCELLENT, Decimal(91)),
            Proposal("E3", Level.EXCELLENT, Decimal(99)),
            Proposal("C1", Level.COMPLETED),
        ]
        result = check_proposals("TCCS-1", proposals, settings())
        self.assertEqual((result.good, result.excellent, result.allowed), (10, 3, 2))
        self.assertEqual(result.drop, ("E2",))
