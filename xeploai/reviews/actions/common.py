"""What every step of the review shares: its refusals, who acts, the row lock, the ceiling."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, acting_role
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
)
from xeploai.cycles.rules import member_verdict
from xeploai.rules import QuotaResult, Reason, Verdict
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit

from .. import history, machine
from ..history import Actor
from ..models import ActingRole, Action, ChainedChange, QuotaException
from ..sheets import Form

NAMES_SHOWN = 5  # a refusal names this many of the people it concerns, then counts the rest


class ReviewError(Exception):
    """A step refused for a reason the user can act on; `reasons` says what the rules found."""

    def __init__(self, message: str, *, reasons: Sequence[Reason] = (), names: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.reasons = tuple(reasons)
        self.names = tuple(names)

    def explanation(self) -> str:
        """The message, the names it concerns (the first few and how many more) and the
        rules' reasons, as one text."""
        names = ", ".join(self.names[:NAMES_SHOWN])
        if len(self.names) > NAMES_SHOWN:
            names = _("{names} và {n} đồng chí khác").format(
                names=names, n=len(self.names) - NAMES_SHOWN
            )
        return " ".join([self.message, names, *(r.text for r in self.reasons)])


class QuotaBreach(ReviewError):
    def __init__(self, message: str, *, result: QuotaResult, names: Sequence[str]):
        super().__init__(message, names=names)
        self.result = result


@dataclasses.dataclass(frozen=True)
class Decision:
    number: str
    date: dt.date


@dataclasses.dataclass(frozen=True)
class QuotaExemption:
    """An accepted breach of the quota (R27): the deciding body's reason and decision."""

    reason: str
    decision: Decision


def actor_for(by: User, power: Power, unit: Unit) -> Actor:
    """Who acts, through the role that gives them `power` over `unit`; refused without one."""
    role = acting_role(by, power, unit.path)
    if role is None:
        raise PermissionDenied
    kind, unit_id = role
    return Actor(by, ActingRole(kind), unit_id)


E = TypeVar("E", MemberEvaluation, UnitEvaluation, LeaderEvaluation)

# What a step reads of an evaluation besides its own row.
_RELATED: dict[type[Any], tuple[str, ...]] = {
    MemberEvaluation: ("cycle", "member", "cell"),
    UnitEvaluation: ("cycle", "unit"),
    LeaderEvaluation: ("cycle", "member", "post__post_title", "unit"),
}


def locked(evaluation: E, *steps: Step) -> E:
    """The evaluation re-read under a row lock, refused unless it stands at one of `steps`
    (for a move of the review, `machine.sources(action)`)."""
    model = type(evaluation)
    # of=("self",): lock the evaluation only, not the rows joined to it.
    rows = model.objects.select_for_update(of=("self",)).select_related(*_RELATED[model])
    current = rows.get(pk=evaluation.pk)
    if steps and current.step not in steps:
        raise ReviewError(
            _("Không thực hiện được: kết quả của {who} đang ở bước “{step}”.").format(
                who=current.who(), step=Step(current.step).label
            )
        )
    return current


class StepRefused(Exception):
    """`advance` called from a step its action may not start from: a caller's mistake, since
    every step re-reads its evaluation under lock at `sources(action)` first."""


def advance(
    evaluation: machine.Evaluation,
    action: Action,
    *,
    actor: Actor,
    level: Level | int | None = None,
    reason: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    also: tuple[str, ...] = (),
) -> ChainedChange:
    """Move the evaluation, which the caller re-read under its row lock (`locked`), by
    `action` as `machine.TRANSITIONS` says: set the level the action sets (to `level`, or to
    the one the form already holds), clear those it clears, leave its status, save it with
    the fields in `also`, and append the history row."""
    move = machine.transition(action, evaluation.step)
    if move is None:
        raise StepRefused(f"{action} from {evaluation.step}")
    level_from = move.level_from(evaluation)
    if move.sets and level is not None:
        setattr(evaluation, move.sets, level)
    for field in move.clears:
        setattr(evaluation, field, None)
    evaluation.step = move.target
    fields = ["step", *([move.sets] if move.sets else []), *move.clears, *also]
    if move.status is not None:
        evaluation.status = move.status
        fields.append("status")
    evaluation.version += 1
    evaluation.save(update_fields=[*dict.fromkeys(fields), "version"])
    return history.append(
        evaluation,
        actor=actor,
        action=action,
        level_from=level_from,
        level_to=move.level_to(evaluation),
        reason=reason,
        decision_number=decision_number,
        decision_date=decision_date,
    )


