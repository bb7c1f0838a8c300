from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import time_machine
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.test import Client, TransactionTestCase
from django.utils import timezone

from xeploai.accounts import throttle
from xeploai.core.testing import make_user

LOGIN = "/tai-khoan/dang-nhap/"
BURST = 40


class ThrottleConcurrencyTestCase(TransactionTestCase):
    """Simultaneous wrong logins, each in its own thread with its own database connection:
    the attempt is reserved before the password is checked, so a burst gets no more checks
    than the counts allow (a cache counter once let 8 through a limit of 5)."""

    def setUp(self) -> None:
        make_user("binh")

    def burst(self, addresses: list[str]) -> list[str]:
        """Fire one wrong login per address at once; the usernames whose password was
        checked, once per check."""
        checks: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(len(addresses))
        check_password = ModelBackend.authenticate

        def counted(backend: ModelBackend, request: Any, **credentials: Any) -> Any:
            with lock:
                checks.append(credentials.get("username", ""))
            return check_password(backend, request, **credentials)

        def attempt(address: str) -> None:
            try:
                start.wait()
                Client(REMOTE_ADDR=address).post(
                    LOGIN, {"username": "binh", "password": "sai-mat-khau"}
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=attempt, args=(a,)) for a in addresses]
        # The clock stands still: the burst is simultaneous however long the threads take,
        # and no delay runs out halfway.
        with (
            time_machine.travel(timezone.now(), tick=False),
            mock.patch.object(ModelBackend, "authenticate", counted),
        ):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return checks

    def test_it_checks_one_password_of_a_burst_from_one_address(self) -> None:
        self.assertEqual(self.burst(["10.0.0.1"] * BURST), ["binh"])

    def test_it_checks_no_more_passwords_than_the_ceiling_from_many_addresses(self) -> None:
        with mock.patch.object(throttle, "USERNAME_CEILING", 5):
            checks = self.burst([f"10.0.0.{n}" for n in range(1, BURST + 1)])
        self.assertEqual(len(checks), 5)  # the sixth failure would lock: not checked
        self.assertTrue(throttle.is_locked("binh"))
