"""Every rewrite of the level history done with SQL on a copy of the demo is reported (R33).

Each case is what someone with SQL access did to the demo when the history was attacked;
`xeploai history verify` said "intact" after each of them before the history was bound to
its subjects and facts and anchored by seals.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from xeploai.cycles.models import Cycle, MemberEvaluation, Step, UnitEvaluation
from xeploai.reviews import history, seals
from xeploai.reviews.models import Action, HistorySeal, LevelChange, SealedHead, UnitLevelChange


def verify() -> tuple[int, str]:
    """`xeploai history verify`: its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("history", "verify", stdout=out, stderr=err)
    except CommandError as e:
        return e.returncode, err.getvalue()
    return 0, out.getvalue()


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


class TamperingTestCase(TestCase):
    """The demo district, loaded and sealed once; each test tampers in its own transaction."""

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--no-serve", stdout=io.StringIO())

    def setUp(self) -> None:
        # The demo's seal was committed inside the test's transaction, so its line was never
        # written: write it to this test's own seals file.
        seals.repair_file()
        self.cycle = Cycle.objects.get(year=2026)

    def appraised(self, count: int = 1) -> list[MemberEvaluation]:
        rows = MemberEvaluation.objects.filter(
            cycle=self.cycle, step__in=[Step.APPRAISED, Step.PUBLISHED]
        ).order_by("pk")
        found = list(rows[:count])
        self.assertEqual(len(found), count)
        return found

    def assert_reported(self, *fragments: str) -> None:
        code, text = verify()
        self.assertEqual(code, 1, text)
        for fragment in fragments:
            self.assertIn(fragment, text)

    def test_the_demo_is_intact_and_sealed(self) -> None:
        code, text = verify()
        self.assertEqual(code, 0)
        self.assertIn("1 seal(s) matched", text)
        self.assertTrue(UnitLevelChange.objects.exists())  # organisations have history too

    def test_every_row_deleted(self) -> None:
        sql("DELETE FROM reviews_levelchange")
        self.assert_reported("has a result but no history", "sealed row 1 is gone")

    def test_a_chains_last_rows_deleted_and_the_evaluation_set_back(self) -> None:
        (e,) = self.appraised()
        last = LevelChange.objects.filter(evaluation=e, action=Action.APPROVE).get()
        sql(
            "DELETE FROM reviews_levelchange WHERE evaluation_id = %s AND seq >= %s", e.pk, last.seq
        )
        sql(
            "UPDATE cycles_memberevaluation SET step = %s, level_final = NULL WHERE id = %s",
            Step.DECIDED,
            e.pk,
        )
        self.assert_reported(f"evaluation {e.pk}: sealed row")

    def test_a_chain_deleted_and_the_evaluation_reset_to_self_review(self) -> None:
        (e,) = self.appraised()
        sql("DELETE FROM reviews_levelchange WHERE evaluation_id = %s", e.pk)
        sql(
            "UPDATE cycles_memberevaluation SET step = %s, level_self = NULL,"
            " level_proposed = NULL, level_decided = NULL, level_final = NULL WHERE id = %s",
            Step.SELF_REVIEW,
            e.pk,
        )
        self.assert_reported(f"evaluation {e.pk}: sealed row")

    def test_a_chain_deleted_with_its_evaluation(self) -> None:
        (e,) = self.appraised()
        sql("DELETE FROM reviews_levelchange WHERE evaluation_id = %s", e.pk)
        sql(
            "DELETE FROM reviews_selfreview_manifestations WHERE selfreview_id IN"
            " (SELECT id FROM reviews_selfreview WHERE evaluation_id = %s)",
            e.pk,
        )
        for table in ("reviews_selfreview", "reviews_input", "reviews_proposal"):
            sql(f"DELETE FROM {table} WHERE evaluation_id = %s", e.pk)  # noqa: S608
        sql("DELETE FROM cycles_historicalmemberevaluation WHERE id = %s", e.pk)
        sql("DELETE FROM cycles_memberevaluation WHERE id = %s", e.pk)
        self.assert_reported(
            f"evaluation {e.pk}: sealed row", f"cycle {self.cycle.pk}: 1 member evaluation(s)"
        )

    def test_member_swapped_between_two_appraised_results(self) -> None:
        a, b = self.appraised(2)
        sql("UPDATE cycles_memberevaluation SET member_id = -1 WHERE id = %s", a.pk)
        sql("UPDATE cycles_memberevaluation SET member_id = %s WHERE id = %s", a.member_id, b.pk)
        sql("UPDATE cycles_memberevaluation SET member_id = %s WHERE id = %s", b.member_id, a.pk)
        self.assert_reported(
            f"evaluation {a.pk}: is cycle={self.cycle.pk} member={b.member_id},"
            f" its history was written for cycle={self.cycle.pk} member={a.member_id}",
            f"evaluation {b.pk}: is",
        )

    def test_a_published_level_of_an_earlier_year_changed(self) -> None:
        e = MemberEvaluation.objects.filter(cycle__year=2024, level_final=2).first()
        assert e is not None
        sql("UPDATE cycles_memberevaluation SET level_final = 1 WHERE id = %s", e.pk)
        self.assert_reported(f"evaluation {e.pk}: level_final is 1, the history says 2")

    def test_an_organisations_level_changed(self) -> None:
        u = UnitEvaluation.objects.filter(cycle__year=2025, level_final=2).first()
        assert u is not None
        sql("UPDATE cycles_unitevaluation SET level_final = 1 WHERE id = %s", u.pk)
        self.assert_reported(f"unit evaluation {u.pk}: level_final is 1, the history says 2")

    def test_an_organisations_history_deleted(self) -> None:
        u = UnitEvaluation.objects.filter(cycle__year=2025, level_final__isnull=False).first()
        assert u is not None
        sql("DELETE FROM reviews_unitlevelchange WHERE evaluation_id = %s", u.pk)
        self.assert_reported(f"unit evaluation {u.pk}: has a result but no history")

    def test_scores_changed_after_the_decision_with_the_level_unchanged(self) -> None:
        e = MemberEvaluation.objects.filter(
            cycle=self.cycle, step=Step.DECIDED, score_general__isnull=False
        ).first()
        assert e is not None
        sql(
            "UPDATE cycles_memberevaluation SET score_general = 30, score_task_results = 70"
            " WHERE id = %s",
            e.pk,
        )
        self.assert_reported(f"evaluation {e.pk}: its facts or levels changed")

    def test_a_past_result_moved_to_another_cell(self) -> None:
        e = MemberEvaluation.objects.filter(cycle__year=2025, level_final__isnull=False).first()
        other = MemberEvaluation.objects.filter(cycle__year=2025).exclude(cell=e.cell).first()  # type: ignore[union-attr]
        assert e is not None and other is not None
        sql(
            "UPDATE cycles_memberevaluation SET cell_id = %s, unit_path = %s WHERE id = %s",
            other.cell_id,
            other.unit_path,
            e.pk,
        )
        self.assert_reported(f"evaluation {e.pk}: its facts or levels changed")

    def test_a_seal_deleted_from_the_database(self) -> None:
        sql("DELETE FROM reviews_sealedhead")
        sql("DELETE FROM reviews_historyseal")
        self.assert_reported("seal 1: in the seals file, missing from the database")

    def test_a_sealed_head_rewritten(self) -> None:
        head = SealedHead.objects.filter(kind="m").first()
        assert head is not None
        sql("UPDATE reviews_sealedhead SET seq = seq + 1 WHERE id = %s", head.pk)
        self.assert_reported("seal 1: changed after it was made")

    def test_a_seal_forged_in_the_database(self) -> None:
        made = HistorySeal.objects.get()
        sql("UPDATE reviews_historyseal SET counts = %s WHERE id = %s", "{}", made.pk)
        self.assert_reported("seal 1: changed after it was made")

    def test_rows_survive_djangos_own_serialisation(self) -> None:
        """dumpdata/loaddata keep `at` to the millisecond: the signature is over that form."""
        for model in (LevelChange, UnitLevelChange):
            text = serializers.serialize("json", model.objects.all()[:300])
            for restored in serializers.deserialize("json", text):
                row: Any = restored.object
                self.assertEqual(row.compute_hash(), row.hash)

    def test_a_seal_without_its_line_is_written_again_when_genuine(self) -> None:
        Path(settings.HISTORY_SEALS).write_text("")
        self.assert_reported("seal 1: not in the seals file")
        call_command("history", "seal", stdout=io.StringIO())
        self.assertEqual(verify()[0], 0)

    def test_a_second_seal_covers_only_what_changed(self) -> None:
        (e,) = self.appraised()
        self.assertIsNone(seals.seal())  # nothing new
        e.level_final = 3
        e.save(update_fields=["level_final"])  # a change with a row, as the review makes it
        history.append_imported([e], user=None, name="test")
        made = seals.seal()
        assert made is not None
        self.assertEqual(made.heads.count(), 1)
        seals.repair_file()  # its line, as the commit would have written it
        self.assertEqual(verify()[0], 0)
        sql("DELETE FROM reviews_levelchange WHERE id = %s", e.history.order_by("-seq")[0].pk)
        self.assert_reported(f"evaluation {e.pk}: sealed row")


class ScoresTestCase(TestCase):
    """Facts and scores stand as the decision found them."""

    def test_decimal_scores_read_back_the_same(self) -> None:
        e = MemberEvaluation(score_general=Decimal("27"), tasks_done=Decimal("92.8"))
        values = {f.attname: getattr(e, f.attname) for f in history.fact_fields(MemberEvaluation)}
        read_back = {**values, "score_general": Decimal("27.00"), "tasks_done": Decimal("92.80")}
        self.assertEqual(
            history.facts_digest(MemberEvaluation, values),
            history.facts_digest(MemberEvaluation, read_back),
        )
