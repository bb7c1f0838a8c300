"""The review of leaders as leaders (DOMAIN.md 3-4, R10, R16, R20, R26, R27, R30, R32): the
same steps as a member's, in the leadership collective of each post's unit, through the same
machine (`machine.TRANSITIONS`, the leader's power column).

The leader writes their report (Mẫu 2B); the collective's meeting, recorded by whoever drafts
the collective's report at that unit, reviews its head first, then its deputies, then its
members, after the collective itself (R30), and proposes a level; the committee that manages
the cadre decides, once the unit a head heads is final (R16), within the quota of equivalent
posts (R26-R27); the superior appraises, sends back or re-opens. A leader holding several
posts is reviewed at each and classified only at the highest (R32).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member
from xeploai.oversight.rules import unexplained
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal as QuotaProposal
from xeploai.rules import QuotaResult, check_proposals
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit

from .. import machine
from ..history import Actor
from ..leaders import (
    decider_of,
    deciders,
    leader_form,
    leader_verdict,
    leading_posts,
    placed,
    quota_key,
)
from ..models import (
    REQUIRED_SECTIONS,
    SECTIONS,
    ActingRole,
    Action,
    LeaderSelfReview,
    QuotaException,
)
from .common import (
    Decision,
    QuotaExemption,
    ReviewError,
    actor_for,
    advance,
    check_scores,
    locked,
    reopen_result,
    save,
    send_back,
    settle_breach,
)
from .self_review import DraftConflict, ReportData, score_total

SUBJECT = "leaders"  # the quota exceptions of leaders' groups (`QuotaException.subject`)


def _actor(evaluation: LeaderEvaluation, action: Action, by: User) -> Actor:
    """Who takes `action`: the leader for their report; for the collective's meeting, the
    role that drafts at the post's unit; else the role over the committee that decides."""
    if action == Action.SUBMIT:
        if by.member_id != evaluation.member_id:
            message = _("Chỉ đồng chí {name} viết bản kiểm điểm của mình.")
            raise ReviewError(message.format(name=evaluation.member.full_name))
        return Actor(by, ActingRole.MEMBER, evaluation.unit_id)
    power = machine.power_for_leaders(action)
    where = evaluation.unit if action == Action.PROPOSE else _decider(evaluation)
    return actor_for(by, power, where)


def _decider(evaluation: LeaderEvaluation) -> Unit:
    decider = decider_of(evaluation)
    if decider is None:
        raise ReviewError(_("Không có cấp quyết định xếp loại {who}.").format(who=evaluation.who()))
    return decider


# --- Opening ---------------------------------------------------------------------------------


def open_leaders(unit: Unit, *, cycle: Cycle) -> int:
    """Create the evaluations of the leading posts held at units under `unit` at the cycle's
    reference date that have none: one per post, classified at the holder's highest post
    wherever it is (R32). Returns how many."""
    day = cycle.reference_date
    holders = set(
        Member.objects.filter(Q(left__isnull=True) | Q(left__gt=day))
        .filter(  # one post that meets every condition
            Q(posts__end__isnull=True) | Q(posts__end__gte=day),
            posts__unit__path__startswith=unit.path,
            posts__leader=True,
            posts__start__lte=day,
        )
        .values_list("pk", flat=True)
    )
    posts = leading_posts(holders, cycle)
    top = placed(posts)
    existing = set(
        LeaderEvaluation.objects.filter(cycle=cycle, post__in=posts).values_list(
            "post_id", flat=True
        )
    )
    rows = []
    for post in posts:
        if post.pk in existing or not post.unit.path.startswith(unit.path):
            continue
        classified = top[post.member_id].pk == post.pk
        row = LeaderEvaluation(
            cycle=cycle,
            member_id=post.member_id,
            post=post,
            unit=post.unit,
            unit_path=post.unit.path,
            tier=post.tier,
            head=post.head,
            classified=classified,
        )
        if not classified:
            highest = top[post.member_id]
            row.status = Status.NOT_CLASSIFIED
            row.status_reason = _(
                "Xếp loại với tư cách cán bộ lãnh đạo, quản lý tại {unit} ({title})"
            ).format(unit=highest.unit.name, title=highest.title)[:255]
        rows.append(row)
    LeaderEvaluation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- The leader's report ---------------------------------------------------------------------


def _check_version(evaluation: LeaderEvaluation, version: int) -> None:
    if evaluation.version != version:
        raise DraftConflict(
            _("Bản kiểm điểm vừa được lưu ở nơi khác sau khi trang này được mở."),
            version=evaluation.version,
        )


