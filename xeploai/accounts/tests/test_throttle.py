from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import time_machine
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from xeploai.accounts import throttle, twofactor
from xeploai.accounts.models import LoginThrottle
from xeploai.core.testing import PASSWORD, Personas, make_personas

LOGIN = "/tai-khoan/dang-nhap/"
VERIFY = "/tai-khoan/ma-xac-thuc/"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Tài khoản này đang tạm khóa vì bị đăng nhập sai quá nhiều lần."
WRONG_CODE = "Mã xác thực không đúng, hoặc đã được dùng."
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def wait(seconds: int) -> str:
    return f"Vui lòng chờ {seconds} giây rồi thử lại."


@override_settings(TASKS=IMMEDIATE_TASKS)
class ThrottleTestCase(TestCase):
    """Guessing slows down per (username, address) and stops at a per-username ceiling, yet
    the owner is never locked out for good and an address never locks out anyone else."""

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

    def later(self, seconds: float) -> None:
        self.clock.shift(dt.timedelta(seconds=seconds))

    def login(
        self, username: str, password: str = PASSWORD, address: str = "10.0.0.1", **data: str
    ) -> Any:
        return Client(REMOTE_ADDR=address).post(
            LOGIN, {"username": username, "password": password, **data}
        )

    def checked(self, username: str, password: str = PASSWORD, **kw: str) -> tuple[Any, int]:
        """The response, and how many times a password was checked for it."""
        with mock.patch("xeploai.accounts.forms.authenticate", wraps=authenticate) as check:
            r = self.login(username, password, **kw)
        return r, check.call_count

    def lock(self, username: str) -> None:
        """Pass the username's ceiling, one failure from each of many addresses."""
        for n in range(throttle.USERNAME_CEILING + 1):
            self.login(username, "sai-mat-khau", address=f"10.1.{n // 250}.{n % 250}")

    def test_it_makes_the_pair_wait_two_to_the_k_seconds_unchecked(self) -> None:
        self.assertContains(self.login("binh", "sai-mat-khau"), WRONG)
        r, checks = self.checked("binh")
        self.assertContains(r, wait(2))
        self.assertEqual(checks, 0)  # refused before the password is even looked at
        self.later(2)
        self.assertContains(self.login("binh", "sai-mat-khau"), WRONG)
        self.later(3)
        self.assertContains(self.login("binh"), wait(1))  # 4 s after the second failure
        self.later(1)
        self.assertEqual(self.login("binh").status_code, 302)

    def test_it_caps_the_delay_at_a_quarter_of_an_hour(self) -> None:
        for k in range(1, 13):
            self.assertContains(self.login("binh", "sai-mat-khau"), WRONG)
            self.later(throttle.pair_delay(k))
        self.login("binh", "sai-mat-khau")
        self.assertContains(self.login("binh"), "Vui lòng chờ 15 phút rồi thử lại.")
        self.assertEqual(throttle.pair_delay(12), 15 * 60)

    def test_it_does_not_slow_the_owner_at_another_address(self) -> None:
        self.login("binh", "sai-mat-khau")
        self.assertContains(self.login("binh"), wait(2))
        self.assertEqual(self.login("binh", address="10.0.0.2").status_code, 302)

    def test_it_never_lets_an_address_lock_out_another_user(self) -> None:
        for n in range(50):  # a guesser behind the commune's one address
            self.login(f"khong-co-{n}", "sai-mat-khau", address="10.0.0.9")
        self.lock("em")
        self.assertEqual(self.login("an", address="10.0.0.9").status_code, 302)

    def test_it_counts_usernames_case_insensitively(self) -> None:
        self.login("BINH", "sai-mat-khau")
        self.assertContains(self.login("binh"), wait(2))

    def test_it_forgets_the_failures_of_a_user_who_signs_in(self) -> None:
        for k in range(1, 4):
            self.login("binh", "sai-mat-khau")
            self.later(throttle.pair_delay(k))
        self.assertEqual(self.login("binh").status_code, 302)
        self.login("binh", "sai-mat-khau")
        self.assertContains(self.login("binh"), wait(2))  # counting from one again

    def test_it_locks_a_username_guessed_from_many_addresses(self) -> None:
        self.lock("binh")
        r, checks = self.checked("binh", address="10.0.0.2")
        self.assertContains(r, LOCKED)
        self.assertContains(r, 'name="code"')
        self.assertNotIn("_auth_user_id", r.wsgi_request.session)
        self.assertEqual(checks, 0)  # the right password alone is not even checked

    def test_it_mails_a_one_time_unlock_link_when_the_lock_begins(self) -> None:
        self.lock("BINH")  # the mail goes to "binh": usernames count case-insensitively
        for n in range(3):  # more failures, while locked: no second mail
            self.assertContains(self.login("binh", address=f"10.2.0.{n}"), LOCKED)
        (message,) = mail.outbox
        self.assertEqual(message.to, ["binh@example.com"])
        self.assertEqual(message.subject, "Tài khoản tạm khóa — Xếp loại chất lượng")
        match = re.search(r"http://testserver(/tai-khoan/mo-khoa/[^/\s]+/)", str(message.body))
        assert match is not None
        link = match[1]
        self.assertContains(Client().get(link), "Mở khóa")
        self.assertTrue(throttle.is_locked("binh"))  # a mere visit (a mail scanner) lifts nothing
        r = Client().post(link, follow=True)
        self.assertContains(r, "Đã mở khóa tài khoản. Mời đồng chí đăng nhập.")
        self.assertEqual(self.login("binh", address="10.0.0.2").status_code, 302)
        self.assertContains(
            Client().post(link), "Liên kết mở khóa không dùng được", status_code=400
        )

    def test_it_refuses_a_forged_unlock_link(self) -> None:
        self.lock("binh")
        r = Client().post("/tai-khoan/mo-khoa/khong-phai-ma/")
        self.assertContains(r, "Liên kết mở khóa không dùng được", status_code=400)
        self.assertTrue(throttle.is_locked("binh"))

    def test_it_lifts_the_lock_with_the_password_and_a_code(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        self.lock("chi")
        code = twofactor.current_code(device)
        r, checks = self.checked("chi", code="000000" if code != "000000" else "111111")
        self.assertContains(r, LOCKED)
        self.assertEqual(checks, 0)  # a wrong code: the password is not checked
        self.later(2)
        r = self.login("chi", "sai-mat-khau", code=code)
        self.assertContains(r, LOCKED)  # the right code with a wrong password
        self.later(4)
        self.later(30)  # the code above was taken: the next one
        r = self.login("chi", code=twofactor.current_code(device))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.wsgi_request.session["otp_device_id"], device.persistent_id)
        self.assertFalse(throttle.is_locked("chi"))

    def test_it_does_not_lift_the_lock_of_a_user_without_a_device(self) -> None:
        self.lock("binh")
        self.assertContains(self.login("binh", code="123456", address="10.0.0.2"), LOCKED)
        self.assertTrue(throttle.is_locked("binh"))

    def test_it_ends_a_lock_nobody_lifts_after_a_day(self) -> None:
        self.lock("binh")
        self.later(throttle.LOCK.total_seconds() - 1)
        self.assertContains(self.login("binh", address="10.0.0.2"), LOCKED)
        self.later(3)
        self.assertEqual(self.login("binh", address="10.0.0.3").status_code, 302)

    def test_it_throttles_the_code_step_like_the_password(self) -> None:
        device = twofactor.ensure_device(self.p.chi)
        client = Client(REMOTE_ADDR="10.0.0.1")
        r = client.post(LOGIN, {"username": "chi", "password": PASSWORD})
        self.assertRedirects(r, VERIFY, fetch_redirect_response=False)
        code = twofactor.current_code(device)
        wrong = "000000" if code != "000000" else "111111"
        self.assertContains(client.post(VERIFY, {"code": wrong}), WRONG_CODE)
        self.assertContains(client.post(VERIFY, {"code": code}), wait(2))
        self.later(2)
        self.assertEqual(client.post(VERIFY, {"code": code}).status_code, 302)

    def test_it_forgets_rows_left_alone_for_a_day(self) -> None:
        self.login("binh", "sai-mat-khau")
        self.assertEqual(LoginThrottle.objects.count(), 2)  # the pair and the username
        self.later(throttle.FAILURE_MEMORY.total_seconds() + 1)
        self.login("an", "sai-mat-khau")
        self.assertEqual(LoginThrottle.objects.count(), 2)  # an's two only
        self.assertEqual(self.login("binh").status_code, 302)
