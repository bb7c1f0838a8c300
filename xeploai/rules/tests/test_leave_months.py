"""Leave counted in calendar months over the union of its periods (R14, R15)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from xeploai.rules.spans import Span, calendar_months

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)

spans = st.builds(
    lambda start, days, open_ended: Span(start, None if open_ended else start + dt.timedelta(days)),
    st.dates(dt.date(2025, 10, 1), dt.date(2027, 2, 1)),
    st.integers(0, 200),
    st.sampled_from((False, False, False, True)),
)
span_lists = st.lists(spans, max_size=5)


def months(given_spans: list[Span]) -> Decimal:
    return calendar_months(given_spans, START, END)


def months_of_days(given_spans: list[Span]) -> Decimal:
    """The same count from the set of days on leave, day by day: the union by definition."""
    days = {
        START + dt.timedelta(n)
        for n in range((END - START).days + 1)
        if any(s.start <= START + dt.timedelta(n) <= (s.end or END) for s in given_spans)
    }
    total = sum((Fraction(1, calendar.monthrange(d.year, d.month)[1]) for d in days), Fraction(0))
    return Decimal(math.floor(total * 100)) / 100


class LeaveMonthsTestCase(TestCase):
    def test_it_counts_february_to_april_as_three_months(self) -> None:
        for year in (2026, 2028):  # 89 days, and 90 in a leap year
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            leave = Span(dt.date(year, 2, 1), dt.date(year, 4, 30))
            self.assertEqual(calendar_months([leave], start, end), Decimal(3))

    def test_it_counts_part_of_a_month_as_a_share_of_that_month(self) -> None:
        self.assertEqual(months([Span(dt.date(2026, 2, 15), dt.date(2026, 2, 28))]), Decimal("0.5"))
        # 10/31 + 1 (February): rounded down to hundredths, never up to a threshold.
        leave = Span(dt.date(2026, 1, 22), dt.date(2026, 2, 28))
        self.assertEqual(months([leave]), Decimal("1.32"))
        self.assertEqual(months([Span(dt.date(2026, 12, 1))]), Decimal(1))  # still in force
        self.assertEqual(months([Span(dt.date(2020, 1, 1))]), Decimal(12))

    def test_it_counts_only_the_period(self) -> None:
        self.assertEqual(months([Span(dt.date(2025, 11, 1), dt.date(2026, 1, 31))]), Decimal(1))
        self.assertEqual(months([Span(dt.date(2027, 1, 1), dt.date(2027, 6, 30))]), Decimal(0))

    @given(span_lists, st.data())
    def test_it_counts_overlapping_and_repeated_periods_once(
        self, leave: list[Span], data: st.DataObject
    ) -> None:
        repeated = data.draw(st.lists(st.sampled_from(leave), max_size=3)) if leave else []
        inside = [Span(s.start, s.start) for s in leave]  # the first day, already counted
        self.assertEqual(months(leave + repeated + inside), months(leave))
        self.assertEqual(months(leave), months_of_days(leave))

    @given(span_lists, st.data())
    def test_it_does_not_depend_on_the_order_of_the_periods(
        self, leave: list[Span], data: st.DataObject
    ) -> None:
        shuffled = data.draw(st.permutations(leave))
        self.assertEqual(months(shuffled), months(leave))

    @given(span_lists, spans)
    def test_it_never_counts_less_for_more_leave(self, leave: list[Span], more: Span) -> None:
        self.assertGreaterEqual(months([*leave, more]), months(leave))
        self.assertLessEqual(months([*leave, more]), Decimal(12))
