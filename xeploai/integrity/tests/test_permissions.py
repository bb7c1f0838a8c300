"""Every page of the app over every persona, for reading and for writing (STYLE.md 19): the
signals are read by those who decide or appraise results (Chi over his commune, Dũng and
Thương over the district); members and cells never see them, not even their own."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.core.testing import matrix
from xeploai.integrity.models import Analysis, Examination

from .scene import Scene, make_scene

YEAR = "?nam=2026"


class PermissionsTestCase(TestCase):
    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def check(self, path: str, expected: dict[str, int], data: Any = None) -> None:
        for name, user in self.s.users().items():
            client = self.s.p.client(user)
            response = client.get(path) if data is None else client.post(path, data)
            self.assertEqual(response.status_code, expected[name], f"{name} {path}")

    def test_it_guards_a_units_list(self) -> None:
        self.check(f"/dau-hieu/don-vi/DB-HUYEN/{YEAR}", matrix(404, dung=200, thuong=200))
        self.check(f"/dau-hieu/don-vi/DB-XA/{YEAR}", matrix(404, chi=200, dung=200, thuong=200))
        # A cell's members and secretary see the cell, never its signals.
        self.check(
            f"/dau-hieu/don-vi/CB-A/{YEAR}",
            matrix(404, an=403, binh=403, chi=200, dung=200, thuong=200),
        )
        self.check(
            f"/dau-hieu/don-vi/CB-B/{YEAR}", matrix(404, em=403, chi=200, dung=200, thuong=200)
        )

    def test_it_guards_the_export(self) -> None:
        self.check(
            f"/dau-hieu/don-vi/CB-A/{YEAR}&export=xlsx",
            matrix(404, an=403, binh=403, chi=200, dung=200, thuong=200),
        )

    def test_it_guards_asking_for_an_analysis(self) -> None:
        path = f"/dau-hieu/don-vi/CB-A/phan-tich/{YEAR}"
        self.assertEqual(self.s.p.client(self.s.p.dung).get(path).status_code, 405)
        before = Analysis.objects.count()
        self.check(path, matrix(404, an=403, binh=403, chi=302, dung=302, thuong=302), {})
        # One queued at a time per subtree: the three asked for the same commune.
        self.assertEqual(Analysis.objects.count(), before + 1)

    def test_it_guards_a_finding(self) -> None:
        copy, empty = self.s.copy.pk, self.s.empty.pk
        readers = matrix(404, chi=200, dung=200, thuong=200)
        self.check(f"/dau-hieu/{copy}/", readers)  # Em's own: not his to read
        self.check(f"/dau-hieu/{empty}/", readers)  # Bình's own, in the cell he runs
        self.check(f"/dau-hieu/{copy}/", matrix(404, chi=302, dung=302, thuong=302), {"note": "X"})
        self.assertEqual(Examination.objects.get().note, "X")

    def test_it_guards_taking_a_mark_back(self) -> None:
        self.s.p.client(self.s.p.dung).post(f"/dau-hieu/{self.s.copy.pk}/", {"note": ""})
        path = f"/dau-hieu/{self.s.copy.pk}/bo-danh-dau/"
        others = matrix(404)
        for name in ("nobody", "an", "binh", "em", "anonymous"):
            client = self.s.p.client(self.s.users()[name])
            self.assertEqual(client.post(path).status_code, others[name], name)
        self.assertTrue(Examination.objects.exists())
        self.assertEqual(self.s.p.client(self.s.p.chi).post(path).status_code, 302)
        self.assertFalse(Examination.objects.exists())
