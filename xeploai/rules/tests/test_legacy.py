from __future__ import annotations

from unittest import TestCase

from xeploai.rules.legacy import fold, parse_level, parse_status, rank_label
from xeploai.rules.levels import Level, Status


class LegacyLabelsTestCase(TestCase):
    def test_it_ranks_legacy_labels_and_keeps_them(self) -> None:  # R34
        result = rank_label("Trong sạch vững mạnh tiêu biểu")
        assert result is not None
        self.assertEqual((result.label, result.ordinal, result.exemplary), (result.label, 1, True))
        self.assertEqual(result.label, "Trong sạch vững mạnh tiêu biểu")
        self.assertEqual(rank_label("trong sach vung  manh"), rank_label("trong sach vung  manh"))
        self.assertEqual(rank_label("Yếu kém").ordinal, 4)  # type: ignore[union-attr]
        self.assertEqual(rank_label("Vi phạm tư cách").ordinal, 4)  # type: ignore[union-attr]
        good = rank_label("Đủ tư cách, hoàn thành tốt nhiệm vụ")
        self.assertEqual(good.ordinal, 2)  # type: ignore[union-attr]
        self.assertIsNone(rank_label("Tốt lắm"))

    def test_it_ranks_current_labels_and_abbreviations(self) -> None:  # R34
        self.assertEqual(rank_label("HTTNV").ordinal, 2)  # type: ignore[union-attr]
        self.assertEqual(parse_level("hoàn thành xuất sắc nhiệm vụ"), Level.EXCELLENT)
        self.assertEqual(parse_level("KHTNV"), Level.NOT_COMPLETED)
        self.assertEqual(parse_status("Miễn đánh giá"), Status.EXEMPT)

    def test_it_folds_accents_case_and_spaces(self) -> None:
        self.assertEqual(fold("  Đảng   viên "), "dang vien")
        nfd = "Hoa\u0300n tha\u0300nh"  # decomposed accents
        self.assertEqual(fold(nfd), fold("Hoàn thành"))
