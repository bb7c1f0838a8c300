"""Every step of the member review (DOMAIN.md 4, R29-R33): each an atomic function that checks
where the evaluation stands, records who did what, appends history, then advances (STYLE.md 5-6).

A step refused for a reason the user can act on raises `ReviewError` with a Vietnamese message;
acting without the power to do so raises `PermissionDenied`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, acting_role
from xeploai.cycles.models import Cycle, Level, MemberEvaluation, Status, Step
from xeploai.cycles.rules import member_verdict
from xeploai.members.models import Member
from xeploai.reports import tally
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal as QuotaProposal
from xeploai.rules import QuotaResult, Reason, check_proposals, check_quota
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import GRASSROOTS_KINDS, SEGMENT, Unit

from . import history
from .history import Actor
from .models import (
    REQUIRED_SECTIONS,
    SECTIONS,
    ActingRole,
    Action,
    FollowUp,
    Input,
    InputKind,
    Meeting,
    Proposal,
    QuotaException,
    SelfReview,
)
from .rules import grassroots_of, member_form, missing_inputs
from .sheets import Item, form_by_code

# A review meeting is valid when at least two thirds of the members summoned attend.
QUORUM = Decimal(2) / 3


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


def _actor(by: User, power: Power, unit: Unit) -> Actor:
    role = acting_role(by, power, unit.path)
    if role is None:
        raise PermissionDenied
    kind, unit_id = role
    return Actor(by, ActingRole(kind), unit_id)


def _locked(evaluation: MemberEvaluation, *steps: Step) -> MemberEvaluation:
    """The evaluation re-read under a row lock, refused unless it stands at one of `steps`."""
    # of=("self",): lock the evaluation only, not the cycle, member and cell joined to it.
    locked = MemberEvaluation.objects.select_for_update(of=("self",)).select_related(
        "cycle", "member", "cell"
    )
    current = locked.get(pk=evaluation.pk)
    if steps and current.step not in steps:
        raise ReviewError(
            _("Không thực hiện được: kết quả của đồng chí {name} đang ở bước “{step}”.").format(
                name=current.member.full_name, step=Step(current.step).label
            )
        )
    return current


class DraftConflict(ReviewError):
    """The self-review was saved elsewhere since the user's copy was read: by someone else,
    or by the same user in another tab or on another device. `version` is the one saved."""

    def __init__(self, message: str, *, version: int):
        super().__init__(message)
        self.version = version


def _check_draft(evaluation: MemberEvaluation, version: int, by: User) -> None:
    """Optimistic locking of the self-review: refused if it was saved since the user's copy
    was read at `version`, whoever saved it. A page saving as the member types sends the
    version of its own last save, so only a copy written elsewhere is refused."""
    if evaluation.version == version:
        return
    last = SelfReview.objects.filter(evaluation=evaluation).values_list("updated_by", flat=True)
    if last.first() == by.pk:
        message = _(
            "Bản kiểm điểm vừa được lưu ở một trang hoặc thiết bị khác sau khi trang này được mở."
        )
    else:
        message = _("Bản kiểm điểm vừa được người khác lưu sau khi trang này được mở.")
    raise DraftConflict(message, version=evaluation.version)


def _save(evaluation: MemberEvaluation, *fields: str) -> None:
    evaluation.version += 1
    evaluation.save(update_fields=[*fields, "version"])


# --- Opening ---------------------------------------------------------------------------------


@transaction.atomic
def open_cycle(unit: Unit, *, cycle: Cycle, by: User) -> int:
    """Create the evaluation of every current member under `unit` who has none in `cycle`,
    and record at once those the rules keep out of the review (R2-R4). Returns how many."""
    _actor(by, Power.OPEN, unit)
    if cycle.closed:
        raise ReviewError(_("Kỳ đánh giá đã kết thúc."))
    members = (
        Member.objects.current()
        .in_subtree(unit)
        .exclude(evaluations__cycle=cycle)
        .select_related("cell")
        .prefetch_related("status_periods", "disciplines__counted_in")
    )
    rows = [_new_evaluation(member, cycle) for member in members]
    MemberEvaluation.objects.bulk_create(rows, batch_size=1000)
    tally.touched(rows)
    return len(rows)


def enrol(member: Member, *, cycle: Cycle) -> MemberEvaluation:
    """A member added or transferred in after the cycle opened joins it in their cell."""
    existing = MemberEvaluation.objects.filter(member=member, cycle=cycle).first()
    if existing is not None:
        return existing
    evaluation = _new_evaluation(member, cycle)
    evaluation.save()
    return evaluation


@transaction.atomic
@tally.deferred()
def follow_member(member: Member) -> MemberEvaluation | None:
    """Keep a member's evaluation of the open cycle in step with their record: one added after
    the cycle opened for their grassroots unit joins it; one transferred before their cell
    proposed a level moves to the receiving cell, which classifies them (R7); one who became
    exempt or suspended, or left the party, leaves the review, and comes back if that ends."""
    cycle = Cycle.objects.current()
    if cycle is None:
        return None
    evaluation = MemberEvaluation.objects.filter(member=member, cycle=cycle).first()
    if evaluation is None:
        group = grassroots_of(member.cell)
        opened = MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=group.path)
        if member.left is not None or not opened.exists():
            return None
        return enrol(member, cycle=cycle)
    if evaluation.step not in (Step.NOT_REVIEWED, Step.SELF_REVIEW, Step.SUBMITTED):
        return evaluation  # proposed or later: changes go through the steps
    evaluation = _locked(evaluation)
    fresh = _new_evaluation(member, cycle)
    if member.left is not None:
        fresh.step, fresh.status = Step.NOT_REVIEWED, Status.NOT_CLASSIFIED
        fresh.status_reason = _("Ra khỏi Đảng ngày {day}").format(day=f"{member.left:%d/%m/%Y}")
    if fresh.step == Step.NOT_REVIEWED:
        evaluation.step = Step.NOT_REVIEWED
    elif evaluation.step == Step.NOT_REVIEWED:
        evaluation.step = Step.SELF_REVIEW
    evaluation.status, evaluation.status_reason = fresh.status, fresh.status_reason
    tally.touched([evaluation])  # the cell it leaves, if it moves
    evaluation.cell, evaluation.unit_path = member.cell, member.cell.path
    _save(evaluation, "step", "status", "status_reason", "cell", "unit_path")
    return evaluation


def _new_evaluation(member: Member, cycle: Cycle) -> MemberEvaluation:
    verdict = member_verdict(member, None, cycle)
    evaluation = MemberEvaluation(
        member=member, cycle=cycle, cell=member.cell, unit_path=member.cell.path
    )
    if verdict.status in (EngineStatus.EXEMPT, EngineStatus.NOT_CLASSIFIED):
        evaluation.status = verdict.status.value
        evaluation.status_reason = "; ".join(r.text for r in verdict.reasons)[:255]
    if not verdict.reviewed:
        evaluation.step = Step.NOT_REVIEWED
    return evaluation


# --- Self-review -----------------------------------------------------------------------------


@dataclasses.dataclass
class SelfReviewData:
    """What the self-review form carries; every field optional while it is a draft."""

    sections: Mapping[str, str] = dataclasses.field(default_factory=dict)
    scores: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    grades: Mapping[str, str] = dataclasses.field(default_factory=dict)
    tasks_done: Decimal | None = None
    tasks_late: Decimal = Decimal(0)
    tasks_exceeded: Decimal = Decimal(0)
    state_level: str = ""
    manifestations: Sequence[int] = ()
    follow_ups: Mapping[int, tuple[str, bool]] = dataclasses.field(default_factory=dict)
    level_self: Level | None = None


def _self_actor(evaluation: MemberEvaluation, by: User) -> Actor:
    if by.member_id == evaluation.member_id:
        return Actor(by, ActingRole.MEMBER, evaluation.cell_id)
    return _actor(by, Power.ASSIST, evaluation.cell)


def open_follow_ups(evaluation: MemberEvaluation) -> list[FollowUp]:
    """The weaknesses this self-review must report on (R37): last cycle's, and older ones
    still not fixed."""
    cycle = evaluation.cycle
    return list(
        FollowUp.objects.filter(member_id=evaluation.member_id, cycle__start__lt=cycle.start)
        .filter(Q(fixed=False) | Q(cycle__year=cycle.year - 1))
        .select_related("cycle")
    )


@transaction.atomic
def save_self_review(
    evaluation: MemberEvaluation, *, by: User, version: int, data: SelfReviewData
) -> MemberEvaluation:
    """Save the draft; refused if someone saved in between (optimistic lock) or if submitted."""
    actor = _self_actor(evaluation, by)
    evaluation = _locked(evaluation, Step.SELF_REVIEW)
    _check_draft(evaluation, version, by)
    review, _created = SelfReview.objects.get_or_create(
        evaluation=evaluation,
        defaults={"form": member_form(evaluation.member, evaluation.cycle).code},
    )
    form = form_by_code(evaluation.cycle.settings.regime, review.form)
    review.updated_by = by
    # Whoever else writes in a member's form is recorded, not only who submits it.
    review.assisted = review.assisted or actor.role is not ActingRole.MEMBER
    review.sections = {k: v.strip() for k, v in data.sections.items() if k in SECTIONS}
    review.scores = {
        item.code: str(data.scores[item.code]) for item in form.items() if item.code in data.scores
    }
    for item in form.items():
        value = data.scores.get(item.code)
        if value is not None and not Decimal(0) <= value <= item.max:
            raise ReviewError(
                _("Điểm “{item}” phải từ 0 đến {max}.").format(item=item.text, max=item.max)
            )
    review.save()
    review.manifestations.set(data.manifestations)
    follow_ups = open_follow_ups(evaluation)
    for follow_up in follow_ups:
        if follow_up.pk in data.follow_ups:
            follow_up.result, follow_up.fixed = data.follow_ups[follow_up.pk]
            follow_up.save(update_fields=["result", "fixed"])
    e = evaluation
    e.score_general = _sum(data.scores, form.general) if form.scored else None
    e.score_task_results = _sum(data.scores, form.task_results) if form.scored else None
    criteria = e.cycle.settings.member_criteria
    e.grades = {c: data.grades[c] for c in criteria if data.grades.get(c)} or None
    e.tasks_done, e.tasks_late, e.tasks_exceeded = (
        data.tasks_done,
        data.tasks_late,
        data.tasks_exceeded,
    )
    e.state_level = data.state_level
    e.weaknesses_total = len(follow_ups)
    e.weaknesses_fixed = sum(1 for f in follow_ups if f.fixed)
    e.level_self = data.level_self
    _save(
        e,
        "score_general",
        "score_task_results",
        "grades",
        "tasks_done",
        "tasks_late",
        "tasks_exceeded",
        "state_level",
        "weaknesses_total",
        "weaknesses_fixed",
        "level_self",
    )
    return e


def _sum(scores: Mapping[str, Decimal], items: Iterable[Item]) -> Decimal | None:
    """The total of a part of the score sheet, once every item of it is scored."""
    total = Decimal(0)
    for item in items:
        value = scores.get(item.code)
        if value is None:
            return None
        total += value
    return total


@transaction.atomic
def submit_self_review(evaluation: MemberEvaluation, *, by: User, version: int) -> MemberEvaluation:
    """Lock the form and hand it to the cell; refused while a required part is empty."""
    actor = _self_actor(evaluation, by)
    evaluation = _locked(evaluation, Step.SELF_REVIEW)
    _check_draft(evaluation, version, by)
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    gaps = [str(SECTIONS[k]) for k in REQUIRED_SECTIONS if not (review and review.sections.get(k))]
    verdict = member_verdict(evaluation.member, evaluation, evaluation.cycle)
    if verdict.status is EngineStatus.PENDING:
        gaps.append(str(verdict.reasons[-1].text))
    if evaluation.level_self is None:
        gaps.append(_("Tự xếp loại"))
    if gaps:
        raise ReviewError(_("Bản kiểm điểm còn thiếu: {gaps}.").format(gaps="; ".join(gaps)))
    assert review is not None
    review.submitted, review.submitted_by = timezone.now(), by
    review.assisted = review.assisted or actor.role is not ActingRole.MEMBER
    review.save(update_fields=["submitted", "submitted_by", "assisted"])
    evaluation.step = Step.SUBMITTED
    _save(evaluation, "step")
    history.append(
        evaluation,
        actor=actor,
        action=Action.SUBMIT,
        level_from=None,
        level_to=evaluation.level_self,
        reason=_("Bí thư chi bộ nhập thay") if review.assisted else "",
    )
    return evaluation


# --- Inputs ----------------------------------------------------------------------------------


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
        _actor(by, Power.INPUT, source_unit)
    else:
        _actor(by, Power.INPUT, evaluation.cell)
        from_paper = True
    evaluation = _locked(evaluation, Step.SELF_REVIEW, Step.SUBMITTED)
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
    _actor(by, Power.PROPOSE, cell)
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
    actor = _actor(by, Power.PROPOSE, evaluation.cell)
    evaluation = _locked(evaluation, Step.SUBMITTED)
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
    _check_allowed(evaluation, data.level)
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
    before = evaluation.level_proposed
    evaluation.level_proposed, evaluation.step = data.level, Step.PROPOSED
    _save(evaluation, "level_proposed", "step")
    history.append(
        evaluation,
        actor=actor,
        action=Action.PROPOSE,
        level_from=before or evaluation.level_self,
        level_to=data.level,
    )
    return proposal


def _check_allowed(evaluation: MemberEvaluation, level: Level | int) -> None:
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


# --- Decision --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Decision:
    number: str
    date: dt.date


@dataclasses.dataclass(frozen=True)
class QuotaExemption:
    """An accepted breach of the quota (R27): the deciding body's reason and decision."""

    reason: str
    decision: Decision


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
    actor = _actor(by, Power.DECIDE, group)
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
        if evaluation.step != Step.PROPOSED:
            raise ReviewError(
                _("Kết quả của đồng chí {name} đang ở bước “{step}”.").format(
                    name=evaluation.member.full_name, step=Step(evaluation.step).label
                )
            )
        _check_allowed(evaluation, levels[evaluation.pk])
    result, names = _quota(group, cycle, in_group, levels)
    covered = QuotaException.objects.covering(cycle, group, result.excellent).exists()
    if not result.within and not covered:
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
            excellent=result.excellent,
            allowed=result.allowed,
            reason=exemption.reason.strip(),
            decision_number=exemption.decision.number,
            decision_date=exemption.decision.date,
            recorded_by=by,
        )
    for evaluation in chosen.values():
        level = levels[evaluation.pk]
        evaluation.level_decided, evaluation.step = level, Step.DECIDED
        evaluation.status = Status.CLASSIFIED
        _save(evaluation, "level_decided", "step", "status")
        history.append(
            evaluation,
            actor=actor,
            action=Action.DECIDE,
            level_from=evaluation.level_proposed,
            level_to=level,
            decision_number=decision.number,
            decision_date=decision.date,
        )
    return list(chosen.values())


