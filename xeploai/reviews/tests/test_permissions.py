from __future__ import annotations

from django.test import TestCase

from xeploai.core.testing import Personas, make_cycle, make_personas
from xeploai.cycles.models import Cycle, MemberEvaluation
from xeploai.reviews.models import Meeting

from .flow import meet, proposed_commune

# Every page of the review, as (method, path). Outside one's scope a page does not exist
# (404); inside it, writing without the power is forbidden (403).
PAGES = [
    ("get", "/kiem-diem/2026/DV-AN/"),
    ("post", "/kiem-diem/2026/DV-AN/"),
    ("post", "/kiem-diem/2026/DV-AN/de-xuat/"),
    ("post", "/kiem-diem/2026/DV-AN/y-kien/"),
    ("get", "/kiem-diem/chi-bo/CB-A/"),
    ("post", "/kiem-diem/chi-bo/CB-A/"),
    ("get", "/kiem-diem/chi-bo/CB-A/bien-ban/"),
    ("get", "/kiem-diem/cong-khai/CB-A/"),
    ("get", "/kiem-diem/quyet-dinh/DB-XA/"),
    ("post", "/kiem-diem/quyet-dinh/DB-XA/"),
    ("post", "/kiem-diem/quyet-dinh/DB-XA/cong-khai/"),
    ("get", "/kiem-diem/tham-dinh/DB-XA/"),
    ("post", "/kiem-diem/tham-dinh/DB-XA/"),
    ("get", "/kiem-diem/tien-do/DB-XA/"),
    ("post", "/kiem-diem/mo-ky/DB-XA/"),
    ("get", "/kiem-diem/to-chuc/2026/CB-A/"),
    ("post", "/kiem-diem/to-chuc/2026/CB-A/"),
    ("get", "/kiem-diem/to-chuc/2026/DB-XA/"),
    ("post", "/kiem-diem/tap-the/2026/DB-XA/"),
    ("get", "/kiem-diem/tap-the/2026/DB-XA/"),
    ("get", "/kiem-diem/to-chuc/quyet-dinh/DB-XA/?nam=2026"),
    ("post", "/kiem-diem/to-chuc/quyet-dinh/DB-XA/?nam=2026"),
]
# What An, the member, may open: her own form (already proposed, so a save is refused with a
# message) and her cell's published results.
AN_MAY = {
    ("get", "/kiem-diem/2026/DV-AN/"),
    ("post", "/kiem-diem/2026/DV-AN/"),
    ("get", "/kiem-diem/cong-khai/CB-A/"),
}


class PermissionMatrixTestCase(TestCase):
    """Anonymous users sign in first; no role, a sibling cell's secretary and a plain member
    find nothing of cell A or its commune; nothing is written by any of them."""

    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        proposed_commune(cls.p, cls.cycle)
        meet(cls.p.cell_a, cls.cycle, cls.p.binh)

    def test_it_refuses_everyone_outside(self) -> None:
        before = list(MemberEvaluation.objects.values_list("pk", "step", "version"))
        meetings = list(Meeting.objects.values_list("pk", "present"))
        for method, path in PAGES:
            r = getattr(self.p.client(None), method)(path)
            self.assertEqual(r.status_code, 302, path)
            self.assertIn("/tai-khoan/dang-nhap/", r["Location"])
            for user in (self.p.nobody, self.p.em):
                r = getattr(self.p.client(user), method)(path)
                self.assertEqual(r.status_code, 404, (user.username, method, path))
            r = getattr(self.p.client(self.p.an), method)(path)
            if (method, path) in AN_MAY:
                self.assertEqual(r.status_code, 200, path)
            else:
                self.assertIn(r.status_code, (403, 404), (method, path))
        self.assertEqual(
            before, list(MemberEvaluation.objects.values_list("pk", "step", "version"))
        )
        self.assertEqual(meetings, list(Meeting.objects.values_list("pk", "present")))
