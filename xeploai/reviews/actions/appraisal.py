"""The superior's part (DOMAIN.md 4 steps 5-6): appraisal, with or without an adjustment,
a result sent back, a decided result re-opened (R31), and publication."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Status, Step
from xeploai.reports import tally
from xeploai.units.models import Unit

from .. import machine
from ..models import Action
from ..rules import grassroots_of
from .common import (
    ReviewError,
    actor_for,
    advance,
    check_allowed,
    locked,
    reopen_result,
    send_back,
)
from .decision import check_quota_kept


@transaction.atomic
def appraise(
    evaluation: MemberEvaluation, *, by: User, level: Level | None = None, reason: str = ""
) -> MemberEvaluation:
    """The superior approves the decided level, or adjusts it with a reason (step APPRAISED)."""
    actor = actor_for(by, machine.power(Action.APPROVE), evaluation.cell)
    group = Unit.objects.select_for_update().get(pk=grassroots_of(evaluation.cell).pk)
    evaluation = locked(evaluation, *machine.sources(Action.APPROVE))
    assert evaluation.level_decided is not None  # every DECIDED evaluation has its level
    final = level or Level(evaluation.level_decided)
    adjusted = final != evaluation.level_decided
    if adjusted and not reason.strip():
        raise ReviewError(_("Điều chỉnh kết quả cần ghi rõ lý do."))
    # Facts may have changed since the decision (a late discipline): the ceiling holds here too,
    # and so does the quota, whichever way the level moves (a lower GOOD shrinks it).
    check_allowed(evaluation, final)
    check_quota_kept(group, evaluation.cycle, {evaluation.pk: final})
    action = Action.ADJUST if adjusted else Action.APPROVE
    advance(evaluation, action, actor=actor, level=final, reason=reason.strip())
    return evaluation


@transaction.atomic
@tally.deferred()
def appraise_all(group: Unit, *, cycle: Cycle, by: User) -> int:
    """Approve every decided result of a grassroots unit: all of them or, on any refusal,
    none."""
    decided = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path, step=Step.DECIDED
    )
    evaluations = list(decided)
    for evaluation in evaluations:
        appraise(evaluation, by=by)
    return len(evaluations)


@transaction.atomic
def return_to_previous(evaluation: MemberEvaluation, *, by: User, comment: str) -> MemberEvaluation:
    """The superior sends a result back one step with a comment: appraised → decided,
    decided → proposed."""
    actor = actor_for(by, machine.power(Action.RETURN), evaluation.cell)
    return send_back(evaluation, actor=actor, comment=comment)


@transaction.atomic
def reopen(evaluation: MemberEvaluation, *, by: User, reason: str) -> MemberEvaluation:
    """Only the superior re-opens a decided result, for a complaint, a denunciation or a sign
    of violation (R31); it goes back to the cell, which meets, proposes and is decided again."""
    actor = actor_for(by, machine.power(Action.REOPEN), evaluation.cell)
    return reopen_result(evaluation, actor=actor, reason=reason)


@transaction.atomic
def publish(unit: Unit, *, cycle: Cycle, by: User) -> int:
    """Publish the appraised results under `unit`; refused while any is not yet appraised."""
    actor = actor_for(by, machine.power(Action.PUBLISH), unit)
    evaluations = list(
        MemberEvaluation.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, unit_path__startswith=unit.path)
        .exclude(step__in=[Step.NOT_REVIEWED, Step.PUBLISHED])
        .select_related("member", "cycle", "cell")
    )
    # Reviewed but given no level (HD21's new or suspended members) wait on nobody.
    evaluations = [e for e in evaluations if e.status not in (Status.EXEMPT, Status.NOT_CLASSIFIED)]
    waiting = [e.member.full_name for e in evaluations if e.step != Step.APPRAISED]
    if waiting:
        raise ReviewError(_("Còn kết quả chưa được thẩm định."), names=waiting)
    for evaluation in evaluations:
        check_allowed(evaluation, Level(evaluation.level_final or Level.NOT_COMPLETED))
    for evaluation in evaluations:
        advance(evaluation, Action.PUBLISH, actor=actor)
    return len(evaluations)
