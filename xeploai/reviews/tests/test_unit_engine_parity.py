"""The engine on the command line and the application give the same level for the same facts
(docs/rules-cli.md): organisations and collectives are taken through the actions into
different situations, their facts computed as the application computes them, written as the
JSON `xeploai rules classify` reads, and its answer compared with the application's verdict."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import TestCase

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    make_cycle,
    make_discipline,
    make_evaluation,
    make_member,
    make_personas,
    make_unit,
    make_user,
)
from xeploai.cycles.models import (
    Cycle,
    Level,
    MemberEvaluation,
    Status,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import DisciplineForm, Post, PostKind
from xeploai.reviews import actions
from xeploai.reviews.actions import units
from xeploai.reviews.models import ConclusionKind, PeerKind
from xeploai.reviews.rules import computed_unit_facts, unit_verdict
from xeploai.rules import Regime, UnitFacts
from xeploai.rules import Status as EngineStatus
from xeploai.rules.regimes import Method
from xeploai.units.models import UnitKind

from .flow import DECISION, proposed_commune
from .unit_flow import report, unit_evaluation

ORGANISATION, COLLECTIVE = UnitEvaluationKind.ORGANISATION, UnitEvaluationKind.COLLECTIVE


def subject_id(evaluation: UnitEvaluation) -> str:
    """An organisation and its collective share the unit's code: the file tells them apart."""
    return f"{evaluation.unit.code}/{evaluation.kind}"


def number(value: Decimal) -> int | float:
    """A JSON number for a Decimal of whole or half points, as a person would write it."""
    return int(value) if value == value.to_integral_value() else float(value)


def facts_json(evaluation: UnitEvaluation, facts: UnitFacts) -> dict[str, Any]:
    """The subject as docs/rules-cli.md describes it: every fact the engine reads."""
    subject: dict[str, Any] = {
        "id": subject_id(evaluation),
        "type": "unit",
        "kind": facts.kind.value,
        "founded": facts.founded.isoformat(),
        "above_grassroots": not facts.grassroots_or_cell,
        "disciplined": facts.disciplined,
        "subunits": facts.subunits,
        "subunits_disciplined": facts.subunits_disciplined,
        "leadership_discipline": [form.name for form in facts.leadership_discipline],
        "disunity": facts.disunity,
        "degraded_member": facts.degraded_member,
        "weaknesses": {"total": facts.weaknesses.total, "fixed": facts.weaknesses.fixed},
    }
    if facts.tasks is not None:
        tasks: dict[str, Any] = {
            "done": number(facts.tasks.done_percent),
            "late": number(facts.tasks.late_percent),
            "exceeded": number(facts.tasks.exceeded_percent),
            "force_majeure": facts.tasks.force_majeure,
        }
        if facts.tasks.key_targets_missed is not None:
            tasks["key_targets_missed"] = facts.tasks.key_targets_missed
        subject["tasks"] = tasks
    if facts.score is not None:
        subject["score"] = {
            "general": number(facts.score.general),
            "task_results": number(facts.score.task_results),
        }
    if facts.grades is not None:
        subject["grades"] = {criterion: grade.name for criterion, grade in facts.grades.items()}
    if facts.sub_results:
        subject["sub_results"] = [level.name for level in facts.sub_results]
    if facts.peer_levels:
        subject["peer_levels"] = [level.name for level in facts.peer_levels]
    return subject


