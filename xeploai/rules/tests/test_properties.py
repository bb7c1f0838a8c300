"""Properties that must hold for any facts (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from xeploai.rules.engine import classify_member
from xeploai.rules.facts import Discipline, MemberFacts, Score, StateLevel, Tasks, Weaknesses
from xeploai.rules.levels import DisciplineForm, Grade, Level
from xeploai.rules.quota import allowed_excellent, check_quota
from xeploai.rules.regimes import SETTINGS, QuotaBase, Regime, Rounding

from .factories import PERIOD

halves = st.integers(min_value=0, max_value=200).map(lambda n: Decimal(n) / 2)
percents = st.integers(min_value=0, max_value=100).map(Decimal)
regimes = st.sampled_from([Regime.HD21, Regime.QD124, Regime.QD366])
disciplines = st.lists(
    st.builds(
        Discipline,
        form=st.sampled_from(DisciplineForm),
        decided=st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 1)),
        counted_in_year=st.none() | st.integers(2024, 2026),
        self_remedied=st.booleans(),
    ),
    max_size=3,
).map(tuple)


@st.composite
def members(draw: st.DrawFn) -> MemberFacts:
    tasks = Tasks(
        done_percent=draw(percents),
        late_percent=draw(percents),
        exceeded_percent=draw(percents),
    )
    total = draw(st.integers(0, 5))
    return MemberFacts(
        id="DV",
        admitted=draw(st.dates(dt.date(1960, 1, 1), dt.date(2026, 12, 31))),
        discipline=draw(disciplines),
        degraded=draw(st.booleans()),
        tasks=tasks,
        grades={c: draw(st.sampled_from(Grade)) for c in SETTINGS[Regime.HD21].member_criteria},
        score=Score(draw(halves.filter(lambda d: d <= 30)), draw(halves.filter(lambda d: d <= 70))),
        weaknesses=Weaknesses(total, draw(st.integers(0, total))),
        civil_servant=draw(st.booleans()),
        state_level=draw(st.none() | st.sampled_from(StateLevel)),
        sick_leave_months=draw(st.integers(0, 12).map(Decimal)),
        head_of_unit_level=draw(st.none() | st.sampled_from(Level)),
    )


def worse_or_equal(after: Level | None, before: Level | None) -> bool:
    if after is None or before is None:
        return after is before
    return after >= before


class EnginePropertiesTestCase(TestCase):
    @given(members(), regimes, disciplines)
    def test_more_discipline_never_raises_a_level(
        self, facts: MemberFacts, regime: Regime, more: tuple[Discipline, ...]
    ) -> None:
        settings = SETTINGS[regime]
        before = classify_member(facts, PERIOD, settings)
        after = classify_member(
            dataclasses.replace(facts, discipline=facts.discipline + more), PERIOD, settings
        )
        self.assertTrue(worse_or_equal(after.level, before.level))

    @given(members(), st.integers(1, 20).map(lambda n: Decimal(n) / 2))
    def test_a_higher_score_never_lowers_a_level(self, facts: MemberFacts, extra: Decimal) -> None:
        assert facts.score is not None
        settings = SETTINGS[Regime.QD366]
        higher = Score(facts.score.general, min(Decimal(70), facts.score.task_results + extra))
        before = classify_member(facts, PERIOD, settings)
        after = classify_member(dataclasses.replace(facts, score=higher), PERIOD, settings)
        self.assertTrue(worse_or_equal(before.level, after.level))

    @given(members(), regimes, st.sampled_from(Grade))
    def test_a_better_grade_never_lowers_a_level(
        self, facts: MemberFacts, regime: Regime, grade: Grade
    ) -> None:
        assert facts.grades is not None
        settings = SETTINGS[Regime.QD124 if regime is Regime.QD366 else regime]
        better = {c: min(g, grade) for c, g in facts.grades.items()}
        before = classify_member(facts, PERIOD, settings)
        after = classify_member(dataclasses.replace(facts, grades=better), PERIOD, settings)
        self.assertTrue(worse_or_equal(before.level, after.level))

    @given(members(), regimes, st.integers(3, 12).map(Decimal), st.sampled_from(Level))
    def test_a_cap_never_raises(
        self, facts: MemberFacts, regime: Regime, months: Decimal, head: Level
    ) -> None:
        settings = SETTINGS[regime]
        before = classify_member(facts, PERIOD, settings)
        tighter = head.cap(facts.head_of_unit_level or Level.EXCELLENT)
        for capped in (
            dataclasses.replace(facts, sick_leave_months=max(months, facts.sick_leave_months)),
            dataclasses.replace(facts, head_of_unit_level=tighter),
            # Becoming a civil servant rated GOOD by the state (R17), unless one already.
            facts
            if facts.civil_servant
            else dataclasses.replace(facts, civil_servant=True, state_level=StateLevel.GOOD),
        ):
            after = classify_member(capped, PERIOD, settings)
            self.assertTrue(worse_or_equal(after.level, before.level))


class QuotaPropertiesTestCase(TestCase):
    @given(
        st.integers(0, 100_000),
        st.integers(0, 100_000),
        st.integers(0, 100).map(Decimal),
        st.sampled_from(QuotaBase),
    )
    def test_the_allowed_count_never_exceeds_its_percentage(
        self, good: int, excellent: int, percent: Decimal, base: QuotaBase
    ) -> None:
        settings = dataclasses.replace(
            SETTINGS[Regime.QD366], quota_percent=percent, quota_base=base
        )
        allowed = allowed_excellent(good, excellent, settings)
        denominator = good + excellent if base is QuotaBase.GOOD_AND_ABOVE else good
        self.assertLessEqual(allowed * 100, percent * denominator)
        self.assertGreater((allowed + 1) * 100, percent * denominator)

    @given(st.integers(0, 5_000), st.integers(0, 5_000), st.sampled_from(Rounding))
    def test_dropping_the_named_count_brings_a_group_within_quota(
        self, good: int, excellent: int, rounding: Rounding
    ) -> None:
        settings = dataclasses.replace(SETTINGS[Regime.QD366], quota_rounding=rounding)
        result = check_quota("G", good, excellent, settings)
        self.assertLessEqual(result.must_drop, result.breach)
        fixed = check_quota("G", good + result.must_drop, excellent - result.must_drop, settings)
        self.assertTrue(fixed.within)
        if result.must_drop:
            one_less = result.must_drop - 1
            short = check_quota("G", good + one_less, excellent - one_less, settings)
            self.assertFalse(short.within)