def _check_quota_kept(group: Unit, cycle: Cycle, changes: Mapping[int, Level | int]) -> None:
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


# --- Appraisal, return, re-opening, publication ----------------------------------------------


@transaction.atomic
def appraise(
    evaluation: MemberEvaluation, *, by: User, level: Level | None = None, reason: str = ""
) -> MemberEvaluation:
    """The superior approves the decided level, or adjusts it with a reason (step APPRAISED)."""
    actor = _actor(by, Power.APPRAISE, evaluation.cell)
    group = Unit.objects.select_for_update().get(pk=grassroots_of(evaluation.cell).pk)
    evaluation = _locked(evaluation, Step.DECIDED)
    assert evaluation.level_decided is not None  # every DECIDED evaluation has its level
    final = level or Level(evaluation.level_decided)
    adjusted = final != evaluation.level_decided
    if adjusted and not reason.strip():
        raise ReviewError(_("Điều chỉnh kết quả cần ghi rõ lý do."))
    # Facts may have changed since the decision (a late discipline): the ceiling holds here too,
    # and so does the quota, whichever way the level moves (a lower GOOD shrinks it).
    _check_allowed(evaluation, final)
    _check_quota_kept(group, evaluation.cycle, {evaluation.pk: final})
    evaluation.level_final, evaluation.step = final, Step.APPRAISED
    _save(evaluation, "level_final", "step")
    history.append(
        evaluation,
        actor=actor,
        action=Action.ADJUST if adjusted else Action.APPROVE,
        level_from=evaluation.level_decided,
        level_to=final,
        reason=reason.strip(),
    )
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
    actor = _actor(by, Power.APPRAISE, evaluation.cell)
    evaluation = _locked(evaluation, Step.DECIDED, Step.APPRAISED)
    if not comment.strip():
        raise ReviewError(_("Trả lại cần ghi rõ ý kiến."))
    if evaluation.step == Step.APPRAISED:
        before, evaluation.level_final, evaluation.step = (
            evaluation.level_final,
            None,
            Step.DECIDED,
        )
    else:
        before, evaluation.level_decided, evaluation.step = (
            evaluation.level_decided,
            None,
            Step.PROPOSED,
        )
        evaluation.status = Status.PENDING  # no longer decided
    _save(evaluation, "level_final", "level_decided", "step", "status")
    history.append(
        evaluation,
        actor=actor,
        action=Action.RETURN,
        level_from=before,
        level_to=None,
        reason=comment.strip(),
    )
    return evaluation


