from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, TestCase
from django.utils import timezone

from xeploai.accounts.forms import (
    LOCKOUT_SECONDS,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USERNAME,
)
from xeploai.core.testing import PASSWORD, Personas, make_personas

THROTTLED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


# Every attempt hashes a password; the fast test hasher keeps dozens of attempts quick.
class LoginTestCase(TestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()

    @pytest.fixture(autouse=True)
    def _empty_cache(self) -> Iterator[None]:
        cache.clear()
        yield
        cache.clear()

    def login(self, username: str, password: str = PASSWORD, address: str = "10.0.0.1") -> object:
        return Client(REMOTE_ADDR=address).post(
            "/tai-khoan/dang-nhap/", {"username": username, "password": password}
        )

    def fail_login(self, username: str, times: int, address: str = "10.0.0.1") -> None:
        for _ in range(times):
            r = self.login(username, "sai-mat-khau", address)
            self.assertContains(r, WRONG)  # type: ignore[arg-type]

    def test_it_signs_in_with_the_right_password(self) -> None:
        r = self.login("binh")
        self.assertEqual(r.status_code, 302)  # type: ignore[attr-defined]
        self.assertEqual(r["Location"], "/")  # type: ignore[index]

    def test_it_refuses_the_right_password_after_five_failures(self) -> None:
        # Usernames are counted case-insensitively: "BINH" and "binh" share one counter.
        self.fail_login("BINH", 1)
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME - 1)
        with mock.patch("django.contrib.auth.forms.authenticate") as authenticate:
            r = self.login("binh")
        self.assertContains(r, THROTTLED)  # type: ignore[arg-type]
        self.assertNotIn("_auth_user_id", r.wsgi_request.session)  # type: ignore[attr-defined]
        authenticate.assert_not_called()  # refused without even checking the password

    def test_it_lets_four_failures_pass(self) -> None:
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME - 1)
        self.assertEqual(self.login("binh").status_code, 302)  # type: ignore[attr-defined]

    def test_it_does_not_refuse_another_username(self) -> None:
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME)
        self.assertContains(self.login("binh"), THROTTLED)  # type: ignore[arg-type]
        self.assertEqual(self.login("an").status_code, 302)  # type: ignore[attr-defined]

    def test_it_refuses_an_address_after_twenty_failures(self) -> None:
        for n in range(MAX_FAILURES_PER_ADDRESS):
            self.fail_login(f"khong-co-{n}", 1, address="10.0.0.9")
        self.assertContains(self.login("an", address="10.0.0.9"), THROTTLED)  # type: ignore[arg-type]
        self.assertEqual(self.login("an", address="10.0.0.10").status_code, 302)  # type: ignore[attr-defined]

    def test_it_lifts_the_refusal_after_fifteen_minutes(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            self.fail_login("binh", MAX_FAILURES_PER_USERNAME)
            traveller.shift(dt.timedelta(seconds=LOCKOUT_SECONDS - 1))
            self.assertContains(self.login("binh"), THROTTLED)  # type: ignore[arg-type]
            traveller.shift(dt.timedelta(seconds=2))
            self.assertEqual(self.login("binh").status_code, 302)  # type: ignore[attr-defined]

    def test_it_forgets_failures_after_a_correct_login(self) -> None:
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME - 1)
        self.assertEqual(self.login("binh").status_code, 302)  # type: ignore[attr-defined]
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME - 1)
        self.assertEqual(self.login("binh").status_code, 302)  # type: ignore[attr-defined]

    def test_it_does_not_forget_failures_on_a_form_without_password(self) -> None:
        self.fail_login("binh", MAX_FAILURES_PER_USERNAME - 1)
        Client(REMOTE_ADDR="10.0.0.1").post("/tai-khoan/dang-nhap/", {"username": "binh"})
        self.fail_login("binh", 1)
        self.assertContains(self.login("binh"), THROTTLED)  # type: ignore[arg-type]
