"""Taking organisations and collectives through the steps quickly, for the tests."""

from __future__ import annotations

from decimal import Decimal

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle, Level, UnitEvaluation, UnitEvaluationKind
from xeploai.reviews.actions import units
from xeploai.reviews.sheets import collective_form, spread
from xeploai.units.models import Unit

from .flow import SECTIONS


def unit_evaluation(
    unit: Unit, cycle: Cycle, kind: UnitEvaluationKind = UnitEvaluationKind.ORGANISATION
) -> UnitEvaluation:
    return UnitEvaluation.objects.select_related("unit", "cycle").get(
        unit=unit, cycle=cycle, kind=kind
    )


def report(
    *, regime_cycle: Cycle, general: int = 28, task_results: int = 65, **fields: object
) -> units.UnitReviewData:
    """A complete report: sections, a score sheet with these totals, all tasks done."""
    form = collective_form(regime_cycle.settings.regime)
    data = units.UnitReviewData(
        sections=SECTIONS,
        scores=spread(Decimal(general), form.general)
        | spread(Decimal(task_results), form.task_results),
        tasks_done=Decimal(100),
        tasks_exceeded=Decimal(40),
        level_self=Level.EXCELLENT,
    )
    for name, value in fields.items():
        setattr(data, name, value)
    return data


def submit_unit(evaluation: UnitEvaluation, by: User) -> UnitEvaluation:
    data = report(regime_cycle=evaluation.cycle)
    evaluation = units.save_unit_review(evaluation, by=by, version=evaluation.version, data=data)
    return units.submit_unit_review(evaluation, by=by, version=evaluation.version)


def propose_unit(evaluation: UnitEvaluation, by: User, level: Level) -> UnitEvaluation:
    return units.propose_unit(evaluation, by=by, level=level, note="Thẩm định: thống nhất")
