from __future__ import annotations

import hashlib
import io
import json

from django.core.management import CommandError, call_command
from django.test import TestCase

from xeploai.core.testing import make_cycle, make_personas
from xeploai.cycles.models import Level, MemberEvaluation, SubjectChanged
from xeploai.reviews import actions, history
from xeploai.reviews.models import HistoryError, LevelChange

from .flow import evaluation_of, meet, propose, submit


class HistoryTestCase(TestCase):
    """The level history (R33): append-only, chained, verifiable."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        cycle = make_cycle(2026)
        actions.open_cycle(p.commune, cycle=cycle, by=p.chi)
        meet(p.cell_a, cycle, p.binh)
        self.evaluation = propose(
            submit(evaluation_of(p.an_member, cycle), p.an), p.binh, Level.GOOD
        )

    def verify(self) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("history", "verify", stdout=out, stderr=err)
        except CommandError as e:
            return e.returncode, err.getvalue()
        return 0, out.getvalue()

    def test_it_verifies_an_intact_history(self) -> None:
        self.assertEqual(list(history.verify()), [])
        code, out = self.verify()
        self.assertEqual(code, 0)
        self.assertIn("Level history intact: 2 rows verified, 0 seal(s) matched.", out)

    def test_it_detects_a_row_edited_in_the_database(self) -> None:
        LevelChange.objects.filter(seq=2).update(level_to=Level.EXCELLENT)
        code, err = self.verify()
        self.assertEqual(code, 1)
        self.assertIn("row 2: changed after it was written", err)

    def test_it_detects_a_deleted_row(self) -> None:
        LevelChange.objects.filter(seq=1).delete()  # a queryset delete bypasses the model
        self.assertIn("row 1 is missing", "\n".join(history.verify()))

    def test_it_detects_a_level_changed_without_history(self) -> None:
        MemberEvaluation.objects.filter(pk=self.evaluation.pk).update(
            level_proposed=Level.EXCELLENT
        )
        self.assertIn("level_proposed is 1, the history says 2", "\n".join(history.verify()))

    def test_it_detects_the_last_row_deleted(self) -> None:
        LevelChange.objects.filter(seq=2).delete()
        problems = "\n".join(history.verify())
        self.assertIn("level_proposed is 2, the history says None", problems)
        self.assertIn("step is PROPOSED, the history says SUBMITTED", problems)

    def test_it_refuses_to_change_or_delete_a_row(self) -> None:
        row = LevelChange.objects.first()
        assert row is not None
        row.reason = "sửa"
        with self.assertRaises(HistoryError):
            row.save()
        with self.assertRaises(HistoryError):
            row.delete()

    def test_it_detects_a_chain_deleted_whole(self) -> None:
        other = submit(evaluation_of(self.p.binh.member, self.evaluation.cycle), self.p.binh)  # type: ignore[arg-type]
        LevelChange.objects.filter(evaluation=other).delete()
        self.assertIn(
            f"evaluation {other.pk}: has a result but no history", "\n".join(history.verify())
        )

    def test_it_detects_a_row_rewritten_with_a_recomputed_plain_hash(self) -> None:
        row = LevelChange.objects.get(evaluation=self.evaluation, seq=2)
        row.level_to = Level.EXCELLENT
        plain = hashlib.sha256(
            json.dumps(row.content(), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        LevelChange.objects.filter(pk=row.pk).update(level_to=Level.EXCELLENT, hash=plain)
        MemberEvaluation.objects.filter(pk=self.evaluation.pk).update(
            level_proposed=Level.EXCELLENT
        )
        self.assertIn("row 2: changed after it was written", "\n".join(history.verify()))

    def test_it_refuses_to_move_an_evaluation_to_another_member(self) -> None:
        evaluation = MemberEvaluation.objects.get(pk=self.evaluation.pk)
        evaluation.member = self.p.binh.member  # type: ignore[assignment]
        with self.assertRaises(SubjectChanged):
            evaluation.save()
        evaluation.member_id = self.evaluation.member_id
        evaluation.save()  # its own subject, saved again, is fine
