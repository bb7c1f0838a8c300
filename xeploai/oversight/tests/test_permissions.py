"""Every page of the app over every persona, for reading and for writing (STYLE.md 19): out of
scope 404, in scope without the power 403 (S1); a suggestion someone may not read is out of
scope (S2)."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.core.testing import matrix
from xeploai.oversight.models import Attendance, Suggestion

from .scene import Scene, attend, make_scene, suggest

YEAR = "?nam=2026"


class PermissionsTestCase(TestCase):
    """Dũng and Thương act for the district; Chi runs the commune, which oversees nothing.

    - to An: sent; to cell A (the organisation): sent; to cell B: a draft;
    - the district directed the commune collective's review.
    """

    s: Scene
    to_an: Suggestion
    to_cell_a: Suggestion
    draft: Suggestion
    record: Attendance

    @classmethod
    def setUpTestData(cls) -> None:
        s = cls.s = make_scene()
        cls.to_an = suggest(s, s.an, send=True)
        cls.to_cell_a = suggest(s, s.cell_a, send=True)
        cls.draft = suggest(s, s.cell_b)
        cls.record = attend(s, s.commune)

    def check(self, path: str, expected: dict[str, int], data: Any = None) -> None:
        for name, user in self.s.users().items():
            client = self.s.p.client(user)
            response = client.get(path) if data is None else client.post(path, data)
            self.assertEqual(response.status_code, expected[name], f"{name} {path}")

    def test_it_guards_the_superiors_list(self) -> None:
        self.check(f"/kiem-diem/cap-tren/don-vi/DB-HUYEN/{YEAR}", matrix(404, dung=200, thuong=200))
        # The commune: seen by its officer and its secretaries' superiors; overseen from above.
        self.check(
            f"/kiem-diem/cap-tren/don-vi/DB-XA/{YEAR}", matrix(404, chi=403, dung=200, thuong=200)
        )
        self.check(
            f"/kiem-diem/cap-tren/don-vi/CB-A/{YEAR}",
            matrix(404, an=403, binh=403, chi=403, dung=200, thuong=200),
        )

    def test_it_guards_a_new_suggestion(self) -> None:
        self.check(
            f"/kiem-diem/cap-tren/don-vi/DB-HUYEN/goi-y/moi/{YEAR}",
            matrix(404, dung=200, thuong=200),
        )
        # The district's board reads the commune's records, never writes in its name.
        self.check(
            f"/kiem-diem/cap-tren/don-vi/DB-XA/goi-y/moi/{YEAR}",
            matrix(404, chi=403, dung=403, thuong=403),
        )
        post = {"subject_kind": "member", "code": "DV-EM", "issued_on": "2026-11-05", "points": "X"}
        self.check(
            f"/kiem-diem/cap-tren/don-vi/DB-XA/goi-y/moi/{YEAR}",
            matrix(404, chi=403, dung=403, thuong=403),
            post,
        )
        self.assertEqual(Suggestion.objects.count(), 3)

    def test_it_guards_a_suggestion_on_its_issuing_side(self) -> None:
        # Sent: its subject and those who decide read it on their own page, not this one.
        self.check(
            f"/kiem-diem/cap-tren/goi-y/{self.to_an.pk}/",
            matrix(404, an=403, chi=403, dung=200, thuong=200),
        )
        self.check(
            f"/kiem-diem/cap-tren/goi-y/{self.to_cell_a.pk}/",
            matrix(404, binh=403, chi=403, dung=200, thuong=200),
        )
        # A draft exists for those who oversee the district only.
        self.check(f"/kiem-diem/cap-tren/goi-y/{self.draft.pk}/", matrix(404, dung=200, thuong=200))
        edit = {"issued_on": "2026-11-05", "points": "Sửa"}
        self.check(
            f"/kiem-diem/cap-tren/goi-y/{self.draft.pk}/", matrix(404, dung=302, thuong=302), edit
        )
        self.assertEqual(self.draft.points.get().text, "Sửa")

    def test_it_guards_sending(self) -> None:
        path = f"/kiem-diem/cap-tren/goi-y/{self.draft.pk}/gui/"
        self.assertEqual(self.s.p.client(self.s.p.dung).get(path).status_code, 405)
        others = matrix(404, dung=302, thuong=302)
        for name in ("nobody", "an", "binh", "chi", "em", "anonymous"):
            client = self.s.p.client(self.s.users()[name])
            self.assertEqual(client.post(path).status_code, others[name], name)
        self.assertIsNone(Suggestion.objects.get(pk=self.draft.pk).released)
        self.assertEqual(self.s.p.client(self.s.thuong).post(path).status_code, 302)
        self.assertIsNotNone(Suggestion.objects.get(pk=self.draft.pk).released)

    def test_it_guards_the_explanation_page(self) -> None:
        an = f"/kiem-diem/cap-tren/goi-y/{self.to_an.pk}/giai-trinh/"
        readers = matrix(404, an=200, chi=200, dung=200, thuong=200)
        self.check(an, readers)
        point = self.to_an.points.get(number=1)
        answer = {f"point_{point.pk}": "Giải trình"}
        self.check(an, readers | {"an": 302, "chi": 403, "dung": 403, "thuong": 403}, answer)
        cell_a = f"/kiem-diem/cap-tren/goi-y/{self.to_cell_a.pk}/giai-trinh/"
        # Bình drafts the cell's report; so does the commune's officer, over its cells.
        self.check(cell_a, matrix(404, binh=200, chi=200, dung=200, thuong=200))
        self.check(f"/kiem-diem/cap-tren/goi-y/{self.draft.pk}/giai-trinh/", matrix(404))

    def test_it_lists_what_was_sent_to_each(self) -> None:
        self.check("/kiem-diem/cap-tren/goi-y/", matrix(200))
        pages = {
            name: self.s.p.client(user).get("/kiem-diem/cap-tren/goi-y/").content.decode()
            for name, user in self.s.users().items()
            if user is not None
        }
        self.assertIn("Trần Thị An", pages["an"])
        self.assertNotIn("Chi bộ xóm 1", pages["an"])
        self.assertIn("Chi bộ xóm 1", pages["binh"])
        self.assertNotIn("Trần Thị An", pages["binh"])
        for name in ("nobody", "em"):
            self.assertIn("Chưa có gợi ý kiểm điểm nào", pages[name], name)

    def test_it_guards_attendance(self) -> None:
        new = f"/kiem-diem/cap-tren/don-vi/DB-HUYEN/du-chi-dao/moi/{YEAR}"
        self.check(new, matrix(404, dung=200, thuong=200))
        self.check(
            f"/kiem-diem/cap-tren/don-vi/DB-XA/du-chi-dao/moi/{YEAR}",
            matrix(404, chi=403, dung=403, thuong=403),
        )
        path = f"/kiem-diem/cap-tren/du-chi-dao/{self.record.pk}/"
        self.check(path, matrix(404, dung=200, thuong=200))
        data = {"kind": "DIRECTED", "held_on": "2026-11-21", "group": "Trần Văn Tâm"}
        self.check(path, matrix(404, dung=302, thuong=302), data)
        self.assertEqual(Attendance.objects.get().group, "Trần Văn Tâm")