@transaction.atomic
def reopen(evaluation: MemberEvaluation, *, by: User, reason: str) -> MemberEvaluation:
    """Only the superior re-opens a decided result, for a complaint, a denunciation or a sign
    of violation (R31); it goes back to the cell, which meets, proposes and is decided again."""
    actor = _actor(by, Power.APPRAISE, evaluation.cell)
    evaluation = _locked(evaluation, Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)
    if not reason.strip():
        raise ReviewError(_("Mở lại kết quả cần ghi rõ lý do."))
    before = evaluation.level_final or evaluation.level_decided
    evaluation.level_proposed = evaluation.level_decided = evaluation.level_final = None
    evaluation.step, evaluation.status = Step.SUBMITTED, Status.PENDING
    _save(evaluation, "level_proposed", "level_decided", "level_final", "step", "status")
    history.append(
        evaluation,
        actor=actor,
        action=Action.REOPEN,
        level_from=before,
        level_to=None,
        reason=reason.strip(),
    )
    return evaluation


@transaction.atomic
def publish(unit: Unit, *, cycle: Cycle, by: User) -> int:
    """Publish the appraised results under `unit`; refused while any is not yet appraised."""
    actor = _actor(by, Power.DECIDE, unit)
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
        _check_allowed(evaluation, Level(evaluation.level_final or Level.NOT_COMPLETED))
    for evaluation in evaluations:
        evaluation.step = Step.PUBLISHED
        _save(evaluation, "step")
        history.append(
            evaluation,
            actor=actor,
            action=Action.PUBLISH,
            level_from=evaluation.level_final,
            level_to=evaluation.level_final,
        )
    return len(evaluations)


