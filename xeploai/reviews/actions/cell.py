"""The cell's part (DOMAIN.md 4 steps 2-3): the comments a review needs (R7), the review
meeting and its quorum, and the level the meeting proposes for each member."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Step
from xeploai.units.models import Unit

from .. import machine
from ..models import Action, FollowUp, Input, InputKind, Meeting, Proposal
from ..rules import missing_inputs
from .common import ReviewError, actor_for, advance, check_allowed, locked

# A review meeting is valid when at least two thirds of the members summoned attend.
QUORUM = Decimal(2) / 3


@transaction.atomic
def add_input(
    evaluation: MemberEvaluation,
    *,
    by: User,
    kind: InputKind,
    source: str,
    text: str,
    from_paper: bool,
    source_unit: Unit | None = None,
) -> Input:
    """Record a comment: by its author (a role on the commenting cell) or, from a paper
    sheet, by the member's cell committee."""
    if source_unit is not None and not from_paper:
        actor_for(by, Power.INPUT, source_unit)
    else:
        actor_for(by, Power.INPUT, evaluation.cell)
        from_paper = True
    evaluation = locked(evaluation, Step.SELF_REVIEW, Step.SUBMITTED)
    if not text.strip():
        raise ReviewError(_("Chưa nhập nội dung nhận xét."))
    comment, _created = Input.objects.update_or_create(
        evaluation=evaluation,
        kind=kind,
        source=source,
        defaults={"text": text.strip(), "entered_by": by, "from_paper": from_paper},
    )
    return comment


# --- Cell meeting ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MeetingData:
    held_on: dt.date
    chair: str
    summoned: int
    present: int
    minutes_taker: str = ""
    absences: Sequence[Mapping[str, str]] = ()
    secret_ballot: bool = True


@transaction.atomic
def record_meeting(cell: Unit, *, cycle: Cycle, by: User, data: MeetingData) -> Meeting:
    """Record (or correct) the cell's review meeting; refused without a quorum."""
    actor_for(by, Power.PROPOSE, cell)
    if data.present > data.summoned:
        raise ReviewError(_("Số có mặt không thể lớn hơn số được triệu tập."))
    if data.summoned == 0 or Decimal(data.present) < QUORUM * data.summoned:
        raise ReviewError(
            _("Không đủ số lượng: cần ít nhất hai phần ba số đảng viên được triệu tập có mặt.")
        )
    if any(not a.get("reason", "").strip() for a in data.absences):
        raise ReviewError(_("Mỗi đảng viên vắng mặt cần có lý do."))
    if data.held_on > timezone.localdate():
        raise ReviewError(_("Ngày họp không thể sau hôm nay."))
    meeting, _created = Meeting.objects.update_or_create(
        cycle=cycle,
        cell=cell,
        defaults={
            **{f.name: getattr(data, f.name) for f in dataclasses.fields(data)},
            "absences": [dict(a) for a in data.absences],
            "recorded_by": by,
        },
    )
    return meeting


@dataclasses.dataclass(frozen=True)
class ProposalData:
    level: Level
    conclusion: str
    votes: Mapping[Level, int]
    comments: str = ""
    weaknesses: Sequence[str] = ()


@transaction.atomic
def propose(evaluation: MemberEvaluation, *, by: User, data: ProposalData) -> Proposal:
    """The meeting's conclusion and proposed level for one member (step PROPOSED).

    Refused while a required input is missing, or above what the rules allow."""
    actor = actor_for(by, machine.power(Action.PROPOSE), evaluation.cell)
    evaluation = locked(evaluation, *machine.sources(Action.PROPOSE))
    meeting = Meeting.objects.filter(cycle=evaluation.cycle, cell=evaluation.cell).first()
    if meeting is None:
        raise ReviewError(_("Chưa ghi nhận cuộc họp kiểm điểm của chi bộ."))
    missing = missing_inputs(evaluation)
    if missing:
        raise ReviewError(
            _("Còn thiếu ý kiến tham gia bắt buộc."), names=[m.label for m in missing]
        )
    if sum(data.votes.values()) > meeting.present:
        raise ReviewError(_("Tổng số phiếu lớn hơn số đảng viên có mặt."))
    if not data.conclusion.strip():
        raise ReviewError(_("Chưa nhập kết luận của chủ trì."))
    check_allowed(evaluation, data.level)
    proposal, _created = Proposal.objects.update_or_create(
        evaluation=evaluation,
        defaults={
            "meeting": meeting,
            "comments": data.comments.strip(),
            "conclusion": data.conclusion.strip(),
            "votes": {str(int(level)): count for level, count in data.votes.items()},
            "level": data.level,
        },
    )
    FollowUp.objects.filter(member_id=evaluation.member_id, cycle=evaluation.cycle).delete()
    FollowUp.objects.bulk_create(
        FollowUp(member_id=evaluation.member_id, cycle=evaluation.cycle, text=text.strip())
        for text in data.weaknesses
        if text.strip()
    )
    advance(evaluation, Action.PROPOSE, actor=actor, level=data.level)
    return proposal
