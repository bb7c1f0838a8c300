"""The data directory, the SQLite database with its -wal and -shm, and the keys are for the
owner only, from the moment they are created whatever the umask, and made so when found
readable by others."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.test import TestCase

from xeploai.core.private import write_once
from xeploai.settings import secret_key, sqlite_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


class PrivateFilesTestCase(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_it_creates_the_database_private_with_its_wal_and_shm(self) -> None:
        path = self.tmp / "data" / "xeploai.sqlite3"
        with umask(0):  # files would be created readable and writable by everyone
            sqlite_database(path)
            database = sqlite3.connect(path)
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("CREATE TABLE t (x)")
        self.addCleanup(database.close)
        self.assertEqual(mode(path.parent), 0o700)
        for name in ("xeploai.sqlite3", "xeploai.sqlite3-wal", "xeploai.sqlite3-shm"):
            self.assertEqual(mode(path.with_name(name)), 0o600, name)

    def test_it_makes_a_readable_database_private(self) -> None:
        path = self.tmp / "xeploai.sqlite3"
        path.touch()
        path.chmod(0o644)
        self.tmp.chmod(0o755)  # a folder of the administrator's: left as it is
        sqlite_database(path)
        self.assertEqual((mode(path), mode(self.tmp)), (0o600, 0o755))

    @skipUnless(connection.vendor == "sqlite", "SQLite's files")
    def test_the_database_in_use_is_private(self) -> None:
        """The test database, which Django creates anew, made private as it was opened."""
        connection.ensure_connection()
        path = Path(connection.settings_dict["NAME"])
        for name in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            if name.exists():
                self.assertEqual(mode(name), 0o600, name)
        self.assertEqual(mode(settings.DATA_DIR), 0o700)

    def test_it_keeps_keys_private(self) -> None:
        with umask(0):
            key = secret_key("XEPLOAI_TEST_KEY", self.tmp)
        path = self.tmp / "xeploai_test_key"
        self.assertEqual((mode(path), path.read_text()), (0o600, key))
        self.assertEqual(secret_key("XEPLOAI_TEST_KEY", self.tmp), key)  # read, not made anew
        path.chmod(0o644)
        secret_key("XEPLOAI_TEST_KEY", self.tmp)
        self.assertEqual(mode(path), 0o600)

    def test_a_key_written_once_is_never_replaced(self) -> None:
        """Two processes starting at once: the second reads the first's key, whole."""
        path = self.tmp / "secret_key"
        self.assertEqual(write_once(path, "first"), "first")
        self.assertEqual(write_once(path, "second"), "first")
        self.assertEqual(sorted(p.name for p in self.tmp.iterdir()), ["secret_key"])
