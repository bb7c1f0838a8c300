from __future__ import annotations

from django.test import TestCase

from xeploai.core.db import vietnamese
from xeploai.core.testing import make_member, make_unit
from xeploai.core.text import name_sort_key, search_key
from xeploai.members.models import Member


class VietnameseTextTestCase(TestCase):
    def test_it_folds_names_for_search(self) -> None:
        self.assertEqual(search_key("Nguyễn Văn  Đức"), "nguyen van duc")
        self.assertEqual(search_key("NGUYỄN VĂN ĐỨC"), search_key("nguyen van duc"))

    def test_it_sorts_in_the_vietnamese_alphabet(self) -> None:
        names = ["Đức", "Dũng", "Zung", "Ân", "An", "Ăn", "Bình", "Anh"]
        self.assertEqual(
            sorted(names, key=name_sort_key),
            ["An", "Anh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Zung"],
        )

    def test_it_sorts_in_the_database_the_same_way(self) -> None:
        cell = make_unit(make_unit(None))
        for name in ("Đức", "Dũng", "Anh", "Ân"):
            make_member(cell, full_name=name)
        ordered = Member.objects.order_by(vietnamese("full_name")).values_list(
            "full_name", flat=True
        )
        self.assertEqual(list(ordered), ["Anh", "Ân", "Dũng", "Đức"])
