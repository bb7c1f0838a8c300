from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import Personas, make_personas


class UnitChildrenTestCase(TestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def test_it_expands_a_subtree_for_roles_covering_it(self) -> None:
        for user in (self.p.chi, self.p.dung):
            r = self.p.client(user).get("/don-vi/DB-XA/con/")
            self.assertContains(r, "Chi bộ xóm 1")
            self.assertContains(r, "Chi bộ xóm 2")
            self.assertNotContains(r, "<html")

    def test_it_hides_the_subtree_outside_scope(self) -> None:
        self.assertEqual(self.p.client(None).get("/don-vi/DB-XA/con/").status_code, 302)
        for user in (self.p.nobody, self.p.an, self.p.binh, self.p.em):
            self.assertEqual(self.p.client(user).get("/don-vi/DB-XA/con/").status_code, 404)
