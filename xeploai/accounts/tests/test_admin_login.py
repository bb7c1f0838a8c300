from __future__ import annotations

from typing import Any
from unittest import mock

from django.contrib.auth.backends import ModelBackend
from django.test import Client, TestCase, modify_settings

from xeploai.accounts import twofactor
from xeploai.accounts.models import User
from xeploai.core.testing import PASSWORD, Personas, make_personas

ADMIN_LOGIN = "/quan-tri/login/"
LOGIN = "/tai-khoan/dang-nhap/"
VERIFY = "/tai-khoan/ma-xac-thuc/"


@modify_settings(MIDDLEWARE={"append": "xeploai.accounts.middleware.SecondFactorMiddleware"})
class AdminLoginTestCase(TestCase):
    """The admin has no login of its own: its sign-in is the accounts' page, with the same
    throttle and the same second factor (30 wrong passwords for the superuser were once
    checked there, and the right one then accepted)."""

    p: Personas
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.admin = User.objects.create_superuser("quantri", password=PASSWORD)

    def test_it_sends_the_admins_login_to_the_accounts_page(self) -> None:
        self.assertRedirects(
            Client().get(ADMIN_LOGIN), f"{LOGIN}?next=/quan-tri/", fetch_redirect_response=False
        )
        r = Client().get(ADMIN_LOGIN, {"next": "/quan-tri/accounts/user/"})
        self.assertRedirects(
            r, f"{LOGIN}?next=/quan-tri/accounts/user/", fetch_redirect_response=False
        )
        r = Client().get("/quan-tri/accounts/user/", follow=True)
        self.assertEqual(r.redirect_chain[-1][0], f"{LOGIN}?next=/quan-tri/accounts/user/")
        self.assertContains(r, "Đăng nhập")

    def test_it_checks_no_password_posted_to_the_admins_login(self) -> None:
        client = Client()
        with mock.patch.object(ModelBackend, "authenticate") as check:
            for password in ["sai-mat-khau"] * 30 + [PASSWORD]:
                r = client.post(ADMIN_LOGIN, {"username": "quantri", "password": password})
                self.assertEqual(r.status_code, 302)
        check.assert_not_called()
        self.assertNotIn("_auth_user_id", client.session)
        self.assertEqual(client.get("/quan-tri/").status_code, 302)

    def test_it_throttles_the_administrators_sign_in(self) -> None:
        data = {"username": "quantri", "next": "/quan-tri/"}
        Client().post(LOGIN, {**data, "password": "sai-mat-khau"})
        r = Client().post(LOGIN, {**data, "password": PASSWORD})
        self.assertContains(r, "Vui lòng chờ 2 giây rồi thử lại.")

    def test_it_lets_the_administrator_in_after_the_password_and_the_code(self) -> None:
        device = twofactor.ensure_device(self.admin)
        client = Client()
        r = client.post(LOGIN, {"username": "quantri", "password": PASSWORD, "next": "/quan-tri/"})
        self.assertRedirects(r, VERIFY, fetch_redirect_response=False)
        self.assertEqual(client.get("/quan-tri/").status_code, 302)  # not before the code
        r = client.post(VERIFY, {"code": twofactor.current_code(device)})
        self.assertRedirects(r, "/quan-tri/", fetch_redirect_response=False)
        self.assertEqual(client.get("/quan-tri/").status_code, 200)
        self.assertRedirects(client.get(ADMIN_LOGIN), "/quan-tri/", fetch_redirect_response=False)

    def test_it_refuses_the_admin_to_others_without_a_redirect_loop(self) -> None:
        for user in (self.p.binh, self.p.chi):
            r: Any = self.p.client(user).get("/quan-tri/", follow=True)
            self.assertEqual(r.status_code, 403)
            self.assertEqual(len(r.redirect_chain), 1)
            self.assertContains(r, "Bạn không có quyền", status_code=403)