class UnitEngineParityTestCase(TestCase):
    """Each organisation and collective of the personas' district, and of a second commune,
    in a situation of its own, under QD366 (2026) and HD21 (2018)."""

    def setUp(self) -> None:
        p = self.p = make_personas()
        # The district's standing committee decides the communes; records conclusions on them.
        self.thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
        self.commune2 = make_unit(
            p.district,
            kind=UnitKind.GRASSROOTS_COMMITTEE,
            code="DB-XA2",
            name="Đảng bộ xã Hoa Sơn",
        )
        self.cell_c = make_unit(self.commune2, code="CB-C", name="Chi bộ xóm 3")
        self.cell_d = make_unit(self.commune2, code="CB-D", name="Chi bộ xóm 4")
        # Too new to be classified (R5): the CLI must say NOT_CLASSIFIED too.
        make_unit(self.commune2, code="CB-MOI", name="Chi bộ mới", founded=dt.date(2026, 9, 1))
        self.chi2 = make_user("chi2", roles=((RoleKind.GRASSROOTS_OFFICER, self.commune2),))
        # Members of the commune's leadership: one reprimanded in 2026, one warned in 2018.
        self.leader("Phó Bí thư Đảng ủy", dt.date(2026, 5, 4))
        self.leader("Ủy viên Ban Thường vụ Đảng ủy", dt.date(2018, 6, 12))

    def leader(self, title: str, decided: dt.date) -> None:
        member = make_member(self.cell_d)  # a cell whose members nothing here decides
        Post.objects.create(
            member=member,
            kind=PostKind.PARTY,
            title=title,
            unit=self.p.commune,
            start=dt.date(2015, 1, 1),
        )
        form = DisciplineForm.REPRIMAND if decided.year == 2026 else DisciplineForm.WARNING
        make_discipline(member, decided, form)

    def draft(self, evaluation: UnitEvaluation, by: User, **fields: Any) -> UnitEvaluation:
        settings = evaluation.cycle.settings
        if settings.method is not Method.SCORE:
            fields.setdefault("grades", dict.fromkeys(settings.unit_criteria, "GOOD"))
        data = report(regime_cycle=evaluation.cycle, **fields)
        return units.save_unit_review(evaluation, by=by, version=evaluation.version, data=data)

    def submitted(self, evaluation: UnitEvaluation, by: User, **fields: Any) -> UnitEvaluation:
        e = self.draft(evaluation, by, **fields)
        return units.submit_unit_review(e, by=by, version=e.version)

    def conclude(self, evaluation: UnitEvaluation, by: User, kind: ConclusionKind) -> None:
        units.record_conclusion(
            evaluation,
            by=by,
            kind=kind,
            document_number="7-KL/UBKT",
            document_date=dt.date(evaluation.cycle.year, 8, 1),
            reason="Kết luận của Ủy ban Kiểm tra",
        )

    def qd366(self) -> Cycle:
        """2026: the personas' commune with its members and cells decided; the second commune
        with a cell disciplined and a collective concluded to be disunited."""
        p, cycle = self.p, make_cycle(2026)
        proposed_commune(p, cycle, an=Level.GOOD)
        members = MemberEvaluation.objects.filter(cycle=cycle, cell__in=(p.cell_a, p.cell_b))
        actions.decide(
            p.commune,
            cycle=cycle,
            by=p.chi,
            levels={e.pk: Level.GOOD for e in members},
            decision=DECISION,
        )
        actions.open_cycle(self.commune2, cycle=cycle, by=self.chi2)
        # Cell A: under half its targets, key targets missed, but by force majeure (R10).
        cell_a = self.submitted(
            unit_evaluation(p.cell_a, cycle),
            p.binh,
            tasks_done=Decimal(45),
            key_targets_missed=True,
            force_majeure=True,
            level_self=Level.NOT_COMPLETED,
        )
        # Cell B: a plain good year, proposed and decided by the commune.
        cell_b = self.submitted(unit_evaluation(p.cell_b, cycle), p.em, general=27)
        for e, level in ((cell_a, Level.NOT_COMPLETED), (cell_b, Level.GOOD)):
            units.propose_unit(e, by=p.chi, level=level, note="Thẩm định: thống nhất")
        units.decide_units(
            p.commune,
            cycle=cycle,
            by=p.chi,
            levels={cell_a.pk: Level.NOT_COMPLETED, cell_b.pk: Level.GOOD},
            decision=DECISION,
        )
        # The commune: under half its targets, key targets missed, no force majeure (R10);
        # its collective with a member of its leadership reprimanded in the year (R20).
        self.submitted(
            unit_evaluation(p.commune, cycle),
            p.chi,
            tasks_done=Decimal(40),
            key_targets_missed=True,
            level_self=Level.NOT_COMPLETED,
        )
        self.submitted(unit_evaluation(p.commune, cycle, COLLECTIVE), p.chi, general=29)
        # The second commune: cell C disciplined (R24 on itself, and on its commune: one of
        # two sub-units), cell D with late tasks; the collective disunited (R25).
        for cell, fields in ((self.cell_c, {}), (self.cell_d, {"tasks_late": Decimal(10)})):
            self.draft(unit_evaluation(cell, cycle), self.chi2, **fields)
        self.conclude(unit_evaluation(self.cell_c, cycle), self.chi2, ConclusionKind.DISCIPLINED)
        self.draft(unit_evaluation(self.commune2, cycle), self.chi2, weaknesses_total=3)
        collective = unit_evaluation(self.commune2, cycle, COLLECTIVE)
        self.draft(collective, self.chi2)
        self.conclude(collective, self.thuong, ConclusionKind.DISUNITY)
        return cycle

    def hd21(self) -> Cycle:
        """2018: criterion grades; cell A with few of its members GOOD (R21), cell B with a
        mass organisation below GOOD (R22); the commune's collective with a member of its
        leadership warned (R23)."""
        p, cycle = self.p, make_cycle(2018, Regime.HD21)
        units.open_units(p.commune, cycle=cycle)
        for level in (Level.GOOD, Level.COMPLETED, Level.COMPLETED):
            make_evaluation(
                make_member(p.cell_a), cycle, status=Status.CLASSIFIED, level_decided=level
            )
        excellent = dict.fromkeys(cycle.settings.unit_criteria, "EXCELLENT")
        self.draft(unit_evaluation(p.cell_a, cycle), p.binh, grades=excellent)
        cell_b = self.draft(unit_evaluation(p.cell_b, cycle), p.em, grades=excellent)
        units.record_peer_result(
            cell_b,
            by=p.em,
            kind=PeerKind.MASS,
            name="Chi hội Nông dân xóm 2",
            level=Level.COMPLETED,
            source="QĐ 3/QĐ-HND ngày 20/12/2018",
        )
        self.draft(unit_evaluation(p.commune, cycle), p.chi)
        self.draft(unit_evaluation(p.commune, cycle, COLLECTIVE), p.chi, grades=excellent)
        return cycle

    def classify_with_cli(self, cycle: Cycle, directory: Path) -> dict[str, dict[str, Any]]:
        """The CLI's answer on the facts of every classifiable evaluation of `cycle`."""
        evaluations = UnitEvaluation.objects.filter(cycle=cycle).select_related("unit", "cycle")
        subjects = [facts_json(e, computed_unit_facts(e)) for e in evaluations]
        period = cycle.period
        path = directory / f"{cycle.year}.json"
        data = {
            "regime": cycle.regime,
            "reference_date": period.reference_date.isoformat(),
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "subjects": [s for s in subjects if self.classifiable(s["id"], cycle)],
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        out = io.StringIO()
        call_command("rules", "classify", str(path), stdout=out)
        return {r["id"]: r for r in json.loads(out.getvalue())["results"]}

    def classifiable(self, subject: str, cycle: Cycle) -> bool:
        """Whether the application has all the facts it needs (the CLI refuses a subject
        with a missing sheet rather than answer PENDING)."""
        code, kind = subject.split("/")
        e = UnitEvaluation.objects.select_related("unit", "cycle").get(
            cycle=cycle, unit__code=code, kind=kind
        )
        return unit_verdict(e).status is not EngineStatus.PENDING

    def test_it_gives_the_applications_level_for_the_same_facts(self) -> None:
        cycles = [self.qd366(), self.hd21()]
        seen: dict[int, set[str]] = {}
        with tempfile.TemporaryDirectory() as directory:
            for cycle in cycles:
                answers = self.classify_with_cli(cycle, Path(directory))
                rows = UnitEvaluation.objects.filter(cycle=cycle).select_related("unit", "cycle")
                compared = 0
                for e in rows:
                    verdict = unit_verdict(e)
                    if verdict.status is EngineStatus.PENDING:
                        continue
                    answer = answers[subject_id(e)]
                    with self.subTest(cycle=cycle.year, subject=subject_id(e)):
                        level = verdict.level.name if verdict.level else None
                        self.assertEqual(
                            (answer["status"], answer["level"]), (verdict.status.value, level)
                        )
                        self.assertEqual(
                            [(r["rule"], r["text"]) for r in answer["reasons"]],
                            [(r.rule, r.text) for r in verdict.reasons],
                        )
                    seen.setdefault(cycle.year, set()).update(r.rule for r in verdict.reasons)
                    compared += 1
                self.assertEqual(compared, len(answers))
        # The situations the subjects were taken into are those the engine saw.
        self.assertLessEqual({"R5", "R10", "R20", "R24", "R25"}, seen[2026])
        self.assertLessEqual({"R21", "R22", "R23"}, seen[2018])
        levels = {
            (e.unit.code, e.kind, e.cycle.year): unit_verdict(e).level
            for e in UnitEvaluation.objects.select_related("unit", "cycle")
        }
        self.assertEqual(levels[("CB-B", ORGANISATION, 2026)], Level.EXCELLENT)
        self.assertEqual(levels[("DB-XA", COLLECTIVE, 2026)], Level.GOOD)  # R20
        self.assertEqual(levels[("DB-XA2", ORGANISATION, 2026)], Level.NOT_COMPLETED)  # R24
        self.assertEqual(levels[("CB-A", ORGANISATION, 2018)], Level.GOOD)  # R21
        self.assertEqual(levels[("CB-B", ORGANISATION, 2018)], Level.GOOD)  # R22
        self.assertEqual(levels[("DB-XA", COLLECTIVE, 2018)], Level.NOT_COMPLETED)  # R23
        self.assertEqual(levels[("DB-XA2", COLLECTIVE, 2026)], Level.NOT_COMPLETED)  # R25
