"""Versions written set-based (`record_versions`) are the versions simple_history writes."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import TestCase
from simple_history.utils import get_history_model_for_model

from xeploai.core.history import record_versions
from xeploai.core.testing import make_cycle, make_evaluation, make_member, make_unit, make_user
from xeploai.cycles.models import MemberEvaluation
from xeploai.members.models import Member
from xeploai.rules import Level

IGNORED = {"history_id", "history_date"}


def versions(model: type[Model]) -> list[dict[str, Any]]:
    history = get_history_model_for_model(model)
    rows = history.objects.order_by("history_id")
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in IGNORED}
        | {"history_user": row.history_user_id, "history_type": row.history_type}
        for row in rows
    ]


class RecordVersionsTestCase(TestCase):
    def setUp(self) -> None:
        self.cell = make_unit(make_unit())
        self.by = make_user("can-bo")

    def test_a_member_created_then_changed_has_the_versions_simple_history_writes(self) -> None:
        members = [make_member(self.cell, citizen_id=f"00108000000{n}") for n in range(3)]
        first = members[0]

        def write(versions_of: Any) -> list[dict[str, Any]]:
            Member.history.all().delete()
            Member.objects.filter(pk=first.pk).update(full_name="Nguyễn Văn Đầu")
            versions_of(members, True, self.by, "Nhập")
            Member.objects.filter(pk=first.pk).update(full_name="Trần Thị Đổi")
            versions_of([first], False, None, "Sửa")
            return versions(Member)

        def ours(objs: list[Member], created: bool, by: Any, reason: str) -> None:
            record_versions(Member, [m.pk for m in objs], created=created, by=by, reason=reason)

        def theirs(objs: list[Member], created: bool, by: Any, reason: str) -> None:
            for m in objs:
                m.refresh_from_db()
            Member.history.bulk_history_create(
                objs, update=not created, default_user=by, default_change_reason=reason
            )

        written = write(ours)
        self.assertEqual(written, write(theirs))
        self.assertEqual(
            [(v["full_name"], v["history_type"], v["history_user"]) for v in written],
            [
                ("Nguyễn Văn Đầu", "+", self.by.pk),
                (members[1].full_name, "+", self.by.pk),
                (members[2].full_name, "+", self.by.pk),
                ("Trần Thị Đổi", "~", None),
            ],
        )

    def test_an_evaluation_without_versions_on_save_gets_its_version(self) -> None:
        member = make_member(self.cell)
        evaluation = make_evaluation(member, make_cycle(), level_final=Level.GOOD)
        record_versions(
            MemberEvaluation, [evaluation.pk], created=False, by=self.by, reason="Nhập tệp"
        )
        version = evaluation.versions.get()
        self.assertEqual(
            (version.level_final, version.history_user, version.history_change_reason),
            (Level.GOOD, self.by, "Nhập tệp"),
        )

    def test_more_records_than_one_statement_takes(self) -> None:
        members = [make_member(self.cell) for _n in range(5)]
        with mock.patch("xeploai.core.history._VERSION_BATCH", 2):
            record_versions(Member, [m.pk for m in members], created=False, by=None, reason="")
        self.assertEqual(Member.history.filter(history_type="~").count(), 5)
