"""The decision (DOMAIN.md 4 step 4): the grassroots unit decides its members' levels within
the quota (R26-R27), each under the engine's ceiling, the group's row locked so that two
deciders never check the quota on the same counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.members.models import StateResult
from xeploai.reports import tally
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal as QuotaProposal
from xeploai.rules import QuotaResult, check_proposals
from xeploai.units.models import Unit

from .. import machine
from ..models import Action, QuotaException
from .common import (
    Decision,
    QuotaExemption,
    ReviewError,
    actor_for,
    advance,
    check_allowed,
    settle_breach,
)


@transaction.atomic
@tally.deferred()
def decide(
    group: Unit,
    *,
    cycle: Cycle,
    by: User,
    levels: Mapping[int, Level],
    decision: Decision,
    exemption: QuotaExemption | None = None,
) -> list[MemberEvaluation]:
    """Decide the levels of proposed members of one grassroots unit (step DECIDED).

    The group's row is locked first, so two deciders never check the quota on the same
    counts (R27); a breach is refused unless an exemption is recorded."""
    actor = actor_for(by, machine.power(Action.DECIDE), group)
    if not decision.number.strip():
        raise ReviewError(_("Cần số quyết định."))
    group = Unit.objects.select_for_update().get(pk=group.pk)
    in_group = list(
        MemberEvaluation.objects.select_for_update(of=("self",))
        .filter(cycle=cycle, unit_path__startswith=group.path)
        .select_related("member", "cycle", "cell")
    )
    chosen = {e.pk: e for e in in_group if e.pk in levels}
    if len(chosen) != len(levels):
        raise ReviewError(_("Có kết quả không thuộc đơn vị này."))
    for evaluation in chosen.values():
        if evaluation.step not in machine.sources(Action.DECIDE):
            raise ReviewError(
                _("Kết quả của đồng chí {name} đang ở bước “{step}”.").format(
                    name=evaluation.member.full_name, step=Step(evaluation.step).label
                )
            )
        check_allowed(evaluation, levels[evaluation.pk])
    if cycle.state_result_required:
        _check_state_results(cycle, chosen.values())
    result, names = _quota(group, cycle, in_group, levels)
    covered = QuotaException.objects.covering(cycle, group, result.excellent).exists()
    if not result.within and not covered:
        settle_breach(result, names, exemption, cycle=cycle, group=group, by=by)
    for evaluation in chosen.values():
        advance(
            evaluation,
            Action.DECIDE,
            actor=actor,
            level=levels[evaluation.pk],
            decision_number=decision.number,
            decision_date=decision.date,
        )
    return list(chosen.values())


def _check_state_results(cycle: Cycle, evaluations: Iterable[MemberEvaluation]) -> None:
    """Where the cycle requires it, refuse to decide a civil servant whose state evaluation of
    the year is not recorded yet (R12, R17)."""
    servants = {e.member_id: e.member for e in evaluations if e.member.civil_servant}
    rated = set(
        StateResult.objects.filter(member__in=list(servants), year=cycle.year).values_list(
            "member_id", flat=True
        )
    )
    missing = [m.full_name for pk, m in servants.items() if pk not in rated]
    if missing:
        raise ReviewError(
            _(
                "Chưa quyết định được: chưa có kết quả đánh giá, xếp loại công chức, viên chức"
                " năm {year}:"
            ).format(year=cycle.year),
            names=missing,
        )


def check_quota_kept(group: Unit, cycle: Cycle, changes: Mapping[int, Level | int]) -> None:
    """Refuse changes that leave the group over its quota, unless an exception recorded for
    the group in this cycle covers that many excellent results (R27)."""
    evaluations = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path
    ).select_related("member")
    result, _names = _quota(group, cycle, evaluations, changes)
    covered = QuotaException.objects.covering(cycle, group, result.excellent).exists()
    if not result.within and not covered:
        raise ReviewError(
            _(
                "Không thực hiện được: đơn vị sẽ vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ"
                " ({excellent} xuất sắc, tối đa {allowed})."
            ).format(excellent=result.excellent, allowed=result.allowed)
        )


# The latest level of a result, as `_quota` reads it: final, decided, else proposed.
LATEST_LEVEL = Coalesce("level_final", "level_decided", "level_proposed")


def _quota(
    group: Unit,
    cycle: Cycle,
    evaluations: Iterable[MemberEvaluation],
    changes: Mapping[int, Level | int],
) -> tuple[QuotaResult, list[str]]:
    """R26 over the group's levels as they would stand after `changes`: the latest level of
    each member (final, decided, else proposed), and the names that would have to drop."""
    proposals, names = [], {}
    for e in evaluations:
        level = changes.get(e.pk) or e.level_final or e.level_decided or e.level_proposed
        if level is None or e.step == Step.NOT_REVIEWED:
            continue
        rank = (e.score_general or 0) + (e.score_task_results or 0)
        proposals.append(QuotaProposal(str(e.pk), EngineLevel(level), Decimal(rank)))
        names[str(e.pk)] = e.member.full_name
    result = check_proposals(group.code, proposals, cycle.settings)
    return result, [names[pk] for pk in result.drop]


def quota_standing(
    group: Unit, cycle: Cycle, changes: Mapping[int, Level | int] | None = None
) -> tuple[QuotaResult, list[str]]:
    """The group's quota as its latest levels stand now, or would stand after `changes`,
    and who would have to drop."""
    evaluations = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path
    ).select_related("member")
    return _quota(group, cycle, evaluations, changes or {})
