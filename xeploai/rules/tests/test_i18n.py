from __future__ import annotations

from unittest import TestCase

from xeploai.rules import i18n
from xeploai.rules.engine import classify_member
from xeploai.rules.levels import Level

from .factories import PERIOD, member, settings

ENGLISH = {
    "Tổng điểm {total} thuộc khung {band}": "Total {total} falls in the band {band}",
    "Hoàn thành xuất sắc nhiệm vụ": "Excellent",
}


class TranslationTestCase(TestCase):
    def tearDown(self) -> None:
        i18n.use(lambda message: message)

    def test_it_speaks_the_language_it_is_given(self) -> None:
        i18n.use(lambda message: ENGLISH.get(message, message))
        v = classify_member(member(), PERIOD, settings())
        self.assertEqual(v.reasons[0].text, "Total 93 falls in the band Excellent (QĐ 366-QĐ/TW)")
        self.assertEqual(Level.EXCELLENT.label, "Excellent")

    def test_it_speaks_vietnamese_by_default(self) -> None:
        v = classify_member(member(), PERIOD, settings())
        self.assertEqual(
            v.reasons[0].text,
            "Tổng điểm 93 thuộc khung Hoàn thành xuất sắc nhiệm vụ (QĐ 366-QĐ/TW)",
        )