def save(evaluation: machine.Evaluation, *fields: str) -> None:
    """Save what a step changed outside the moves of the machine, counting a new version."""
    evaluation.version += 1
    evaluation.save(update_fields=[*fields, "version"])


def check_allowed(evaluation: MemberEvaluation, level: Level | int) -> None:
    """Refuse a level better than what the engine allows, with the engine's reasons."""
    verdict = member_verdict(evaluation.member, evaluation, evaluation.cycle)
    if verdict.status is not EngineStatus.CLASSIFIED or verdict.level is None:
        raise ReviewError(
            _("Đồng chí {name} không được xếp loại trong kỳ này.").format(
                name=evaluation.member.full_name
            ),
            reasons=verdict.reasons,
        )
    if level < verdict.level:  # a smaller number is a better level
        raise ReviewError(
            _("Đồng chí {name} chỉ được xếp loại tối đa “{max}”.").format(
                name=evaluation.member.full_name, max=Level(verdict.level).label
            ),
            reasons=verdict.reasons,
        )


def settle_breach(
    result: QuotaResult,
    names: Sequence[str],
    exemption: QuotaExemption | None,
    *,
    cycle: Cycle,
    group: Unit,
    by: User,
    subject: str = "members",
    field_type: str = "",
) -> None:
    """A group over its quota (R27): refused, naming who would have to drop, unless the
    deciding body's exemption is given, which is then recorded with its reason and decision."""
    if exemption is None:
        raise QuotaBreach(
            _(
                "Vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ: {excellent} xuất sắc, tối đa"
                " {allowed} (trên {good} hoàn thành tốt). Cần hạ {drop} đề xuất xuống"
                " “Hoàn thành tốt nhiệm vụ” hoặc ghi nhận ngoại lệ có lý do và số quyết định."
            ).format(
                excellent=result.excellent,
                allowed=result.allowed,
                good=result.good,
                drop=result.must_drop,
            ),
            result=result,
            names=names,
        )
    if not exemption.reason.strip():
        raise ReviewError(_("Ngoại lệ về tỷ lệ cần ghi rõ lý do."))
    QuotaException.objects.create(
        cycle=cycle,
        group=group,
        subject=subject,
        field_type=field_type,
        excellent=result.excellent,
        allowed=result.allowed,
        reason=exemption.reason.strip(),
        decision_number=exemption.decision.number,
        decision_date=exemption.decision.date,
        recorded_by=by,
    )


def check_scores(sheet: Form, scores: Mapping[str, Decimal]) -> None:
    """Refuse a score outside its item's range."""
    for item in sheet.items():
        value = scores.get(item.code)
        if value is not None and not Decimal(0) <= value <= item.max:
            raise ReviewError(
                _("Điểm “{item}” phải từ 0 đến {max}.").format(item=item.text, max=item.max)
            )


def send_back(evaluation: E, *, actor: Actor, comment: str) -> E:
    """The superior sends a result back one step with a comment: appraised → decided,
    decided → proposed; for any subject, `actor` acting through the power the subject's
    transition needs."""
    e = locked(evaluation, *machine.sources(Action.RETURN))
    if not comment.strip():
        raise ReviewError(_("Trả lại cần ghi rõ ý kiến."))
    advance(e, Action.RETURN, actor=actor, reason=comment.strip())
    return e


def reopen_result(evaluation: E, *, actor: Actor, reason: str) -> E:
    """Only the superior re-opens a decided result, with a reason (R31): back to before the
    proposal, where its facts may be corrected."""
    e = locked(evaluation, *machine.sources(Action.REOPEN))
    if not reason.strip():
        raise ReviewError(_("Mở lại kết quả cần ghi rõ lý do."))
    advance(e, Action.REOPEN, actor=actor, reason=reason.strip())
    return e


def opening_state(verdict: Verdict) -> tuple[str, str, str]:
    """The status, its reason and the step of a member's or a unit's evaluation as the review
    opens for them: out of it where the rules keep them out (R2-R5)."""
    status, reason = Status.PENDING.value, ""
    if verdict.status in (EngineStatus.EXEMPT, EngineStatus.NOT_CLASSIFIED):
        status = verdict.status.value
        reason = "; ".join(r.text for r in verdict.reasons)[:255]
    return status, reason, (Step.SELF_REVIEW if verdict.reviewed else Step.NOT_REVIEWED).value