@transaction.atomic
def save_leader_review(
    evaluation: LeaderEvaluation, *, by: User, version: int, data: ReportData
) -> LeaderEvaluation:
    """Save the draft of the leader's report (Mẫu 2B): sections, score sheet or grades, their
    own tasks and self-level; refused if saved elsewhere in between or once submitted."""
    _actor(evaluation, Action.SUBMIT, by)
    e = locked(evaluation, Step.SELF_REVIEW)
    _check_version(e, version)
    form = leader_form(e)
    review, _created = LeaderSelfReview.objects.get_or_create(
        evaluation=e, defaults={"form": form.code}
    )
    check_scores(form, data.scores)
    review.sections = {k: v.strip() for k, v in data.sections.items() if k in SECTIONS}
    review.scores = {
        i.code: str(data.scores[i.code]) for i in form.items() if i.code in data.scores
    }
    review.updated_by = by
    review.save()
    e.score_general = score_total(data.scores, form.general) if form.scored else None
    e.score_task_results = score_total(data.scores, form.task_results) if form.scored else None
    criteria = e.cycle.settings.member_criteria
    e.grades = {c: data.grades[c] for c in criteria if data.grades.get(c)} or None
    e.tasks_done, e.tasks_late, e.tasks_exceeded = (
        data.tasks_done,
        data.tasks_late,
        data.tasks_exceeded,
    )
    e.level_self = data.level_self
    save(e, *_REPORT_FIELDS)
    return e


_REPORT_FIELDS = (
    "score_general",
    "score_task_results",
    "grades",
    "tasks_done",
    "tasks_late",
    "tasks_exceeded",
    "level_self",
)


@transaction.atomic
def submit_leader_review(
    evaluation: LeaderEvaluation, *, by: User, version: int
) -> LeaderEvaluation:
    """Lock the report for the collective's meeting; refused while a required part is empty."""
    actor = _actor(evaluation, Action.SUBMIT, by)
    e = locked(evaluation, *machine.sources(Action.SUBMIT))
    _check_version(e, version)
    review = LeaderSelfReview.objects.filter(evaluation=e).first()
    gaps = [str(SECTIONS[k]) for k in REQUIRED_SECTIONS if not (review and review.sections.get(k))]
    if e.tasks_done is None:
        gaps.append(_("Kết quả thực hiện nhiệm vụ"))
    if e.classified and e.level_self is None:
        gaps.append(_("Tự xếp loại"))
    if pending := unexplained(e):
        gaps.append(_("giải trình {n} vấn đề cấp trên gợi ý kiểm điểm").format(n=pending))
    if gaps:
        raise ReviewError(_("Bản kiểm điểm còn thiếu: {gaps}.").format(gaps="; ".join(gaps)))
    assert review is not None
    review.submitted, review.submitted_by = timezone.now(), by
    review.save(update_fields=["submitted", "submitted_by"])
    advance(e, Action.SUBMIT, actor=actor)
    return e


# --- The collective's meeting ----------------------------------------------------------------


def check_leader_allowed(
    evaluation: LeaderEvaluation, level: Level | int, *, unit_final: bool = True
) -> None:
    """Refuse a level better than what the engine allows the leader, with its reasons; a
    head waits for the level of the unit they head (R16), unless asked not to
    (`leaders.leader_facts`)."""
    verdict = leader_verdict(evaluation, unit_final=unit_final)
    if verdict.status is not EngineStatus.CLASSIFIED or verdict.level is None:
        raise ReviewError(
            _("Chưa xếp loại được {who}.").format(who=evaluation.who()), reasons=verdict.reasons
        )
    if level < verdict.level:  # a smaller number is a better level
        raise ReviewError(
            _("{who} chỉ được xếp loại tối đa “{max}”.").format(
                who=evaluation.who(), max=Level(verdict.level).label
            ),
            reasons=verdict.reasons,
        )


