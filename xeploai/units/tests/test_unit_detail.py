from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import Personas, make_member, make_personas


class UnitDetailTestCase(TestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def get(self, user: object, code: str = "CB-A", query: str = "") -> object:
        return self.p.client(user).get(f"/don-vi/{code}/{query}")  # type: ignore[arg-type]

    def test_it_sends_anonymous_users_to_login(self) -> None:
        r = self.get(None)
        self.assertEqual(r.status_code, 302)  # type: ignore[attr-defined]
        self.assertIn("/tai-khoan/dang-nhap/", r["Location"])  # type: ignore[index]

    def test_it_hides_a_unit_from_users_without_a_role_there(self) -> None:
        self.assertEqual(self.get(self.p.nobody).status_code, 404)  # type: ignore[attr-defined]
        self.assertEqual(self.get(self.p.em).status_code, 404)  # type: ignore[attr-defined]
        self.assertEqual(self.get(self.p.binh, "CB-B").status_code, 404)  # type: ignore[attr-defined]
        self.assertEqual(self.get(self.p.chi, "DB-HUYEN").status_code, 404)  # type: ignore[attr-defined]

    def test_it_shows_members_to_roles_covering_the_unit(self) -> None:
        for user in (self.p.binh, self.p.chi, self.p.dung):
            r = self.get(user)
            self.assertContains(r, "Chi bộ xóm 1")  # type: ignore[arg-type]
            self.assertContains(r, "Trần Thị An")  # type: ignore[arg-type]
            self.assertContains(r, "Lê Văn Bình")  # type: ignore[arg-type]
            self.assertNotContains(r, "Phạm Văn Em")  # type: ignore[arg-type]

    def test_it_shows_a_member_their_cell_without_its_members(self) -> None:
        r = self.get(self.p.an)
        self.assertContains(r, "Chi bộ xóm 1")  # type: ignore[arg-type]
        self.assertNotContains(r, "Lê Văn Bình")  # type: ignore[arg-type]

    def test_it_lists_sub_units_with_member_counts(self) -> None:
        r = self.get(self.p.chi, "DB-XA")
        self.assertContains(r, "Chi bộ xóm 1")  # type: ignore[arg-type]
        self.assertContains(r, "Chi bộ xóm 2")  # type: ignore[arg-type]
        self.assertEqual([c.member_count for c in r.context["children"]], [2, 1])  # type: ignore[attr-defined]

    def test_it_searches_members_ignoring_accents(self) -> None:
        make_member(self.p.cell_a, full_name="Nguyễn Đức Thắng")
        r = self.get(self.p.binh, query="?q=duc+thang")
        self.assertContains(r, "Nguyễn Đức Thắng")  # type: ignore[arg-type]
        self.assertNotContains(r, "Trần Thị An")  # type: ignore[arg-type]

    def test_it_renders_only_the_member_list_for_htmx(self) -> None:
        client = self.p.client(self.p.binh)
        r = client.get("/don-vi/CB-A/?q=an", headers={"HX-Request": "true"})
        self.assertContains(r, "Trần Thị An")
        self.assertNotContains(r, "<html")

    def test_it_pins_the_query_count(self) -> None:
        client = self.p.client(self.p.dung)
        client.get("/don-vi/DB-XA/")  # warm the session
        # The open cycle, for the links to the reviews of the unit and of those below it; the
        # user's roles, for the link to the signals (integrity).
        with self.assertNumQueries(11):
            client.get("/don-vi/DB-XA/")  # no member listed above a cell until a search
        with self.assertNumQueries(12):  # and one INSERT: the list read in the access log (S3)
            client.get("/don-vi/CB-A/")

    def test_it_searches_above_a_cell_instead_of_listing_everyone(self) -> None:
        r = self.get(self.p.chi, "DB-XA")
        self.assertIsNone(r.context["page"])  # type: ignore[attr-defined]
        self.assertNotContains(r, "Trần Thị An")  # type: ignore[arg-type]
        r = self.get(self.p.chi, "DB-XA", "?q=tran+thi")
        self.assertContains(r, "Trần Thị An")  # type: ignore[arg-type]
        self.assertNotContains(r, "Phạm Văn Em")  # type: ignore[arg-type]
