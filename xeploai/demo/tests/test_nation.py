"""The nation's demo (`xeploai demo --size nation`): written set-based on PostgreSQL, it holds
what opening the review and the tally would have written row by row."""

from __future__ import annotations

from io import StringIO
from unittest import skipUnless

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test import TestCase, TransactionTestCase

from xeploai.core.testing import make_unit
from xeploai.core.text import search_key
from xeploai.cycles.models import Cycle, MemberEvaluation, Status, Step, UnitEvaluation
from xeploai.demo import load, nation
from xeploai.demo.tree import TreeBuilder
from xeploai.members.models import Member, StateResult
from xeploai.reports import checks
from xeploai.reviews.actions.opening import _new_evaluation
from xeploai.units.models import Unit, UnitKind

SHAPE = nation.Shape(provinces=2, districts=2, communes=3, cells=2, members=20)
ON_POSTGRESQL = connection.vendor == "postgresql"


@skipUnless(ON_POSTGRESQL, "the nation is written with PostgreSQL's COPY")
class NationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        nation.load_nation(SHAPE, 2026, progress=lambda line: None, district=False)

    def test_it_has_the_shape_asked_for(self) -> None:
        kinds = dict(Unit.objects.values_list("kind").annotate(n=Count("pk")))
        self.assertEqual(
            kinds,
            {
                UnitKind.CENTRE: 1,
                UnitKind.PROVINCE: 2,
                UnitKind.DISTRICT: 4,
                UnitKind.GRASSROOTS_COMMITTEE: 12,
                UnitKind.CELL: 24,
            },
        )
        self.assertEqual(Member.objects.count(), 24 * 20)
        self.assertEqual(Unit.objects.get(code="T01").name, "Đảng bộ thành phố Hà Nội")
        commune = Unit.objects.get(code="T02-H01-X03")
        self.assertEqual(commune.parent_id, Unit.objects.get(code="T02-H01").pk)
        names = Unit.objects.filter(parent__code="T01-H01").values_list("name", flat=True)
        self.assertEqual(len(set(names)), SHAPE.communes)  # a district's communes all differ

    def test_members_names_are_vietnamese_and_searchable(self) -> None:
        for member in Member.objects.all():
            self.assertEqual(len(member.full_name.split()), 3, member.full_name)
            self.assertEqual(member.search_key, search_key(member.full_name))
        self.assertGreater(Member.objects.values("full_name").distinct().count(), 400)
        self.assertEqual(Member.objects.filter(full_member_since=None).count(), 24)

    def test_members_joined_between_18_and_40(self) -> None:
        members = Member.objects.exclude(full_member_since=None)
        for born, admitted in members.values_list("birth_date", "admitted"):
            self.assertTrue(18 <= (admitted - born).days / 365.25 <= 41, (born, admitted))

    def test_the_review_is_open_as_opening_it_would_be(self) -> None:
        current = Cycle.objects.get(year=2026)
        opened = MemberEvaluation.objects.filter(cycle=current).select_related("member__cell")
        self.assertEqual(opened.count(), Member.objects.count())
        for evaluation in opened:
            expected = _new_evaluation(evaluation.member, current)
            self.assertEqual(
                (evaluation.status, evaluation.step, evaluation.unit_path),
                (expected.status, expected.step, expected.unit_path),
                evaluation.member.code,
            )
        kept_out = opened.filter(status=Status.NOT_CLASSIFIED, step=Step.NOT_REVIEWED)
        self.assertTrue(kept_out.exists())  # admitted too recently (R4), as opening says
        kinds = set(UnitEvaluation.objects.filter(cycle=current).values_list("unit__code", "kind"))
        self.assertIn(("T01-H01-X01-C01", "organisation"), kinds)
        self.assertNotIn(("T01-H01-X01-C01", "collective"), kinds)
        self.assertIn(("T01-H01-X01", "collective"), kinds)
        self.assertEqual(len(kinds), 2 * (Unit.objects.count() - 1) - 24)
        fresh = UnitEvaluation()  # as `open_units` makes them for organisations founded long ago
        states = UnitEvaluation.objects.filter(cycle=current).values_list("status", "step")
        self.assertEqual(set(states), {(fresh.status, fresh.step)})

    def test_last_year_has_results_for_members_admitted_in_time(self) -> None:
        done = Cycle.objects.get(year=2025)
        results = MemberEvaluation.objects.filter(cycle=done)
        self.assertEqual(results.count(), Member.objects.exclude(full_member_since=None).count())
        unrated = results.filter(level_final=None).exclude(status=Status.EXEMPT)
        self.assertFalse(unrated.exists())
        self.assertTrue(StateResult.objects.filter(year=2025).exists())
        self.assertFalse(StateResult.objects.filter(member__civil_servant=False).exists())

    def test_the_tally_agrees_with_the_results(self) -> None:
        for cycle in Cycle.objects.all():
            self.assertEqual(checks.check(cycle), [], cycle.year)

    def test_the_keys_and_indexes_are_back(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                " AND conrelid = 'cycles_memberevaluation'::regclass"
            )
            self.assertGreaterEqual(cursor.fetchone()[0], 3)
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'members_member'"
                " AND indexdef LIKE '%%UNIQUE%%(code)%%'"
            )
            self.assertEqual(cursor.fetchone()[0], 1)


class RefusalTests(TransactionTestCase):
    def test_it_is_refused_on_sqlite_and_over_existing_units(self) -> None:
        make_unit(None, code="X")
        message = "empty database" if ON_POSTGRESQL else "needs PostgreSQL"
        with self.assertRaisesMessage(CommandError, message):
            call_command("demo", "--size", "nation", "--no-serve", stdout=StringIO())
        self.assertEqual(Unit.objects.count(), 1)
        with self.assertRaisesMessage(CommandError, "at least 1"):
            call_command("demo", "--size=nation", "--provinces=0", stdout=StringIO())

    @skipUnless(ON_POSTGRESQL, "on SQLite a province is written as the district is")
    def test_a_province_is_written_as_the_nation_is(self) -> None:
        make_unit(None, code="X")
        self.assertEqual(load.root_code("province"), nation.province_code(0))
        with self.assertRaisesMessage(CommandError, "empty database"):
            call_command("demo", "--size", "province", "--no-serve", stdout=StringIO())


class PlacementTests(TestCase):
    def test_the_demo_district_goes_after_a_parents_children(self) -> None:
        province = make_unit(None, code="T01", kind=UnitKind.PROVINCE)
        for i in range(3):
            make_unit(province, code=f"T01-H{i}", kind=UnitKind.DISTRICT)
        tree = TreeBuilder(2026).single_district(province)
        taken = set(Unit.objects.values_list("path", flat=True))
        self.assertEqual(tree.root.parent, province)
        self.assertEqual(tree.root.depth, province.depth + 1)
        self.assertTrue(tree.root.path.startswith(province.path))
        self.assertFalse(taken & {u.path for u in tree.units})