def check_meeting_order(evaluation: LeaderEvaluation) -> None:
    """R30 in the collective's meeting: the collective is reviewed first, then its head,
    its deputies, its members."""
    collective = UnitEvaluation.objects.filter(
        cycle=evaluation.cycle, unit=evaluation.unit, kind=UnitEvaluationKind.COLLECTIVE
    ).first()
    if collective is not None and collective.step == Step.SELF_REVIEW:
        raise ReviewError(
            _(
                "Chưa kiểm điểm được {who}: tập thể lãnh đạo {unit} kiểm điểm trước, báo cáo"
                " kiểm điểm của tập thể chưa được nộp."
            ).format(who=evaluation.who(), unit=evaluation.unit.name)
        )
    before = (
        LeaderEvaluation.objects.filter(
            cycle=evaluation.cycle,
            unit=evaluation.unit,
            tier__lt=evaluation.tier,
            step__in=(Step.SELF_REVIEW, Step.SUBMITTED),
        )
        .select_related("member", "post")
        .order_by("tier", "member__full_name")
    )
    waiting = [e.who() for e in before]
    if waiting:
        raise ReviewError(
            _(
                "Chưa kiểm điểm được {who}: người đứng đầu, rồi cấp phó được kiểm điểm trước."
            ).format(who=evaluation.who()),
            names=waiting,
        )


@transaction.atomic
def propose_leader(
    evaluation: LeaderEvaluation, *, by: User, level: Level, conclusion: str
) -> LeaderEvaluation:
    """The collective's meeting reviews the leader and proposes a level (R30 order), within
    what the rules allow where the leader is classified, the unit they head capping them
    only if already final; elsewhere its level is an opinion for the place where they are
    classified."""
    actor = _actor(evaluation, Action.PROPOSE, by)
    e = locked(evaluation, *machine.sources(Action.PROPOSE))
    if not conclusion.strip():
        raise ReviewError(_("Cần ghi kết luận của hội nghị kiểm điểm."))
    check_meeting_order(e)
    if e.classified:
        check_leader_allowed(e, level, unit_final=False)
    advance(e, Action.PROPOSE, actor=actor, level=level, reason=conclusion.strip())
    return e


# --- Decision --------------------------------------------------------------------------------


def decided_by(decider: Unit, cycle: Cycle) -> list[LeaderEvaluation]:
    """The leaders whose level the committee decides: classified at a post under it whose
    deciding committee, counted as the post's title says, is this one."""
    rows = list(
        LeaderEvaluation.objects.filter(
            cycle=cycle, classified=True, unit_path__startswith=decider.path
        )
        .select_related("member", "post__post_title", "unit", "cycle")
        .order_by("unit_path", "tier", "member__full_name")
    )
    by = deciders(rows)
    return [e for e in rows if by[e.pk] is not None and by[e.pk].pk == decider.pk]  # type: ignore[union-attr]


def leader_quota(
    decider: Unit,
    cycle: Cycle,
    evaluations: Iterable[LeaderEvaluation],
    changes: Mapping[int, Level | int] | None = None,
) -> dict[str, tuple[QuotaResult, list[str]]]:
    """R26 over each group of equivalent posts the committee decides, at their latest levels
    as they would stand after `changes`, and who would have to drop."""
    changes = changes or {}
    proposals: dict[str, list[QuotaProposal]] = defaultdict(list)
    names: dict[str, str] = {}
    for e in evaluations:
        level = changes.get(e.pk) or e.level_final or e.level_decided or e.level_proposed
        if level is None or e.step == Step.NOT_REVIEWED:
            continue
        rank = Decimal(e.total_score or 0)
        proposals[quota_key(e, cycle.settings)].append(
            QuotaProposal(str(e.pk), EngineLevel(level), rank)
        )
        names[str(e.pk)] = e.who()
    found = {}
    for key, group in proposals.items():
        result = check_proposals(f"{decider.code}/{SUBJECT}/{key}", group, cycle.settings)
        found[key] = result, [names[pk] for pk in result.drop]
    return found


def _covered(decider: Unit, cycle: Cycle, key: str, result: QuotaResult) -> bool:
    return QuotaException.objects.covering_units(
        cycle, decider, kind=SUBJECT, field_type=key, excellent=result.excellent
    ).exists()


