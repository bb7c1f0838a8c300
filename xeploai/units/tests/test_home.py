from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import Personas, make_personas


class HomeTestCase(TestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def test_it_sends_anonymous_users_to_login(self) -> None:
        self.assertEqual(self.p.client(None).get("/").status_code, 302)

    def test_it_starts_the_tree_at_the_top_of_each_scope(self) -> None:
        expected = {
            self.p.dung: "Đảng bộ huyện Yên Thành",
            self.p.chi: "Đảng bộ xã Hoa Thành",
            self.p.binh: "Chi bộ xóm 1",
            self.p.an: "Chi bộ xóm 1",
            self.p.em: "Chi bộ xóm 2",
        }
        for user, top in expected.items():
            r = self.p.client(user).get("/")
            self.assertEqual([u.name for u in r.context["units"]], [top])

    def test_it_shows_nothing_to_a_user_without_a_role(self) -> None:
        r = self.p.client(self.p.nobody).get("/")
        self.assertContains(r, "chưa được giao vai trò")
