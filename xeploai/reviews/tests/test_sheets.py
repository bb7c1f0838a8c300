from __future__ import annotations

from decimal import Decimal
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from xeploai.reviews.sheets import Item, collective_form, form_for, forms, spread
from xeploai.rules import Regime


class SheetsTestCase(TestCase):
    def test_it_reads_a_form_per_case_of_each_regime(self) -> None:
        self.assertEqual([f.code for f in forms(Regime.QD366)], ["01", "2A", "2B", "2B-TW", "2C"])
        self.assertEqual([f.code for f in forms(Regime.QD124)], ["01", "02A", "02B"])
        self.assertEqual(collective_form(Regime.HD21).case, "collective")
        for form in forms(Regime.QD366):
            self.assertEqual(sum(i.max for i in form.general), 30)
            self.assertEqual(sum(i.max for i in form.task_results), 70)
        self.assertFalse(any(f.scored for f in forms(Regime.HD21)))

    def test_it_chooses_the_form_of_each_case_falling_back_to_the_members(self) -> None:
        def code(regime: Regime, **case: bool) -> str:
            return form_for(regime, **{"in_political_system": True, "leader": False} | case).code

        self.assertEqual(code(Regime.QD366), "2A")
        self.assertEqual(code(Regime.QD366, in_political_system=False), "2C")
        self.assertEqual(code(Regime.QD366, leader=True), "2B")
        self.assertEqual(code(Regime.QD366, leader=True, central=True), "2B-TW")
        self.assertEqual(code(Regime.QD366, central=True), "2A")  # not a leader
        # Regimes without a form of their own for the centre's cadres give the leaders'.
        self.assertEqual(code(Regime.QD124, leader=True, central=True), "02B")
        self.assertEqual(code(Regime.QD124, in_political_system=False), "02A")
        self.assertEqual(code(Regime.HD21, leader=True, central=True), "02")

    @given(
        st.sampled_from([p for f in forms(Regime.QD366) for p in (f.general, f.task_results)]),
        st.data(),
    )
    def test_it_spreads_any_total_of_every_part_within_each_maximum(
        self, items: tuple[Item, ...], data: st.DataObject
    ) -> None:
        most = int(sum(item.max for item in items) * 2)
        total = Decimal(data.draw(st.integers(0, most))) / 2
        scores = spread(total, items)
        self.assertEqual(sum(scores.values()), total)
        for item in items:
            self.assertTrue(0 <= scores[item.code] <= item.max, (total, scores))

    @given(st.integers(0, 60).map(lambda n: Decimal(n) / 2), st.sampled_from(forms(Regime.QD366)))
    def test_it_spreads_a_total_within_each_maximum(self, total: Decimal, form: object) -> None:
        items = form.general  # type: ignore[attr-defined]
        scores = spread(total, items)
        self.assertEqual(sum(scores.values()), total)
        for item in items:
            self.assertTrue(0 <= scores[item.code] <= item.max, (total, scores))
