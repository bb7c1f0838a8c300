"""Dated spans (leave, exemption) and how much of a period they cover, in calendar terms."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

ONE_DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Span:
    """Days from `start` to `end`, both included; no `end` means still in force."""

    start: dt.date
    end: dt.date | None = None

    def last_day(self, default: dt.date) -> dt.date:
        return default if self.end is None else self.end


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, days_in_month(year, month)))


def union_within(
    spans: Iterable[Span], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """The days of `spans` between `start` and `end`, as sorted, disjoint, non-adjacent
    stretches (first day, last day): overlapping, repeated or touching spans become one."""
    clipped = sorted((max(s.start, start), min(s.last_day(end), end)) for s in spans)
    stretches: list[tuple[dt.date, dt.date]] = []
    for first, last in clipped:
        if first > last:
            continue
        if stretches and first <= stretches[-1][1] + ONE_DAY:
            stretches[-1] = (stretches[-1][0], max(stretches[-1][1], last))
        else:
            stretches.append((first, last))
    return stretches


def calendar_months(spans: Iterable[Span], start: dt.date, end: dt.date) -> Decimal:
    """How many calendar months the union of `spans` covers between `start` and `end`.

    Each calendar month counts the share of its days that the union covers: a whole month
    counts 1 whatever its length, and the days of a month covered in part count as a fraction
    of that month (10 days of a 31-day month: 10/31). So 1 February-30 April counts exactly 3,
    a whole year 12; a day is counted once however many spans cover it, and the order of the
    spans does not matter. The exact sum is rounded down to hundredths, which keeps every
    comparison with a threshold in hundredths exact (3 months is reached only by 3 months).
    """
    total = sum(
        (_months_of(first, last) for first, last in union_within(spans, start, end)),
        Fraction(0),
    )
    return Decimal(math.floor(total * 100)) / 100


def _months_of(first: dt.date, last: dt.date) -> Fraction:
    """The calendar months one stretch covers, month by month."""
    total = Fraction(0)
    day = first
    while day <= last:
        length = days_in_month(day.year, day.month)
        month_end = day.replace(day=length)
        covered = (min(last, month_end) - day).days + 1
        total += Fraction(covered, length)
        day = month_end + ONE_DAY
    return total
