"""The per-unit aggregates the reports read: kept in step by single saves, by bulk writers
(opening a cycle, imports) and inside deferred blocks; a write that escaped them is reported,
and `xeploai tally` counts it again."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase

from xeploai.accounts.models import RoleKind
from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit, make_user
from xeploai.cycles.models import Level, MemberEvaluation, Status, UnitEvaluation
from xeploai.imports import files
from xeploai.imports.base import run_import
from xeploai.imports.kinds import MEMBERS as MEMBERS_KIND
from xeploai.imports.kinds import RESULTS
from xeploai.members.models import Post, PostKind
from xeploai.reports import tally
from xeploai.reports.checks import check
from xeploai.reports.data import report
from xeploai.reports.models import MEMBERS, Tally
from xeploai.reviews import actions
from xeploai.units.models import UnitKind


class TallyTestCase(TestCase):
    def setUp(self) -> None:
        self.district = make_unit(None, kind=UnitKind.DISTRICT, code="H1", name="Huyện")
        self.commune = make_unit(
            self.district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="X1", name="Xã 1"
        )
        self.cell = make_unit(self.commune, code="CA", name="Chi bộ A")
        self.other = make_unit(self.commune, code="CB", name="Chi bộ B")
        self.cycle = make_cycle(2025, closed=True)

    def counted(self, **where: object) -> dict[tuple[object, ...], int]:
        rows = Tally.objects.filter(cycle=self.cycle, **where)
        return {
            (t.unit_path, t.subject, t.status, t.level, t.probationary, t.leader): t.n for t in rows
        }

    def classified(self, cell: object, level: Level) -> MemberEvaluation:
        member = make_member(cell, full_member_since=dt.date(2011, 5, 19))  # type: ignore[arg-type]
        return make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=level)

    def test_single_saves_and_deletions_keep_it_in_step(self) -> None:
        good = self.classified(self.cell, Level.GOOD)
        self.classified(self.cell, Level.GOOD)
        path = self.cell.path
        self.assertEqual(
            self.counted(), {(path, MEMBERS, Status.CLASSIFIED, Level.GOOD, False, False): 2}
        )
        good.level_final = Level.EXCELLENT
        good.save(update_fields=["level_final"])
        self.assertEqual(
            self.counted(),
            {
                (path, MEMBERS, Status.CLASSIFIED, Level.GOOD, False, False): 1,
                (path, MEMBERS, Status.CLASSIFIED, Level.EXCELLENT, False, False): 1,
            },
        )
        good.delete()
        self.assertEqual(
            self.counted(), {(path, MEMBERS, Status.CLASSIFIED, Level.GOOD, False, False): 1}
        )

    def test_members_posts_and_units_sort_what_they_count(self) -> None:
        evaluation = self.classified(self.cell, Level.GOOD)
        member = evaluation.member
        member.full_member_since = None  # probationary at the reference date
        member.save()
        Post.objects.create(
            member=member,
            kind=PostKind.PARTY,
            title="Bí thư chi bộ",
            unit=self.cell,
            start=dt.date(2020, 1, 1),
        )
        self.assertEqual(
            self.counted(),
            {(self.cell.path, MEMBERS, Status.CLASSIFIED, Level.GOOD, True, True): 1},
        )
        UnitEvaluation.objects.create(
            cycle=self.cycle,
            unit=self.cell,
            unit_path=self.cell.path,
            status=Status.CLASSIFIED,
            level_final=Level.GOOD,
        )
        self.assertEqual(len(self.counted(subject=UnitKind.CELL)), 1)
        self.cell.kind = UnitKind.GRASSROOTS_CELL
        self.cell.save()
        self.assertEqual(self.counted(subject=UnitKind.CELL), {})
        self.assertEqual(len(self.counted(subject=UnitKind.GRASSROOTS_CELL)), 1)

    def test_a_deferred_block_counts_once_at_its_end(self) -> None:
        with mock.patch.object(tally, "refresh", wraps=tally.refresh) as refresh:
            with tally.deferred():
                self.classified(self.cell, Level.GOOD)
                self.classified(self.other, Level.COMPLETED)
                self.assertEqual(Tally.objects.count(), 0)
            refresh.assert_called_once()
        self.assertEqual(sum(self.counted().values()), 2)

    def test_a_block_that_fails_counts_nothing_and_writes_nothing(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic(), tally.deferred():
            self.classified(self.cell, Level.GOOD)
            raise RuntimeError
        self.assertEqual((MemberEvaluation.objects.count(), Tally.objects.count()), (0, 0))

    def test_a_decided_level_awaiting_appraisal_counts(self) -> None:
        evaluation = self.classified(self.cell, Level.GOOD)
        evaluation.level_final, evaluation.level_decided = None, Level.EXCELLENT
        evaluation.save(update_fields=["level_final", "level_decided"])
        self.assertEqual(
            self.counted(),
            {(self.cell.path, MEMBERS, Status.CLASSIFIED, Level.EXCELLENT, False, False): 1},
        )

    def test_new_dates_of_a_cycle_count_it_again(self) -> None:
        member = make_member(self.cell, full_member_since=dt.date(2025, 6, 1))
        make_evaluation(member, self.cycle, status=Status.CLASSIFIED, level_final=Level.GOOD)
        self.assertEqual(report(self.district, self.cycle)["members"]["probationary"], 0)
        self.cycle.reference_date = dt.date(2025, 3, 1)  # before their full membership
        self.cycle.save()
        self.assertEqual(report(self.district, self.cycle)["members"]["probationary"], 1)

    def test_a_member_moving_cell_moves_their_count(self) -> None:
        cycle = make_cycle(2026)
        member = make_member(self.cell, full_member_since=dt.date(2011, 5, 19))
        by = make_user("ban", roles=((RoleKind.BOARD_OFFICER, self.district),))
        actions.open_cycle(self.district, cycle=cycle, by=by)
        member.cell = self.other
        member.save()
        actions.follow_member(member)
        counted = Tally.objects.filter(cycle=cycle, subject=MEMBERS)  # organisations stay put
        self.assertEqual(list(counted.values_list("unit_path", "n")), [(self.other.path, 1)])

    def test_opening_a_cycle_counts_the_new_evaluations(self) -> None:
        cycle = make_cycle(2026)
        for _i in range(3):
            make_member(self.cell, full_member_since=dt.date(2011, 5, 19))
        by = make_user("ban", roles=((RoleKind.BOARD_OFFICER, self.district),))
        self.assertEqual(actions.open_cycle(self.district, cycle=cycle, by=by), 3)
        data = report(self.district, cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["members"]["total"], 3)

    def test_an_import_of_new_and_changed_members_counts_them(self) -> None:
        known = self.classified(self.cell, Level.GOOD).member
        path = Path(tempfile.mkdtemp()) / "members.csv"
        files.export(MEMBERS_KIND, path)
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        lines[1] = lines[1].replace("19/05/2011", "19/05/2026")  # full membership moved
        lines.append(lines[1].replace(known.code, "DV-MOI"))
        path.write_text("\n".join(lines), encoding="utf-8")
        done = run_import(MEMBERS_KIND, path)
        self.assertEqual((done.errors, done.created, done.updated), ([], 1, 1))
        self.assertEqual(report(self.district, self.cycle)["members"]["probationary"], 1)

    def test_an_import_moving_a_result_to_another_cell_moves_its_count(self) -> None:
        make_member(self.cell, code="DV1", full_member_since=dt.date(2011, 5, 19))
        path = Path(tempfile.mkdtemp()) / "results.csv"
        for cell in ("CA", "CB"):
            path.write_text(
                f"Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ\n2024,Đảng viên,DV1,HTTNV,,{cell}\n",
                encoding="utf-8",
            )
            self.assertEqual(run_import(RESULTS, path).errors, [])
        counted = Tally.objects.filter(cycle__year=2024).values_list("unit_path", "n")
        self.assertEqual(list(counted), [(self.other.path, 1)])

    def test_an_import_counts_what_it_wrote(self) -> None:
        member = make_member(self.cell, code="DV1", full_member_since=dt.date(2011, 5, 19))
        path = Path(tempfile.mkdtemp()) / "results.csv"
        path.write_text(
            "Năm,Đối tượng,Mã,Kết quả,Lý do,Mã chi bộ\n"
            "2024,Đảng viên,DV1,Hoàn thành tốt nhiệm vụ,,\n"
            '2015,Đảng viên,DV1,"Đủ tư cách, hoàn thành tốt nhiệm vụ",,\n',
            encoding="utf-8",
        )
        self.assertEqual(run_import(RESULTS, path).errors, [])
        for year in (2024, 2015):
            evaluation = MemberEvaluation.objects.get(member=member, cycle__year=year)
            data = report(self.district, evaluation.cycle)
            self.assertTrue(data["reconciled"], data["problems"])
            self.assertEqual(data["members"]["classified"], 1)

    def test_a_write_around_the_tally_is_reported_and_mended(self) -> None:
        evaluation = self.classified(self.cell, Level.GOOD)
        self.classified(self.cell, Level.GOOD)
        MemberEvaluation.objects.filter(pk=evaluation.pk).update(level_final=Level.COMPLETED)
        data = report(self.district, self.cycle)
        self.assertTrue(data["reconciled"], "not until the scheduled check finds it")
        out = io.StringIO()
        call_command("tally", "--check", stdout=out)
        self.assertEqual(
            out.getvalue(),
            "Năm 2025: 1 chỗ số liệu tổng hợp không khớp với phiếu đánh giá; cần tổng hợp lại"
            " bằng lệnh xeploai tally --cycle 2025.\n",
        )
        data = report(self.district, self.cycle)
        self.assertFalse(data["reconciled"])
        self.assertEqual(
            data["problems"],
            [
                "Huyện: số liệu tổng hợp về đảng viên không khớp với phiếu đánh giá (các mức đã"
                " thay đổi); cần tổng hợp lại bằng lệnh xeploai tally."
            ],
        )
        member = make_member(self.cell)
        MemberEvaluation.objects.bulk_create(  # no signals
            [
                MemberEvaluation(
                    member=member, cycle=self.cycle, cell=self.cell, unit_path=self.cell.path
                )
            ]
        )
        check(self.cycle)
        data = report(self.district, self.cycle)
        self.assertIn("tổng hợp 2 phiếu, thực có 3", data["problems"][0])
        out = io.StringIO()
        call_command("tally", "--cycle", "2025", stdout=out)
        self.assertIn("Đã tổng hợp lại", out.getvalue())
        data = report(self.district, self.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["levels"]["GOOD"]["count"], 1)
        self.assertEqual(check(self.cycle), [])


@unittest.skipUnless(connection.vendor == "postgresql", "advisory locks are PostgreSQL's")
class CellLocksTestCase(TestCase):
    """Counting a few cells locks each of them and shares the cycle's lock; counting many
    holds the cycle's lock alone, so that a large import never fills PostgreSQL's table of
    locks ("out of shared memory"), and still keeps every other writer of the cycle out."""

    def setUp(self) -> None:
        district = make_unit(None, kind=UnitKind.DISTRICT)
        commune = make_unit(district, kind=UnitKind.GRASSROOTS_COMMITTEE)
        self.cells = [make_unit(commune) for _n in range(5)]
        self.cycle = make_cycle(2025, closed=True)

    def advisory_locks(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT mode FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() ORDER BY mode"
            )
            return [mode for (mode,) in cursor.fetchall()]

    def others_may_write(self) -> bool:
        """Whether another connection could count a cell of the cycle now."""
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        with psycopg.connect(**params) as other:
            row = other.execute(
                "SELECT pg_try_advisory_xact_lock_shared(hashtextextended(%s, 0))",
                [f"tally:{self.cycle.pk}"],
            ).fetchone()
            return bool(row and row[0])

    def test_a_few_cells_are_locked_one_by_one(self) -> None:
        with transaction.atomic():
            tally.refresh((self.cycle.pk, c.path) for c in self.cells)
            self.assertEqual(self.advisory_locks(), ["ExclusiveLock"] * 5 + ["ShareLock"])
            self.assertTrue(self.others_may_write())

    def test_many_cells_hold_the_cycle_lock_alone(self) -> None:
        with mock.patch.object(tally, "CELL_LOCKS", 3), transaction.atomic():
            tally.refresh((self.cycle.pk, c.path) for c in self.cells)
            self.assertEqual(self.advisory_locks(), ["ExclusiveLock"])
            self.assertFalse(self.others_may_write())
