from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import TestCase, mock, skipUnless

from django.db import connection
from django.test import TestCase as DatabaseTestCase

from xeploai.settings import SettingError, database_from_url, envbool, envlist


class SettingsTestCase(TestCase):
    def test_it_reads_booleans_and_fails_loudly(self) -> None:
        with mock.patch.dict("os.environ", {"X": "true", "Y": "0", "Z": "maybe"}):
            self.assertTrue(envbool("X", False))
            self.assertFalse(envbool("Y", True))
            self.assertTrue(envbool("MISSING", True))
            with self.assertRaises(SettingError):
                envbool("Z", False)

    def test_it_reads_lists(self) -> None:
        with mock.patch.dict("os.environ", {"HOSTS": "a.vn, b.vn,,"}):
            self.assertEqual(envlist("HOSTS", []), ["a.vn", "b.vn"])
            self.assertEqual(envlist("NONE", ["x"]), ["x"])

    def test_it_parses_database_urls(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            pg = database_from_url("postgres://u:p%40ss@db.example:5433/xeploai", data)
            self.assertEqual(
                (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]),
                ("django.db.backends.postgresql", "xeploai", "u", "p@ss", "db.example", "5433"),
            )
            self.assertEqual(pg["OPTIONS"], {"pool": True, "options": "-c jit=off"})
            lite = database_from_url(f"sqlite:///{data}/sub/x.sqlite3", data)
            self.assertEqual(lite["NAME"], data / "sub" / "x.sqlite3")
            self.assertTrue((data / "sub").is_dir())
            self.assertIn("case_sensitive_like=ON", str(lite["OPTIONS"]))
            with self.assertRaises(SettingError):
                database_from_url("mysql://root@localhost/x", data)


class ConnectionTests(DatabaseTestCase):
    @skipUnless(connection.vendor == "postgresql", "PostgreSQL's own setting")
    def test_postgresql_compiles_no_query(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            self.assertEqual(cursor.fetchone()[0], "off")
