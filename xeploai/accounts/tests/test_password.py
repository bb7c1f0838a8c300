from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.core import mail
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xeploai.accounts import throttle
from xeploai.accounts.models import User
from xeploai.core.testing import PASSWORD, Personas, make_personas

CHANGE = "/tai-khoan/doi-mat-khau/"
RESET = "/tai-khoan/quen-mat-khau/"
SENT = "/tai-khoan/quen-mat-khau/da-gui/"
NEW_PASSWORD = "mot-mat-khau-moi-kho-doan"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class PasswordChangeTestCase(TestCase):
    """A signed-in user changes their password from their account page."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    def test_it_sends_anonymous_users_to_login(self) -> None:
        for url in (CHANGE, "/tai-khoan/"):
            r = Client().get(url)
            self.assertRedirects(r, f"/tai-khoan/dang-nhap/?next={url}")

    def test_it_links_the_change_from_the_account_page(self) -> None:
        for user in (self.p.an, self.p.nobody, self.p.chi):
            r = self.p.client(user).get("/tai-khoan/")
            self.assertContains(r, f'href="{CHANGE}"')

    def test_it_changes_the_password_and_keeps_the_session(self) -> None:
        client = self.p.client(self.p.binh)
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD}
        r = client.post(CHANGE, {**data, "new_password2": NEW_PASSWORD}, follow=True)
        self.assertContains(r, "Đã đổi mật khẩu.")
        self.assertEqual(client.get("/").status_code, 200)  # still signed in
        self.p.binh.refresh_from_db()
        self.assertTrue(self.p.binh.check_password(NEW_PASSWORD))

    def test_it_refuses_a_wrong_old_password_or_a_weak_new_one_in_vietnamese(self) -> None:
        client = self.p.client(self.p.binh)
        r = client.post(
            CHANGE,
            {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertContains(r, "Mật khẩu cũ không chính xác.")
        r = client.post(
            CHANGE, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
        )
        self.assertContains(r, "Mật khẩu này quá ngắn")
        self.p.binh.refresh_from_db()
        self.assertTrue(self.p.binh.check_password(PASSWORD))


@override_settings(TASKS=IMMEDIATE_TASKS)
class PasswordResetTestCase(TestCase):
    """A forgotten password, reset through a mailed one-time link: the page tells nobody
    whether an account has the address, and a mailbox is not flooded."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.p.binh.email = "binh@example.com"
        cls.p.binh.save()

    def setUp(self) -> None:
        self.traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def ask(self, email: str) -> Any:
        return Client().post(RESET, {"email": email})

    def link(self) -> str:
        (message,) = mail.outbox
        match = re.search(r"http://testserver(/tai-khoan/dat-lai-mat-khau/\S+/)", str(message.body))
        assert match is not None
        return match[1]

    def test_it_is_reached_from_the_login_page(self) -> None:
        self.assertContains(Client().get("/tai-khoan/dang-nhap/"), f'href="{RESET}"')
        r = Client().get(RESET)
        self.assertContains(r, "Nhập địa chỉ thư điện tử của tài khoản")
        self.assertContains(r, 'name="email"')

    def test_it_answers_the_same_whether_or_not_the_account_exists(self) -> None:
        known, unknown = self.ask("BINH@example.com"), self.ask("khong-co@example.com")
        self.assertRedirects(known, SENT, fetch_redirect_response=False)
        self.assertRedirects(unknown, SENT, fetch_redirect_response=False)
        self.assertContains(Client().get(SENT), "Nếu địa chỉ này thuộc một tài khoản")
        (message,) = mail.outbox
        self.assertEqual(message.to, ["binh@example.com"])
        self.assertEqual(message.subject, "Đặt lại mật khẩu — Xếp loại chất lượng")
        self.assertIn("Tên đăng nhập: binh", message.body)

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
    def test_it_leaves_the_mail_to_the_background_worker(self) -> None:
        """So the page takes as long whether or not an account will get a mail."""
        self.ask("binh@example.com")
        self.ask("khong-co@example.com")
        self.assertEqual(mail.outbox, [])
        queued = DBTaskResult.objects.ready().order_by("enqueued_at")
        self.assertEqual(
            [t.args_kwargs["args"][0] for t in queued], ["binh@example.com", "khong-co@example.com"]
        )

    def test_it_sets_a_new_password_through_the_link_once(self) -> None:
        self.ask("binh@example.com")
        client = Client()
        form = client.get(self.link(), follow=True)
        self.assertContains(form, "Đặt mật khẩu mới")
        data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        r = client.post(form.redirect_chain[-1][0], data, follow=True)
        self.assertContains(r, "Đã đặt mật khẩu mới.")
        self.assertTrue(User.objects.get(username="binh").check_password(NEW_PASSWORD))
        again = Client().get(self.link(), follow=True)
        self.assertContains(again, "Liên kết đặt lại mật khẩu không dùng được")

    def test_it_lifts_a_lock_on_the_username(self) -> None:
        for n in range(throttle.USERNAME_CEILING + 1):
            Client(REMOTE_ADDR=f"10.1.0.{n}").post(
                "/tai-khoan/dang-nhap/", {"username": "binh", "password": "sai"}
            )
        self.assertTrue(throttle.is_locked("binh"))
        mail.outbox.clear()  # the unlock link
        self.ask("binh@example.com")
        client = Client()
        form = client.get(self.link(), follow=True)
        data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        client.post(form.redirect_chain[-1][0], data)
        self.assertFalse(throttle.is_locked("binh"))

    def test_it_throttles_each_mailbox_against_flooding(self) -> None:
        self.ask("binh@example.com")
        r = self.ask("Binh@Example.com")
        self.assertContains(r, "Vui lòng chờ 1 phút rồi thử lại.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertRedirects(self.ask("an@example.com"), SENT, fetch_redirect_response=False)
        self.clock.shift(dt.timedelta(seconds=60))
        self.assertRedirects(self.ask("binh@example.com"), SENT, fetch_redirect_response=False)
        self.assertContains(self.ask("binh@example.com"), "Vui lòng chờ 2 phút rồi thử lại.")
        self.assertEqual(len(mail.outbox), 2)

    def test_it_throttles_an_unknown_address_alike(self) -> None:
        self.ask("khong-co@example.com")
        self.assertContains(self.ask("khong-co@example.com"), "Vui lòng chờ 1 phút rồi thử lại.")
