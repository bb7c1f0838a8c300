"""The member form the pages and the import share: dates a member's record can have."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.members.forms import MemberForm


def form(**fields: Any) -> MemberForm:
    data = {
        "code": "DV1",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1980-02-01",
        "gender": "M",
        "cell_code": "CB1",
        "admitted": "2010-05-19",
    }
    return MemberForm(data | fields)


class MemberFormTestCase(TestCase):
    def test_it_refuses_a_birth_date_before_1900(self) -> None:
        old = form(birth_date="1899-12-31", admitted="1930-02-03")
        self.assertFalse(old.is_valid())
        self.assertEqual(old.errors["birth_date"], ["Ngày sinh không thể trước năm 1900."])
        self.assertTrue(form(birth_date="1900-01-01", admitted="1930-02-03").is_valid())

    def test_it_refuses_a_citizen_id_of_other_than_twelve_ascii_digits(self) -> None:
        for citizen_id in ("12345", "00108000000a", "００１０８００００００１"):
            with self.subTest(citizen_id):
                refused = form(citizen_id=citizen_id)
                self.assertFalse(refused.is_valid())
                self.assertEqual(refused.errors["citizen_id"], ["Số CCCD phải gồm 12 chữ số."])
                self.assertNotIn("citizen_id", refused.cleaned_data)
        self.assertTrue(form(citizen_id="001080000001").is_valid())
