from __future__ import annotations

from typing import Any

from django.test import TestCase

from xeploai.core.testing import Personas, make_personas
from xeploai.members.models import Member


class MemberSearchTestCase(TestCase):
    """The member search of a unit's page, whatever the query text holds."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def search(self, code: str, query: str) -> Any:
        return self.p.client(self.p.chi).get(f"/don-vi/{code}/", {"q": query})

    def test_it_reads_control_characters_as_spaces(self) -> None:
        # A NUL byte reaches PostgreSQL as an error (500) unless it is taken out first.
        r = self.search("CB-A", "\x00")
        self.assertContains(r, "Trần Thị An")
        self.assertContains(r, "Lê Văn Bình")
        r = self.search("CB-A", "\x00trần\tthị\x00")
        self.assertContains(r, "Trần Thị An")
        self.assertNotContains(r, "Lê Văn Bình")

    def test_it_lists_nobody_above_a_cell_for_a_query_of_control_characters(self) -> None:
        r = self.search("DB-XA", "\x00\x1f")
        self.assertIsNone(r.context["page"])
        self.assertEqual(r.context["query"], "")
        self.assertNotContains(r, "Trần Thị An")

    def test_it_searches_the_queryset_without_control_characters(self) -> None:
        found = Member.objects.search("\x00DV-AN\x00")
        self.assertEqual([m.full_name for m in found], ["Trần Thị An"])
