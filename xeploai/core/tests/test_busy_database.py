"""A page that meets a database held by another writer (an import, say) past the timeout
answers 503 "busy, try again" with Retry-After, not a server error."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from unittest import skipUnless

import psycopg
from django.db import OperationalError, connection
from django.test import RequestFactory, TransactionTestCase
from psycopg_pool import PoolTimeout

from xeploai.core import views
from xeploai.core.db import is_busy
from xeploai.core.testing import make_personas

BUSY = "Hệ thống đang bận, vui lòng thử lại sau"


@contextlib.contextmanager
def sqlite_write_lock(wait_ms: int) -> Iterator[None]:
    """Another connection holds the write lock; ours waits `wait_ms` for it, then gives up."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()  # the next connection waits as the settings say


@contextlib.contextmanager
def postgres_write_lock(table: str, wait_ms: int) -> Iterator[None]:
    """Another connection holds `table` against writes; ours waits `wait_ms` for it."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    other.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # in a transaction, held until rollback
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {wait_ms}")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


class BusyDatabaseTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.p = make_personas()
        # Bình reading An's record writes the access log: the write that waits.
        self.client = self.p.client(self.p.binh)
        self.url = f"/dang-vien/{self.p.an_member.code}/"

    def assert_busy(self) -> None:
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get(self.url)
        self.assertContains(response, BUSY, status_code=503)
        self.assertEqual(response["Retry-After"], str(views.RETRY_AFTER))
        self.assertIn("no-store", response["Cache-Control"])

    @skipUnless(connection.vendor == "sqlite", "SQLite's write lock")
    def test_it_says_busy_when_sqlite_is_locked(self) -> None:
        with sqlite_write_lock(wait_ms=50):
            self.assert_busy()
        self.assertContains(self.client.get(self.url), self.p.an_member.full_name)

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL's lock timeout")
    def test_it_says_busy_when_postgresql_times_out_on_a_lock(self) -> None:
        with postgres_write_lock("accounts_accesslog", wait_ms=100):
            self.assert_busy()
        self.assertContains(self.client.get(self.url), self.p.an_member.full_name)

    def test_it_tells_busy_from_broken(self) -> None:
        def wrapped(cause: Exception) -> OperationalError:
            error = OperationalError(str(cause))
            error.__cause__ = cause
            return error

        lock_timeout = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
        for busy in (
            OperationalError("database is locked"),
            OperationalError("database table is locked: accounts_accesslog"),
            wrapped(lock_timeout),
            wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
            wrapped(PoolTimeout("couldn't get a connection after 30.00 sec")),
        ):
            self.assertTrue(is_busy(busy), busy)
        for broken in (
            OperationalError("no such table: accounts_accesslog"),
            wrapped(psycopg.errors.UndefinedTable('relation "x" does not exist')),
            RuntimeError("database is locked"),
        ):
            self.assertFalse(is_busy(broken), broken)

    def test_the_server_error_handler_says_busy_too(self) -> None:
        """Where a busy database failed outside a view (a session saved on the way out), the
        server error handler answers instead of the middleware."""
        request = RequestFactory().get("/")
        try:
            raise OperationalError("database is locked")
        except OperationalError:
            response = views.server_error(request)
        self.assertContains(response, BUSY, status_code=503)
        try:
            raise OperationalError("disk I/O error")
        except OperationalError:
            response = views.server_error(request)
        self.assertContains(response, "Hệ thống gặp lỗi", status_code=500)
