from __future__ import annotations

import datetime as dt
from unittest import TestCase

from xeploai.rules.engine import classify_member, classify_unit
from xeploai.rules.facts import Exemption, Period
from xeploai.rules.levels import Level, Status
from xeploai.rules.regimes import SETTINGS, ExemptBasis, Regime, regime_for_year
from xeploai.rules.scope import Stay, required_cell_comments
from xeploai.rules.spans import months_after

from .factories import PERIOD, member, settings, unit


def rules_of(verdict: object) -> list[str]:
    return [r.rule for r in verdict.reasons]  # type: ignore[attr-defined]


class ScopeTestCase(TestCase):
    def test_it_picks_the_regime_by_year(self) -> None:  # R1
        self.assertEqual(regime_for_year(2017), Regime.LEGACY)
        self.assertEqual(regime_for_year(2018), Regime.HD21)
        self.assertEqual(regime_for_year(2022), Regime.HD21)
        self.assertEqual(regime_for_year(2023), Regime.QD124)
        self.assertEqual(regime_for_year(2024), Regime.QD124)
        self.assertEqual(regime_for_year(2025), Regime.QD366)
        self.assertEqual(regime_for_year(2031), Regime.QD366)

    def test_it_exempts_with_the_reason(self) -> None:  # R2
        v = classify_member(member(exempt=True, exempt_reason="Tuổi cao"), PERIOD, settings())
        self.assertEqual(v.status, Status.EXEMPT)
        self.assertIsNone(v.level)
        self.assertFalse(v.reviewed)
        self.assertEqual(rules_of(v), ["R2"])
        self.assertIn("Tuổi cao", v.reasons[0].text)
        self.assertIn("QĐ 366-QĐ/TW", v.reasons[0].text)

    def test_it_exempts_a_member_exempt_for_any_part_of_the_period(self) -> None:  # R2
        spring = Exemption(dt.date(2026, 1, 10), dt.date(2026, 5, 31), "Chữa bệnh dài ngày")
        v = classify_member(member(exemptions=(spring,)), PERIOD, settings())
        self.assertEqual((v.status, v.level, v.reviewed), (Status.EXEMPT, None, False))
        self.assertEqual(
            v.reasons[0].text,
            "Miễn công tác và sinh hoạt đảng từ ngày 10/01/2026 đến ngày 31/05/2026:"
            " Chữa bệnh dài ngày (QĐ 366-QĐ/TW) → Miễn đánh giá",
        )
        earlier = Exemption(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
        v = classify_member(member(exemptions=(earlier,)), PERIOD, settings())
        self.assertEqual(v.status, Status.CLASSIFIED)

    def test_it_judges_exemptions_by_the_basis_the_regime_sets(self) -> None:  # R2
        spring = Exemption(dt.date(2026, 1, 1), dt.date(2026, 5, 31))
        autumn = Exemption(dt.date(2026, 9, 1))  # still in force
        cases = [
            ((spring,), ExemptBasis.REFERENCE_DATE, Status.CLASSIFIED),
            ((autumn,), ExemptBasis.REFERENCE_DATE, Status.EXEMPT),
            ((spring, autumn), ExemptBasis.WHOLE_PERIOD, Status.CLASSIFIED),
            ((spring, Exemption(dt.date(2026, 6, 1))), ExemptBasis.WHOLE_PERIOD, Status.EXEMPT),
            ((spring,), ExemptBasis.ANY_PART, Status.EXEMPT),
        ]
        for exemptions, basis, status in cases:
            v = classify_member(member(exemptions=exemptions), PERIOD, settings(exempt_basis=basis))
            self.assertEqual(v.status, status, (exemptions, basis))

    def test_it_does_not_classify_a_suspended_member(self) -> None:  # R3
        v = classify_member(member(suspended=True), PERIOD, settings())
        self.assertEqual((v.status, v.level, v.reviewed), (Status.NOT_CLASSIFIED, None, False))
        self.assertEqual(rules_of(v), ["R3"])

    def test_it_still_reviews_a_suspended_member_under_hd21(self) -> None:  # R3
        v = classify_member(member(Regime.HD21, suspended=True), PERIOD, settings(Regime.HD21))
        self.assertEqual((v.status, v.reviewed), (Status.NOT_CLASSIFIED, True))

    def test_it_classifies_a_member_suspended_from_committee_only(self) -> None:  # R3
        facts = member(suspended=True, suspended_from_committee_only=True)
        v = classify_member(facts, PERIOD, settings())
        self.assertEqual((v.status, v.level), (Status.CLASSIFIED, Level.EXCELLENT))
        self.assertIn("R3", rules_of(v))

    def test_it_does_not_classify_a_member_admitted_less_than_six_months_ago(self) -> None:  # R4
        v = classify_member(member(admitted=dt.date(2026, 7, 2)), PERIOD, settings())
        self.assertEqual((v.status, v.reviewed), (Status.NOT_CLASSIFIED, False))
        self.assertEqual(rules_of(v), ["R4"])
        # Exactly six months before the reference date counts as six months.
        v = classify_member(member(admitted=dt.date(2026, 6, 30)), PERIOD, settings())
        self.assertEqual(v.status, Status.CLASSIFIED)

    def test_it_reviews_new_members_under_hd21_only(self) -> None:  # R4
        facts = member(Regime.HD21, admitted=dt.date(2026, 9, 1))
        self.assertTrue(classify_member(facts, PERIOD, settings(Regime.HD21)).reviewed)
        facts = member(Regime.QD124, admitted=dt.date(2026, 9, 1))
        self.assertFalse(classify_member(facts, PERIOD, settings(Regime.QD124)).reviewed)

    def test_it_reads_the_reference_date_and_months_from_the_settings(self) -> None:  # R4
        facts = member(admitted=dt.date(2026, 3, 1))
        early = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 6, 30))
        self.assertEqual(classify_member(facts, early, settings()).status, Status.NOT_CLASSIFIED)
        three = settings(new_member_months=3)
        self.assertEqual(classify_member(facts, early, three).status, Status.CLASSIFIED)

    def test_it_does_not_classify_a_new_organisation(self) -> None:  # R5
        v = classify_unit(unit(founded=dt.date(2026, 8, 1)), PERIOD, settings())
        self.assertEqual((v.status, v.level), (Status.NOT_CLASSIFIED, None))
        self.assertEqual(rules_of(v), ["R5"])

    def test_it_classifies_a_probationary_member_like_a_full_one(self) -> None:  # R6
        # Admitted eight months before: still probationary (12 months), yet classified.
        v = classify_member(member(admitted=dt.date(2026, 4, 1)), PERIOD, settings())
        self.assertEqual((v.status, v.level), (Status.CLASSIFIED, Level.EXCELLENT))

    def test_it_requires_the_comment_of_an_old_cell_after_six_months(self) -> None:  # R7
        long_stay = Stay("CB-A", dt.date(2025, 3, 1), dt.date(2026, 7, 15))
        short_stay = Stay("CB-B", dt.date(2026, 7, 15), dt.date(2026, 9, 1))
        temporary = Stay("CB-T", dt.date(2026, 10, 1), dt.date(2026, 11, 1), temporary=True)
        required = required_cell_comments((long_stay, short_stay, temporary), PERIOD)
        self.assertEqual(required, ("CB-A", "CB-T"))

    def test_it_adds_months_at_month_ends(self) -> None:
        self.assertEqual(months_after(dt.date(2026, 8, 31), 6), dt.date(2027, 2, 28))
        self.assertEqual(months_after(dt.date(2027, 8, 31), 6), dt.date(2028, 2, 29))

    def test_it_refuses_to_compute_legacy_results(self) -> None:  # R34
        with self.assertRaises(ValueError):
            classify_member(member(), PERIOD, SETTINGS[Regime.LEGACY])
