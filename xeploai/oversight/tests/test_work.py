from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from xeploai.accounts.models import User
from xeploai.oversight.rules import oversight_work

from .scene import Scene, answer, make_scene, suggest


class WorkTestCase(TestCase):
    """The home page's card: what is sent to the user to explain, where they act as superior."""

    s: Scene

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()

    def work(self, user: User) -> str:
        user = User.objects.get(pk=user.pk)
        roles = list(user.roles.select_related("unit"))
        with CaptureQueriesContext(connection) as queries:
            work = oversight_work(user, self.s.cycle, roles)
        self.assertLessEqual(len(queries), 1)  # none for who answers for nothing
        return render_to_string("oversight/_work.html", {"oversight": work, "cycle": self.s.cycle})

    def test_it_lists_what_is_left_to_explain_and_where_to_issue(self) -> None:
        to_an = suggest(self.s, self.s.an, send=True)
        suggest(self.s, self.s.cell_a, send=True)
        suggest(self.s, self.s.cell_b)  # a draft
        self.assertIn("đã giải trình 0/2 vấn đề", self.work(self.s.p.an))
        self.assertIn(f"/kiem-diem/cap-tren/goi-y/{to_an.pk}/giai-trinh/", self.work(self.s.p.an))
        self.assertIn("gợi ý kiểm điểm Chi bộ xóm 1", self.work(self.s.p.binh))
        self.assertNotIn("Trần Thị An", self.work(self.s.p.binh))
        self.assertEqual(self.work(self.s.p.em).strip(), "")  # cell B's is a draft
        # The commune's officer may answer for cell A too: the card lists his own unit's.
        self.assertEqual(self.work(self.s.p.chi).strip(), "")
        district = "/kiem-diem/cap-tren/don-vi/DB-HUYEN/?nam=2026"
        self.assertIn(district, self.work(self.s.p.dung))
        answer(to_an, self.s.p.an, "Một", "Hai")
        self.assertEqual(self.work(self.s.p.an).strip(), "")
