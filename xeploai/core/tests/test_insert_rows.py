"""Rows written without model objects (`insert_rows`: COPY on PostgreSQL) are the rows
`bulk_create` writes: the given columns as given, every other at its field's default."""

from __future__ import annotations

from django.forms.models import model_to_dict
from django.test import TestCase

from xeploai.core.db import insert_rows
from xeploai.core.testing import make_cycle, make_member, make_unit
from xeploai.cycles.models import MemberEvaluation, Status, Step
from xeploai.reviews.models import SelfReview


class InsertRowsTestCase(TestCase):
    def test_the_rows_are_those_bulk_create_writes(self) -> None:
        cell = make_unit(make_unit(), name="Chi bộ xóm 1")
        cycle = make_cycle(2025)
        members = [make_member(cell) for _n in range(3)]
        given = {"cycle_id": cycle.pk, "cell_id": cell.pk, "unit_path": cell.path}
        MemberEvaluation.objects.bulk_create([MemberEvaluation(member=members[0], **given)])
        written = insert_rows(
            MemberEvaluation,
            ("member_id", "cycle_id", "cell_id", "unit_path", "status", "status_reason", "step"),
            (
                (m.pk, cycle.pk, cell.pk, cell.path, Status.EXEMPT.value, "Ốm; 'x'\t\\", "")
                for m in members[1:]
            ),
        )
        self.assertEqual(written, 2)
        rows = [
            {k: v for k, v in model_to_dict(e).items() if k not in ("id", "member")}
            for e in MemberEvaluation.objects.order_by("pk")
        ]
        expected = rows[0] | {"status": Status.EXEMPT, "status_reason": "Ốm; 'x'\t\\", "step": ""}
        self.assertEqual(rows[1:], [expected, expected])
        self.assertEqual(rows[0]["step"], Step.SELF_REVIEW)

    def test_no_rows_write_nothing(self) -> None:
        self.assertEqual(insert_rows(MemberEvaluation, ("member_id",), iter(())), 0)
        self.assertFalse(MemberEvaluation.objects.exists())

    def test_a_time_of_writing_must_be_given(self) -> None:
        with self.assertRaisesMessage(ValueError, "updated"):
            insert_rows(SelfReview, ("member_id",), iter(()))
