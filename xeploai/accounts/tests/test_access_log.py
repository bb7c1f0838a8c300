from __future__ import annotations

from django.db.models import ProtectedError
from django.test import TestCase

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, AccessLog, User
from xeploai.core.testing import Personas, make_personas


class AccessLogTestCase(TestCase):
    p: Personas
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.admin = User.objects.create_superuser("quantri", password="mat-khau-quan-tri-2026")

    def get(self, user: User, code: str = "DV-AN") -> object:
        return self.p.client(user).get(f"/dang-vien/{code}/")

    def test_it_logs_a_read_of_another_members_record(self) -> None:
        self.assertEqual(self.get(self.p.binh).status_code, 200)  # type: ignore[attr-defined]
        log = AccessLog.objects.get()
        self.assertEqual(log.user, self.p.binh)
        self.assertEqual(log.member, self.p.an_member)
        self.assertEqual(log.action, AccessAction.VIEW)
        self.assertEqual(log.path, "/dang-vien/DV-AN/")

    def test_it_logs_readers_without_a_member_record(self) -> None:
        self.get(self.p.dung)
        self.assertEqual(list(AccessLog.objects.values_list("user__username", flat=True)), ["dung"])

    def test_it_does_not_log_a_member_reading_their_own_record(self) -> None:
        self.assertEqual(self.get(self.p.an).status_code, 200)  # type: ignore[attr-defined]
        self.assertFalse(AccessLog.objects.exists())

    def test_it_does_not_log_a_refused_read(self) -> None:
        self.assertEqual(self.get(self.p.em).status_code, 404)  # type: ignore[attr-defined]
        self.assertFalse(AccessLog.objects.exists())

    def test_it_keeps_the_member_of_a_log_from_being_deleted(self) -> None:
        log_access(self.p.binh, member=self.p.an_member, action=AccessAction.EXPORT)
        with self.assertRaises(ProtectedError):
            self.p.an_member.delete()

    def test_it_lists_the_log_read_only_for_the_superuser(self) -> None:
        self.get(self.p.binh)
        r = self.p.client(self.admin).get("/quan-tri/accounts/accesslog/")
        self.assertContains(r, "Trần Thị An")
        self.assertFalse(r.context["has_add_permission"])
        self.assertNotContains(r, "/quan-tri/accounts/accesslog/add/")
        self.assertIsNone(r.context["action_form"])  # no bulk delete
        self.assertEqual(
            self.p.client(self.admin).get("/quan-tri/accounts/accesslog/add/").status_code, 403
        )

    def test_it_searches_by_username_and_member(self) -> None:
        self.get(self.p.binh)
        self.get(self.p.dung, "DV-BINH")
        client = self.p.client(self.admin)
        for term, usernames in [
            ("binh", {"binh", "dung"}),  # Bình's username, and Bình's record read by Dũng
            ("dung", {"dung"}),
            ("DV-AN", {"binh"}),
            ("Trần Thị An", {"binh"}),
            ("tran thi an", {"binh"}),
        ]:
            r = client.get("/quan-tri/accounts/accesslog/", {"q": term})
            found = {log.user.username for log in r.context["cl"].result_list}
            self.assertEqual(found, usernames, term)

    def test_it_refuses_to_save_or_delete_a_log(self) -> None:
        log = log_access(self.p.binh, member=self.p.an_member, action=AccessAction.VIEW)
        client = self.p.client(self.admin)
        url = f"/quan-tri/accounts/accesslog/{log.pk}/change/"
        r = client.get(url)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(r.context["has_change_permission"])
        self.assertNotContains(r, 'name="_save"')
        r = client.post(url, {"action": AccessAction.EXPORT, "path": "/", "detail": "sửa"})
        self.assertEqual(r.status_code, 403)
        delete = client.post(f"/quan-tri/accounts/accesslog/{log.pk}/delete/", {"post": "yes"})
        self.assertEqual(delete.status_code, 403)
        log.refresh_from_db()
        self.assertEqual((log.action, log.detail), (AccessAction.VIEW, ""))
