from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import make_unit
from xeploai.units.models import MAX_CHILDREN, Unit, UnitKind, segment


class TreeTestCase(TestCase):
    def test_it_writes_fixed_width_segments(self) -> None:
        self.assertEqual(segment(0), "0000")
        self.assertEqual(segment(37), "0011")
        self.assertEqual(segment(MAX_CHILDREN - 1), "zzzz")
        with self.assertRaises(ValueError):
            segment(MAX_CHILDREN)

    def test_it_places_new_units_last_under_their_parent(self) -> None:
        root = make_unit(None)
        a = make_unit(root, kind=UnitKind.GRASSROOTS_COMMITTEE)
        b = make_unit(root, kind=UnitKind.GRASSROOTS_CELL)
        a1 = make_unit(a)
        self.assertEqual((root.path, root.depth), ("0000", 0))
        self.assertEqual((a.path, b.path, a1.path), ("00000000", "00000001", "000000000000"))
        self.assertEqual(a1.depth, 2)

    def test_it_selects_a_subtree_by_path(self) -> None:
        root = make_unit(None)
        a = make_unit(root, kind=UnitKind.GRASSROOTS_COMMITTEE)
        b = make_unit(root, kind=UnitKind.GRASSROOTS_CELL)
        a1 = make_unit(a)
        self.assertEqual(list(Unit.objects.in_subtree(a)), [a, a1])
        self.assertEqual(list(Unit.objects.below(root)), [a, a1, b])
        self.assertTrue(root.is_ancestor_of(a1))
        self.assertFalse(b.is_ancestor_of(a1))
        self.assertEqual(a1.ancestor_paths(), [root.path, a.path, a1.path])

    def test_it_knows_cells_and_grassroots_units(self) -> None:
        self.assertTrue(Unit(kind=UnitKind.GRASSROOTS_CELL).is_cell)
        self.assertTrue(Unit(kind=UnitKind.GRASSROOTS_CELL).is_grassroots)
        self.assertFalse(Unit(kind=UnitKind.PARTIAL_COMMITTEE).is_cell)