def quota_standings(unit: Unit, cycle: Cycle) -> list[tuple[Unit, QuotaResult]]:
    """The quota of every group under `unit` (itself included), in tree order, counted in
    one grouped query: the latest level of each member, as `_quota` reads it."""
    groups = list(Unit.objects.in_subtree(unit).filter(kind__in=GRASSROOTS_KINDS).order_by("path"))
    counts: dict[str, Counter[int]] = {g.path: Counter() for g in groups}
    rows = (
        MemberEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        .exclude(step=Step.NOT_REVIEWED)
        .annotate(latest=LATEST_LEVEL)
        .filter(latest__in=(Level.EXCELLENT, Level.GOOD))
        .values("unit_path", "latest")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        # The group is the one ancestor of the evaluation's cell that is a grassroots unit.
        for end in range(SEGMENT, len(r["unit_path"]) + 1, SEGMENT):
            if r["unit_path"][:end] in counts:
                counts[r["unit_path"][:end]][r["latest"]] += r["n"]
                break
    return [
        (
            g,
            check_quota(
                g.code, counts[g.path][Level.GOOD], counts[g.path][Level.EXCELLENT], cycle.settings
            ),
        )
        for g in groups
    ]


def quota_standing(
    group: Unit, cycle: Cycle, changes: Mapping[int, Level | int] | None = None
) -> tuple[QuotaResult, list[str]]:
    """The group's quota as its latest levels stand now, or would stand after `changes`,
    and who would have to drop."""
    evaluations = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=group.path
    ).select_related("member")
    return _quota(group, cycle, evaluations, changes or {})
