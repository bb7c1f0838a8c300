"""An import checks its file without holding the database's write lock: on SQLite a
transaction takes the one write lock at its start, and an import that kept it while reading
a large file made every login, saved form and download fail. Rows are written only once all
are valid, in a transaction that checks them once more; a kind that writes while it checks
is imported in one transaction, as it always was."""

from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.db import connection
from django.test import TransactionTestCase

from xeploai.core.testing import make_cycle, make_member, make_unit
from xeploai.cycles.models import Cycle
from xeploai.imports import base
from xeploai.imports.base import Item, Run, run_import
from xeploai.imports.kinds import MEMBERS, UNITS
from xeploai.imports.report import Report
from xeploai.members.models import Member
from xeploai.units.models import Unit, UnitKind

HEADER = "Mã đảng viên,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Mã chi bộ,Ngày vào Đảng"
UNIT_HEADER = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Ngày thành lập"


class ImportLockTestCase(TransactionTestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        district = make_unit(None, kind=UnitKind.DISTRICT, code="H1")
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1")
        make_unit(commune, code="CB1")
        self.path = self.tmp / "members.csv"
        lines = [
            f"DV{n:04d},Nguyễn Văn {n},01/02/1980,Nam,{n:012d},CB1,19/05/2010"
            for n in range(1, 251)
        ]
        self.path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")

    def others_can_write(self) -> bool:
        """Whether another connection could take the write lock right now, without waiting."""
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:  # "database is locked"
            return False
        finally:
            other.close()
        return True

    @unittest.skipUnless(connection.vendor == "sqlite", "SQLite's one write lock")
    def test_others_write_while_the_file_is_checked(self) -> None:
        probes: list[bool] = []

        def probe(done: int, total: int) -> None:
            probes.append(self.others_can_write())

        for dry_run in (True, False):
            with mock.patch.object(base, "CHUNK", 100):  # three chunks: a probe after each
                report = run_import(MEMBERS, self.path, dry_run=dry_run, progress=probe)
            self.assertEqual((report.errors, report.created), ([], 250))
            self.assertEqual(probes, [True, True, True])
            self.assertEqual(Member.objects.count(), 0 if dry_run else 250)
            probes.clear()

    def test_rows_others_changed_meanwhile_are_refused_at_the_write(self) -> None:
        def meanwhile(done: int, total: int) -> None:
            if done == total:  # the whole file checked, nothing written yet
                cell = Unit.objects.get(code="CB1")
                make_member(cell, code="DV-KHAC", citizen_id=f"{239:012d}")

        with mock.patch.object(base, "CHUNK", 100):  # the clash in the last chunk written
            report = run_import(MEMBERS, self.path, progress=meanwhile)
        self.assertEqual(
            [str(e) for e in report.errors],
            ["Dòng 240, cột “Số CCCD”: Số CCCD đã thuộc đảng viên mã DV-KHAC."],
        )
        self.assertEqual(list(Member.objects.values_list("code", flat=True)), ["DV-KHAC"])

    def test_a_kind_that_writes_while_it_checks_is_imported_in_one_transaction(self) -> None:
        def write(items: list[Item], report: Report, run: Run) -> None:
            if not Cycle.objects.of_year(2020):
                make_cycle(2020, closed=True)
            UNITS.write(items, report, run)

        kind = dataclasses.replace(UNITS, write=write)
        path = self.tmp / "units.csv"
        good = "X9;Đảng bộ xã Mới;Đảng bộ cơ sở;H1;01/05/1975"
        bad = "X8;Đảng bộ xã Lạ;Đảng bộ xa lạ;H1;01/05/1975"
        for lines, dry_run, errors, written in (
            ([good], True, 0, False),
            ([good, bad], False, 1, False),
            ([good], False, 0, True),
        ):
            path.write_text("\n".join([UNIT_HEADER, *lines]), encoding="utf-8")
            report = run_import(kind, path, dry_run=dry_run)
            self.assertEqual(report.error_count, errors)
            self.assertEqual(report.created, 1 - errors)
            self.assertEqual(Unit.objects.filter(code="X9").exists(), written)
            self.assertEqual(Cycle.objects.exists(), written)
