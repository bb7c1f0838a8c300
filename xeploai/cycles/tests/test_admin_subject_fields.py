"""In the admin, an evaluation keeps whose it is, its cycle and its cell, and its levels: a
superuser posting other values changes nothing of them (history R33, actions only)."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from xeploai.accounts.models import User
from xeploai.core.testing import PASSWORD, Personas, make_cycle, make_personas
from xeploai.cycles.models import (
    Cycle,
    Level,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.reviews.models import LevelChange
from xeploai.reviews.tests.flow import evaluation_of, proposed_commune

SUBJECT = {"member", "cycle", "cell"}
UNIT_SUBJECT = {"unit", "cycle", "kind"}
LEVELS = ("status", "level_self", "level_proposed", "level_decided", "level_final")


def posted(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The change form as the page fills it, with `changes` typed over it, ready to post."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {"_save": "1"}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is not None and value is not False:  # 0 is a value; an unticked box is not
            data[name] = value
    return data | changes


class AdminSubjectFieldsTestCase(TestCase):
    p: Personas
    cycle: Cycle
    other_cycle: Cycle
    admin: User
    browser: Client

    @classmethod
    def setUpTestData(cls) -> None:
        p = cls.p = make_personas()
        cls.cycle = make_cycle(2026)
        cls.other_cycle = make_cycle(2025, closed=True)
        proposed_commune(p, cls.cycle)
        cls.admin = User.objects.create_superuser("quantri", password=PASSWORD)

    def setUp(self) -> None:
        self.browser = self.p.client(self.admin)  # a superuser's

    def test_it_shows_the_subject_and_levels_of_an_evaluation_read_only(self) -> None:
        evaluation = evaluation_of(self.p.an_member, self.cycle)
        url = f"/quan-tri/cycles/memberevaluation/{evaluation.pk}/change/"
        form = self.browser.get(url).context["adminform"].form
        self.assertFalse((SUBJECT | {*LEVELS, "step", "unit_path"}) & set(form.fields))
        # Adding an evaluation still names its member, cycle and cell.
        add = self.browser.get("/quan-tri/cycles/memberevaluation/add/").context["adminform"].form
        self.assertLessEqual(SUBJECT, set(add.fields))
        self.assertFalse({*LEVELS, "step"} & set(add.fields))

    def test_it_ignores_a_posted_member_cycle_cell_or_level(self) -> None:
        evaluation = evaluation_of(self.p.an_member, self.cycle)
        kept = ["member_id", "cycle_id", "cell_id", "unit_path", "step", *LEVELS]
        before = MemberEvaluation.objects.filter(pk=evaluation.pk).values_list(*kept).get()
        assert self.p.em.member is not None
        url = f"/quan-tri/cycles/memberevaluation/{evaluation.pk}/change/"
        data = posted(
            self.browser,
            url,
            member=self.p.em.member.pk,
            cycle=self.other_cycle.pk,
            cell=self.p.cell_b.pk,
            unit_path=self.p.cell_b.path,
            step=Step.PUBLISHED,
            status=Status.CLASSIFIED,
            level_proposed=Level.NOT_COMPLETED,
            level_final=Level.NOT_COMPLETED,
            label="Sửa tay",
        )
        r = self.browser.post(url, data)
        self.assertEqual(r.status_code, 302)
        evaluation.refresh_from_db()
        self.assertEqual(evaluation.label, "Sửa tay")  # the form was saved
        after = MemberEvaluation.objects.filter(pk=evaluation.pk).values_list(*kept).get()
        self.assertEqual(after, before)

    def test_it_ignores_a_posted_unit_cycle_kind_or_level_of_a_units_evaluation(self) -> None:
        evaluation, _created = UnitEvaluation.objects.get_or_create(
            cycle=self.cycle,
            unit=self.p.cell_a,
            kind=UnitEvaluationKind.ORGANISATION,
            defaults={"unit_path": self.p.cell_a.path},
        )
        url = f"/quan-tri/cycles/unitevaluation/{evaluation.pk}/change/"
        data = posted(
            self.browser,
            url,
            unit=self.p.cell_b.pk,
            cycle=self.other_cycle.pk,
            kind=UnitEvaluationKind.COLLECTIVE,
            level_final=Level.EXCELLENT,
            label="Sửa tay",
        )
        self.assertEqual(self.browser.post(url, data).status_code, 302)
        evaluation.refresh_from_db()
        self.assertEqual(evaluation.label, "Sửa tay")
        self.assertEqual(
            (evaluation.unit, evaluation.cycle, evaluation.kind, evaluation.level_final),
            (self.p.cell_a, self.cycle, UnitEvaluationKind.ORGANISATION, None),
        )

    def test_it_keeps_the_level_history_read_only(self) -> None:
        change = LevelChange.objects.filter(evaluation__member=self.p.an_member).first()
        assert change is not None
        url = f"/quan-tri/reviews/levelchange/{change.pk}/change/"
        self.assertEqual(self.browser.get(url).status_code, 200)
        self.assertEqual(self.browser.post(url, {"reason": "Sửa tay"}).status_code, 403)
        self.assertEqual(self.browser.get("/quan-tri/reviews/levelchange/add/").status_code, 403)
        delete = self.browser.post(
            f"/quan-tri/reviews/levelchange/{change.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(delete.status_code, 403)
        self.assertTrue(LevelChange.objects.filter(pk=change.pk, reason=change.reason).exists())
