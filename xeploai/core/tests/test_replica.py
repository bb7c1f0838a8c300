"""The reports read from a read replica where one is configured, and nothing else does: the
router, and each way a report is read (its page, its charts, its downloads, the command)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from xeploai.core.replica import REPLICA, ReplicaRouter, reading_replica, replica
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_member,
    make_personas,
)
from xeploai.cycles.models import Cycle, Level, Status
from xeploai.reports import data, views
from xeploai.reports.models import Rollup


class ReplicaRouterTestCase(TestCase):
    router = ReplicaRouter()

    def test_without_a_replica_everything_reads_the_primary(self) -> None:
        with replica():
            self.assertTrue(reading_replica())
            self.assertIsNone(self.router.db_for_read(Rollup))
        self.assertFalse(reading_replica())

    def test_with_a_replica_only_reads_inside_the_block_go_there(self) -> None:
        with mock.patch.dict(settings.DATABASES, {REPLICA: settings.DATABASES["default"]}):
            self.assertIsNone(self.router.db_for_read(Rollup))
            with replica():
                self.assertEqual(self.router.db_for_read(Rollup), REPLICA)
                self.assertIsNone(self.router.db_for_write(Rollup))  # writes: the primary
            self.assertIsNone(self.router.db_for_read(Rollup))
        self.assertFalse(self.router.allow_migrate(REPLICA, "reports"))
        self.assertIsNone(self.router.allow_migrate("default", "reports"))


class ReportsOnReplicaTestCase(TestCase):
    p: Personas
    cycle: Cycle

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        cls.cycle = make_cycle(2025, closed=True)
        member = make_member(cls.p.cell_a, full_member_since=dt.date(2011, 5, 19))
        make_evaluation(member, cls.cycle, status=Status.CLASSIFIED, level_final=Level.GOOD)

    def test_every_way_of_reading_a_report_reads_it_inside_the_block(self) -> None:
        seen: list[tuple[str, bool]] = []

        def watching(read: Any) -> Any:
            def watched(*args: Any, **kwargs: Any) -> dict[str, Any]:
                seen.append((read.__name__, reading_replica()))
                found: dict[str, Any] = read(*args, **kwargs)
                return found

            return watched

        client = self.p.client(self.p.dung)
        code = self.p.district.code
        with (
            mock.patch.object(views, "report_data", watching(data.report)),
            mock.patch.object(views, "figures", watching(data.figures)),
            mock.patch("xeploai.reports.management.commands.report.report", watching(data.report)),
        ):
            for url in (
                reverse("reports:report", args=[code, 2025]),
                reverse("reports:charts", args=[code, 2025]),
                reverse("reports:download", args=[self.p.commune.code, 2025, "xlsx"]),
            ):
                self.assertEqual(client.get(url).status_code, 200, url)
            out = io.StringIO()
            args = ["--cycle", "2025", "--unit", code, "--format", "json", "--as", "dung"]
            call_command("report", *args, stdout=out)
        # The charts draw from the figures alone, not from the whole report again.
        reads = ["report", "figures", "report", "report"]
        self.assertEqual(seen, [(read, True) for read in reads])
        self.assertIn('"reconciled": true', out.getvalue())
