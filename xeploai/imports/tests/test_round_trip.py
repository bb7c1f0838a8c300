"""The demo district written as import files and imported into an empty database is the same
district: exporting it again gives the same files."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import TransactionTestCase
from python_calamine import CalamineWorkbook

from xeploai.demo import load
from xeploai.imports import files
from xeploai.imports.base import run_import
from xeploai.imports.kinds import KINDS
from xeploai.members import titles
from xeploai.units.models import Unit


def sheet(path: Path) -> list[list[Any]]:
    return [
        list(r) for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    ]


class RoundTripTestCase(TransactionTestCase):
    def test_the_demo_district_survives_export_and_import(self) -> None:
        tmp = Path(tempfile.mkdtemp())
        call_command(
            "demo", "--no-serve", "--write-files", str(tmp / "before"), stdout=io.StringIO()
        )
        root = Unit.objects.get(code=load.ROOT_CODES["district"])
        before = sorted((tmp / "before").iterdir())
        counts = {kind: len(sheet(p)) - 1 for p, kind in zip(before, KINDS, strict=True)}
        self.assertGreater(counts["results"], 20_000)
        self.assertTrue(all(counts.values()), counts)
        call_command("flush", interactive=False, verbosity=0)
        titles.ensure()  # the list of titles a new database is seeded with, which flush empties
        for path, kind in zip(before, KINDS.values(), strict=True):
            report = run_import(kind, path)
            self.assertEqual((report.errors, report.created), ([], counts[kind.name]), kind.name)
        after = files.export_all(tmp / "after", Unit.objects.get(code=root.code))
        for a, b in zip(before, after, strict=True):
            self.assertEqual(sheet(a), sheet(b), a.name)
        # As .csv too, the tree and its members read back unchanged.
        for kind in (KINDS["units"], KINDS["members"]):
            path = tmp / f"{kind.name}.csv"
            files.export(kind, path, Unit.objects.get(code=root.code))
            report = run_import(kind, path)
            self.assertEqual((report.errors, report.unchanged), ([], counts[kind.name]))
