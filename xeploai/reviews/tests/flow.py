"""Taking evaluations through the steps quickly, for the tests of the later steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xeploai.accounts.models import User
from xeploai.core.testing import Personas
from xeploai.cycles.models import Cycle, Level, MemberEvaluation
from xeploai.members.models import Member
from xeploai.reviews import actions
from xeploai.reviews.rules import member_form
from xeploai.reviews.sheets import spread
from xeploai.units.models import Unit

SECTIONS = {"strengths": "Hoàn thành tốt công việc", "weaknesses": "Còn chậm", "plan": "Khắc phục"}


def scores_for(
    evaluation: MemberEvaluation, general: int = 28, task_results: int = 64
) -> dict[str, Decimal]:
    """A score sheet of the member's form with these totals, spread over its items."""
    form = member_form(evaluation.member, evaluation.cycle)
    return spread(Decimal(general), form.general) | spread(Decimal(task_results), form.task_results)


DECISION = actions.Decision("15-QĐ/ĐU", dt.date(2026, 12, 20))


def evaluation_of(member: Member, cycle: Cycle) -> MemberEvaluation:
    return MemberEvaluation.objects.get(member=member, cycle=cycle)


def submit(
    evaluation: MemberEvaluation,
    by: User,
    *,
    level: Level = Level.EXCELLENT,
    exceeded: Decimal = Decimal(40),
    scores: dict[str, Decimal] | None = None,
) -> MemberEvaluation:
    data = actions.SelfReviewData(
        sections=SECTIONS,
        scores=scores_for(evaluation) if scores is None else scores,
        tasks_done=Decimal(100),
        tasks_exceeded=exceeded,
        level_self=level,
    )
    evaluation = actions.save_self_review(evaluation, by=by, version=evaluation.version, data=data)
    return actions.submit_self_review(evaluation, by=by, version=evaluation.version)


def meet(cell: Unit, cycle: Cycle, by: User, *, summoned: int = 3, present: int = 3) -> None:
    actions.record_meeting(
        cell,
        cycle=cycle,
        by=by,
        data=actions.MeetingData(
            held_on=dt.date(2026, 11, 20), chair="Lê Văn Bình", summoned=summoned, present=present
        ),
    )


def propose(evaluation: MemberEvaluation, by: User, level: Level) -> MemberEvaluation:
    actions.propose(
        evaluation,
        by=by,
        data=actions.ProposalData(level=level, conclusion="Thống nhất", votes={level: 3}),
    )
    return MemberEvaluation.objects.get(pk=evaluation.pk)


def proposed_commune(p: Personas, cycle: Cycle, an: Level = Level.EXCELLENT) -> None:
    """Open the cycle for the personas' commune and bring An, Bình and Em to PROPOSED:
    An at `an`, the others at GOOD."""
    actions.open_cycle(p.commune, cycle=cycle, by=p.chi)
    meet(p.cell_a, cycle, p.binh)
    meet(p.cell_b, cycle, p.em)
    for member, user, secretary, level in (
        (p.an_member, p.an, p.binh, an),
        (p.binh.member, p.binh, p.binh, Level.GOOD),
        (p.em.member, p.em, p.em, Level.GOOD),
    ):
        assert member is not None
        propose(submit(evaluation_of(member, cycle), user), secretary, level)
