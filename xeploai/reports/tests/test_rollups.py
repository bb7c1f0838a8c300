"""The roll-ups: each unit's sums of its subtree, kept in step as the tally changes, so that a
report reads its unit's rows and its children's whatever the size of the subtree; a roll-up
written around is found by the scheduled check and said in the report."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit
from xeploai.cycles.models import Level, MemberEvaluation, Status, UnitEvaluation
from xeploai.reports import tally
from xeploai.reports.checks import check
from xeploai.reports.data import report
from xeploai.reports.models import MEMBERS, Mismatch, Rollup
from xeploai.units.models import UnitKind


def rolled(**where: object) -> dict[tuple[str, str, str | None], int]:
    """The roll-ups as (unit path, parent path, key): n."""
    return {
        (r.unit_path, r.parent_path, r.key): r.n
        for r in Rollup.objects.filter(Q(**where)).order_by("unit_path", "key")
    }


class Tree:
    def __init__(self) -> None:
        self.district = make_unit(None, kind=UnitKind.DISTRICT, code="H1", name="Huyện")
        self.communes = [
            make_unit(self.district, kind=UnitKind.GRASSROOTS_COMMITTEE, code=f"X{i}")
            for i in range(2)
        ]
        self.cells = [make_unit(c, code=f"{c.code}C{i}") for c in self.communes for i in range(2)]
        self.cycle = make_cycle(2025, closed=True)


class RollupTestCase(TestCase):
    def setUp(self) -> None:
        self.t = Tree()

    def classified(self, cell_index: int, level: Level) -> MemberEvaluation:
        member = make_member(self.t.cells[cell_index], full_member_since=dt.date(2011, 5, 19))
        return make_evaluation(member, self.t.cycle, status=Status.CLASSIFIED, level_final=level)

    def test_a_cell_counted_again_adds_its_change_to_every_unit_above(self) -> None:
        evaluation = self.classified(0, Level.GOOD)
        self.classified(3, Level.GOOD)
        good = {"subject": MEMBERS, "status": Status.CLASSIFIED, "level": Level.GOOD}
        good |= {"latest": Level.GOOD, "status_reason": "", "label": "", "ordinal": None}
        good |= {"exemplary": False, "probationary": False, "leader": False}
        good |= {"servant": False, "state": ""}
        key = tally.group_key(good)
        district, commune, cell = self.t.district.path, self.t.communes[0].path, self.t.cells[0]
        self.assertEqual(rolled(unit_path=district), {(district, "", key): 2})
        self.assertEqual(rolled(unit_path=commune), {(commune, district, key): 1})
        self.assertEqual(rolled(unit_path=cell.path), {})  # a cell's rows are its tally's
        evaluation.level_final = Level.EXCELLENT
        evaluation.save(update_fields=["level_final"])
        excellent = tally.group_key(good | {"level": Level.EXCELLENT, "latest": Level.EXCELLENT})
        self.assertEqual(
            rolled(unit_path=district), {(district, "", key): 1, (district, "", excellent): 1}
        )
        self.assertEqual(rolled(unit_path=commune), {(commune, district, excellent): 1})
        evaluation.delete()  # a sum that falls to nothing leaves no row
        self.assertEqual(rolled(unit_path=commune), {})
        self.assertEqual(rolled(unit_path=district), {(district, "", key): 1})

    def test_the_key_in_python_and_in_sql_is_the_same(self) -> None:
        self.classified(0, Level.GOOD)
        evaluation = self.classified(1, Level.EXCELLENT)
        evaluation.exemplary = True
        evaluation.save()
        UnitEvaluation.objects.create(
            cycle=self.t.cycle,
            unit=self.t.communes[0],
            unit_path=self.t.communes[0].path,
            status=Status.EXEMPT,
            status_reason="Mới thành lập",
        )
        kept = rolled()
        tally.rebuild_rollups(self.t.cycle.pk)
        self.assertEqual(rolled(), kept)
        # Below the district: the commune's result and two members; below the commune: the
        # two members; below a cell: nothing.
        self.assertEqual(len(kept), 3 + 2)

    def test_the_report_reads_the_unit_and_its_children_not_the_subtree(self) -> None:
        for i in range(4):
            self.classified(i, Level.GOOD)
        Rollup.objects.filter(unit_path=self.t.communes[1].path).update(n=5)  # written around
        data = report(self.t.district, self.t.cycle)
        self.assertEqual(
            data["children"][1]["members"]["total"], 5, "a child's figure is its roll-up"
        )
        self.assertFalse(data["reconciled"])
        self.assertEqual(check(self.t.cycle)[0].found, Mismatch.ROLLUP)
        self.assertIn(
            "Huyện: số liệu cộng dồn về đảng viên không khớp với số liệu tổng hợp của các đơn vị"
            " trực thuộc; cần tổng hợp lại bằng lệnh xeploai tally.",
            report(self.t.district, self.t.cycle)["problems"],
        )
        tally.rebuild([self.t.cycle])
        data = report(self.t.district, self.t.cycle)
        self.assertTrue(data["reconciled"], data["problems"])
        self.assertEqual(data["members"]["total"], 4)

    def test_a_mismatch_is_said_only_above_where_it_was_found(self) -> None:
        evaluation = self.classified(0, Level.GOOD)
        self.classified(3, Level.GOOD)
        MemberEvaluation.objects.filter(pk=evaluation.pk).update(level_final=Level.COMPLETED)
        found = check(self.t.cycle)
        self.assertEqual(
            [(m.unit_path, m.found) for m in found], [(self.t.cells[0].path, "EVALUATIONS")]
        )
        self.assertFalse(report(self.t.communes[0], self.t.cycle)["reconciled"])
        self.assertTrue(report(self.t.communes[1], self.t.cycle)["reconciled"])
        evaluation.refresh_from_db()
        evaluation.save()  # counted again: the mismatch is mended
        self.assertEqual(Mismatch.objects.count(), 0)
        self.assertTrue(report(self.t.district, self.t.cycle)["reconciled"])


class RollupPropertyTestCase(HypothesisTestCase):
    """Whatever the single saves, moves and deletions, the roll-ups kept in step equal the
    roll-ups added up again from the tally, and the tally passes the check."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["add", "level", "move", "delete"]),
                st.integers(0, 3),
                st.sampled_from(list(Level)),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def test_kept_in_step_equals_added_up_again(self, steps: list[tuple[str, int, Level]]) -> None:
        t = Tree()
        made: list[MemberEvaluation] = []
        for action, cell, level in steps:
            if action == "add" or not made:
                member = make_member(t.cells[cell], full_member_since=dt.date(2011, 5, 19))
                made.append(
                    make_evaluation(member, t.cycle, status=Status.CLASSIFIED, level_final=level)
                )
            elif action == "level":
                made[-1].level_final = level
                made[-1].save()
            elif action == "move":
                moved = made[cell % len(made)]
                with tally.deferred():  # as reviews.actions move one
                    tally.touched([moved])  # the cell it leaves
                    moved.cell, moved.unit_path = t.cells[cell], t.cells[cell].path
                    moved.save()
            else:
                made.pop(cell % len(made)).delete()
        kept = rolled()
        tally.rebuild_rollups(t.cycle.pk)
        self.assertEqual(rolled(), kept)
        self.assertEqual(check(t.cycle), [])
