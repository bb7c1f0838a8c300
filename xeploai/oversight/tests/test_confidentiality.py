"""S2: a suggestion is confidential to those who oversee its issuing unit until it is sent;
then its subject reads it, and so do those who decide or appraise the subject's level; nobody
else ever does, whatever the door: the list of what one may read, the review pages' partial,
the pages of this app."""

from __future__ import annotations

from django.test import TestCase

from xeploai.accounts.models import AccessAction, AccessLog, RoleKind, User
from xeploai.core.testing import make_unit, make_user
from xeploai.oversight import actions
from xeploai.oversight.models import Suggestion
from xeploai.oversight.rules import load_points
from xeploai.units.models import UnitKind

from .scene import POINTS, Scene, answer, make_scene, suggest


class ConfidentialityTestCase(TestCase):
    s: Scene
    other_district: User  # the standing committee of another district

    @classmethod
    def setUpTestData(cls) -> None:
        cls.s = make_scene()
        district = make_unit(None, kind=UnitKind.DISTRICT, code="DB-KHAC")
        cls.other_district = make_user("khac", roles=((RoleKind.STANDING_COMMITTEE, district),))

    def readers(self, suggestion: Suggestion) -> set[str]:
        """Who may read `suggestion`, among everyone, by the one rule every door applies."""
        users = {n: u for n, u in self.s.users().items() if u is not None}
        users["khac"] = self.other_district
        return {
            name
            for name, user in users.items()
            if Suggestion.objects.visible_to(User.objects.get(pk=user.pk))
            .filter(pk=suggestion.pk)
            .exists()
        }

    def partial_readers(self, suggestion: Suggestion) -> set[str]:
        """Who reads it on the review's pages, in the partial shown beside the form."""
        subject = suggestion.subject
        return {
            name
            for name, user in self.s.users().items()
            if user is not None and load_points(subject, User.objects.get(pk=user.pk))["oversight"]
        }

    def test_it_keeps_a_draft_to_those_who_oversee_the_issuing_unit(self) -> None:
        for subject in (self.s.an, self.s.cell_a, self.s.commune):
            draft = suggest(self.s, subject)
            with self.subTest(subject.who()):
                self.assertEqual(self.readers(draft), {"dung", "thuong"})
                self.assertEqual(self.partial_readers(draft), set())  # drafts stay here

    def test_it_shows_a_sent_suggestion_to_the_member_and_who_decides_only(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        # Bình, her cell's secretary, is a peer; Em runs the sibling cell.
        expected = {"an", "chi", "dung", "thuong"}
        self.assertEqual(self.readers(sent), expected)
        self.assertEqual(self.partial_readers(sent), expected)

    def test_it_shows_a_sent_suggestion_to_a_collective_and_who_decides_only(self) -> None:
        sent = suggest(self.s, self.s.cell_a, send=True)
        # An is a member of the cell: its report is its committee's, not hers.
        expected = {"binh", "chi", "dung", "thuong"}
        self.assertEqual(self.readers(sent), expected)
        self.assertEqual(self.partial_readers(sent), expected)
        commune = suggest(self.s, self.s.commune, send=True)
        self.assertEqual(self.readers(commune), {"chi", "dung", "thuong"})

    def test_it_keeps_the_pages_to_the_same_readers(self) -> None:
        draft = suggest(self.s, self.s.an)
        paths = (
            f"/kiem-diem/cap-tren/goi-y/{draft.pk}/",
            f"/kiem-diem/cap-tren/goi-y/{draft.pk}/giai-trinh/",
        )
        an = self.s.p.client(self.s.p.an)
        for path in paths:
            self.assertEqual(an.get(path).status_code, 404, path)
        self.assertNotContains(an.get("/kiem-diem/cap-tren/goi-y/"), POINTS[0])
        actions.release_suggestion(draft, by=self.s.p.dung)
        self.assertContains(an.get(paths[1]), POINTS[0])
        self.assertContains(an.get("/kiem-diem/cap-tren/goi-y/"), "Đảng bộ huyện Yên Thành")
        for user in (self.s.p.binh, self.s.p.em, self.s.p.nobody, self.other_district):
            page = self.s.p.client(user).get(paths[1])
            self.assertEqual(page.status_code, 404, user.username)

    def test_it_logs_each_read_of_a_members_suggestion_by_someone_else(self) -> None:
        sent = suggest(self.s, self.s.an, send=True)
        answer(sent, self.s.p.an, "Đã khắc phục.")
        self.s.p.client(self.s.p.an).get(f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/")
        self.assertFalse(AccessLog.objects.exists())  # her own record
        self.s.p.client(self.s.p.chi).get(f"/kiem-diem/cap-tren/goi-y/{sent.pk}/giai-trinh/")
        self.s.p.client(self.s.p.dung).get(f"/kiem-diem/cap-tren/goi-y/{sent.pk}/")
        logs = AccessLog.objects.order_by("pk")
        self.assertEqual(
            [(log.user.username, log.member.code if log.member else None) for log in logs],
            [("chi", "DV-AN"), ("dung", "DV-AN")],
        )
        self.assertTrue(all(log.action == AccessAction.VIEW for log in logs))
