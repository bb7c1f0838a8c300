"""The unit form the pages and the import share: a type of field is required from the
grassroots level down, and "Khác" when left out above it (R26 groups only the former)."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.units.forms import UnitForm
from xeploai.units.models import FieldType, UnitKind


def form(kind: UnitKind, field_type: str = "") -> UnitForm:
    data: dict[str, Any] = {"code": "U1", "name": "Đơn vị", "kind": kind, "founded": "1990-01-01"}
    return UnitForm(data | ({"field_type": field_type} if field_type else {}))


class UnitFormTestCase(TestCase):
    def test_it_requires_a_type_for_grassroots_units_and_below(self) -> None:
        for kind in (
            UnitKind.GRASSROOTS_COMMITTEE,
            UnitKind.GRASSROOTS_CELL,
            UnitKind.PARTIAL_COMMITTEE,
            UnitKind.CELL,
        ):
            with self.subTest(kind):
                unit = form(kind)
                self.assertFalse(unit.is_valid())
                self.assertEqual(list(unit.errors), ["field_type"])
                self.assertIn("Cần có loại hình", unit.errors["field_type"][0])
                self.assertTrue(form(kind, FieldType.COMMUNE).is_valid())

    def test_it_leaves_the_type_of_units_above_grassroots_optional(self) -> None:
        for kind in (UnitKind.CENTRE, UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.BLOC):
            with self.subTest(kind):
                unit = form(kind)
                self.assertTrue(unit.is_valid(), unit.errors)
                self.assertEqual(unit.cleaned_data["field_type"], FieldType.OTHER)
                self.assertEqual(unit.save(commit=False).field_type, FieldType.OTHER)
                given = form(kind, FieldType.ADMINISTRATION)
                self.assertTrue(given.is_valid())
                self.assertEqual(given.cleaned_data["field_type"], FieldType.ADMINISTRATION)