@transaction.atomic
def decide_leaders(
    decider: Unit,
    *,
    cycle: Cycle,
    by: User,
    levels: Mapping[int, Level],
    decision: Decision,
    exemption: QuotaExemption | None = None,
) -> list[LeaderEvaluation]:
    """The committee that manages the cadres decides the levels of proposed leaders (step
    DECIDED): a head once the unit they head is final (R16), each under their ceiling, within
    the quota of equivalent posts. The committee's row is locked first, so two deciders
    never check the quota on the same counts (R27)."""
    actor = actor_for(by, machine.power_for_leaders(Action.DECIDE), decider)
    if not decision.number.strip():
        raise ReviewError(_("Cần số quyết định."))
    decider = Unit.objects.select_for_update().get(pk=decider.pk)
    rows = {e.pk: e for e in decided_by(decider, cycle)}
    if not set(levels) <= set(rows):
        raise ReviewError(_("Có kết quả không thuộc đơn vị này."))
    chosen = [locked(rows[pk], *machine.sources(Action.DECIDE)) for pk in levels]
    for e in chosen:
        rows[e.pk] = e
        check_leader_allowed(e, levels[e.pk])
    for key, (result, names) in leader_quota(decider, cycle, rows.values(), levels).items():
        if result.within or _covered(decider, cycle, key, result):
            continue
        if not any(quota_key(e, cycle.settings) == key for e in chosen):
            continue  # a group this decision does not touch
        settle_breach(
            result,
            names,
            exemption,
            cycle=cycle,
            group=decider,
            by=by,
            subject=SUBJECT,
            field_type=key,
        )
    for e in chosen:
        advance(
            e,
            Action.DECIDE,
            actor=actor,
            level=levels[e.pk],
            decision_number=decision.number,
            decision_date=decision.date,
        )
    return chosen


# --- Appraisal, return, re-opening, publication ----------------------------------------------


@transaction.atomic
def appraise_leader(
    evaluation: LeaderEvaluation, *, by: User, level: Level | None = None, reason: str = ""
) -> LeaderEvaluation:
    """The superior approves the decided level, or adjusts it with a reason; the ceiling and
    the quota hold here too."""
    actor = _actor(evaluation, Action.APPROVE, by)
    decider = Unit.objects.select_for_update().get(pk=_decider(evaluation).pk)
    e = locked(evaluation, *machine.sources(Action.APPROVE))
    assert e.level_decided is not None  # every DECIDED evaluation has its level
    final = level or Level(e.level_decided)
    adjusted = final != e.level_decided
    if adjusted and not reason.strip():
        raise ReviewError(_("Điều chỉnh kết quả cần ghi rõ lý do."))
    check_leader_allowed(e, final)
    standing = leader_quota(decider, e.cycle, decided_by(decider, e.cycle), {e.pk: final})
    key = quota_key(e, e.cycle.settings)
    result, _names = standing.get(key, (None, []))
    if result is not None and not result.within and not _covered(decider, e.cycle, key, result):
        raise ReviewError(
            _(
                "Không thực hiện được: nhóm sẽ vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ"
                " ({excellent} xuất sắc, tối đa {allowed})."
            ).format(excellent=result.excellent, allowed=result.allowed)
        )
    action = Action.ADJUST if adjusted else Action.APPROVE
    advance(e, action, actor=actor, level=final, reason=reason.strip())
    return e


@transaction.atomic
def return_leader(evaluation: LeaderEvaluation, *, by: User, comment: str) -> LeaderEvaluation:
    """The superior sends a result back one step with a comment."""
    return send_back(evaluation, actor=_actor(evaluation, Action.RETURN, by), comment=comment)


@transaction.atomic
def reopen_leader(evaluation: LeaderEvaluation, *, by: User, reason: str) -> LeaderEvaluation:
    """Only the superior re-opens a decided result, with a reason (R31)."""
    return reopen_result(evaluation, actor=_actor(evaluation, Action.REOPEN, by), reason=reason)


@transaction.atomic
def publish_leaders(decider: Unit, *, cycle: Cycle, by: User) -> int:
    """Publish the appraised results of the leaders the committee decides; refused while any
    is not appraised."""
    actor = actor_for(by, machine.power_for_leaders(Action.PUBLISH), decider)
    rows = [
        e
        for e in decided_by(decider, cycle)
        if e.step not in (Step.NOT_REVIEWED, Step.PUBLISHED)
        and e.status not in (Status.EXEMPT, Status.NOT_CLASSIFIED)
    ]
    waiting = [e.who() for e in rows if e.step != Step.APPRAISED]
    if waiting:
        raise ReviewError(_("Còn kết quả chưa được thẩm định."), names=waiting)
    for e in rows:
        e = locked(e, *machine.sources(Action.PUBLISH))
        advance(e, Action.PUBLISH, actor=actor)
    return len(rows)


__all__ = [
    "appraise_leader",
    "check_leader_allowed",
    "check_meeting_order",
    "decide_leaders",
    "decided_by",
    "leader_quota",
    "open_leaders",
    "propose_leader",
    "publish_leaders",
    "reopen_leader",
    "return_leader",
    "save_leader_review",
    "submit_leader_review",
]
