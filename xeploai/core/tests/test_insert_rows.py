"""Rows written without model objects (`insert_rows`: COPY on PostgreSQL) are the rows
`bulk_create` writes: the given columns as given, every other at its field's default; and
objects written by `create_objects` get their ids and the rows `bulk_create` writes."""

from __future__ import annotations

import datetime as dt

from django.forms.models import model_to_dict
from django.test import TestCase

from xeploai.core.db import create_objects, insert_rows
from xeploai.core.testing import make_cycle, make_member, make_unit
from xeploai.cycles.models import MemberEvaluation, Status, Step
from xeploai.members.models import Member
from xeploai.reviews.models import SelfReview
from xeploai.units.models import Unit, UnitKind, segment


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


class CreateObjectsTestCase(TestCase):
    def test_objects_get_their_ids_and_the_rows_bulk_create_writes(self) -> None:
        cell = make_unit(make_unit())
        cycle = make_cycle(2025)
        evaluations = [
            MemberEvaluation.objects.create(
                member=make_member(cell), cycle=cycle, cell=cell, unit_path=cell.path
            )
            for _n in range(3)
        ]
        sections = {"strengths": "Gương mẫu; 'x'\t\\ \"y\""}
        made = [
            SelfReview(evaluation=e, form="M01", sections=sections, scores={"1a": 2})
            for e in evaluations
        ]
        SelfReview.objects.bulk_create(made[:1])
        self.assertEqual(create_objects(SelfReview, made[1:]), 2)
        stored = list(SelfReview.objects.order_by("pk"))
        self.assertEqual([r.pk for r in stored], [r.pk for r in made])
        self.assertEqual([r.evaluation_id for r in stored], [e.pk for e in evaluations])
        rows = [
            {k: v for k, v in model_to_dict(r).items() if k not in ("id", "evaluation")}
            for r in stored
        ]
        self.assertEqual(rows[1:], [rows[0], rows[0]])
        self.assertEqual(rows[0]["sections"], sections)
        self.assertTrue(all(r.updated for r in stored))  # auto_now, as bulk_create sets it
        self.assertFalse(made[1]._state.adding)

    def test_a_parent_saved_after_it_was_given_is_written_by_its_id(self) -> None:
        district = make_unit()
        cell = Unit(
            parent=district,
            path=district.path + segment(1),
            depth=1,
            kind=UnitKind.CELL,
            code="C1",
            name="Chi bộ 1",
            founded=dt.date(1990, 1, 1),
        )
        born, admitted = dt.date(1980, 1, 1), dt.date(2010, 5, 19)
        members = [
            Member(
                code=f"DV{n}", full_name="Lê Văn A", birth_date=born, admitted=admitted, cell=cell
            )
            for n in range(2)
        ]
        cell.save()
        create_objects(Member, members)
        self.assertEqual(list(Member.objects.values_list("cell_id", flat=True)), [cell.pk] * 2)
        self.assertEqual(create_objects(Member, iter(())), 0)
