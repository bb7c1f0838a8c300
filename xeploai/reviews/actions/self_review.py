"""The self-review (DOMAIN.md 4 step 1): drafts saved as the member types, with optimistic
locking across tabs and devices, then submitted to the cell (R29, R37)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power
from xeploai.cycles.models import Level, MemberEvaluation, Step
from xeploai.cycles.rules import member_verdict
from xeploai.oversight.rules import unexplained
from xeploai.rules import Status as EngineStatus

from .. import machine
from ..history import Actor
from ..models import REQUIRED_SECTIONS, SECTIONS, ActingRole, Action, FollowUp, SelfReview
from ..rules import member_form
from ..sheets import Item, form_by_code
from .common import ReviewError, actor_for, advance, check_scores, locked, save


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


@dataclasses.dataclass
class ReportData:
    """What every self-review form carries, a member's or a collective's; every field
    optional while it is a draft."""

    sections: Mapping[str, str] = dataclasses.field(default_factory=dict)
    scores: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    grades: Mapping[str, str] = dataclasses.field(default_factory=dict)
    tasks_done: Decimal | None = None
    tasks_late: Decimal = Decimal(0)
    tasks_exceeded: Decimal = Decimal(0)
    level_self: Level | None = None


@dataclasses.dataclass
class SelfReviewData(ReportData):
    """A member's self-review: the report, and what only a member's form has."""

    manifestations: Sequence[int] = ()
    follow_ups: Mapping[int, tuple[str, bool]] = dataclasses.field(default_factory=dict)


def _self_actor(evaluation: MemberEvaluation, by: User) -> Actor:
    if by.member_id == evaluation.member_id:
        return Actor(by, ActingRole.MEMBER, evaluation.cell_id)
    return actor_for(by, Power.ASSIST, evaluation.cell)


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
    evaluation = locked(evaluation, Step.SELF_REVIEW)
    _check_draft(evaluation, version, by)
    # The evaluation is locked: nobody else creates its copy in between. The member's form
    # is worked out for a first copy only (it reads their posts).
    review = SelfReview.objects.filter(evaluation=evaluation).first() or SelfReview(
        evaluation=evaluation, form=member_form(evaluation.member, evaluation.cycle).code
    )
    form = form_by_code(evaluation.cycle.settings.regime, review.form)
    review.updated_by = by
    # Whoever else writes in a member's form is recorded, not only who submits it.
    review.assisted = review.assisted or actor.role is not ActingRole.MEMBER
    review.sections = {k: v.strip() for k, v in data.sections.items() if k in SECTIONS}
    review.scores = {
        item.code: str(data.scores[item.code]) for item in form.items() if item.code in data.scores
    }
    check_scores(form, data.scores)
    review.save()
    review.manifestations.set(data.manifestations)
    follow_ups = open_follow_ups(evaluation)
    for follow_up in follow_ups:
        if follow_up.pk in data.follow_ups:
            follow_up.result, follow_up.fixed = data.follow_ups[follow_up.pk]
            follow_up.save(update_fields=["result", "fixed"])
    e = evaluation
    e.score_general = score_total(data.scores, form.general) if form.scored else None
    e.score_task_results = score_total(data.scores, form.task_results) if form.scored else None
    criteria = e.cycle.settings.member_criteria
    e.grades = {c: data.grades[c] for c in criteria if data.grades.get(c)} or None
    e.tasks_done, e.tasks_late, e.tasks_exceeded = (
        data.tasks_done,
        data.tasks_late,
        data.tasks_exceeded,
    )
    e.weaknesses_total = len(follow_ups)
    e.weaknesses_fixed = sum(1 for f in follow_ups if f.fixed)
    e.level_self = data.level_self
    save(
        e,
        "score_general",
        "score_task_results",
        "grades",
        "tasks_done",
        "tasks_late",
        "tasks_exceeded",
        "weaknesses_total",
        "weaknesses_fixed",
        "level_self",
    )
    return e


def score_total(scores: Mapping[str, Decimal], items: Iterable[Item]) -> Decimal | None:
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
    evaluation = locked(evaluation, *machine.sources(Action.SUBMIT))
    _check_draft(evaluation, version, by)
    review = SelfReview.objects.filter(evaluation=evaluation).first()
    gaps = [str(SECTIONS[k]) for k in REQUIRED_SECTIONS if not (review and review.sections.get(k))]
    verdict = member_verdict(evaluation.member, evaluation, evaluation.cycle)
    if verdict.status is EngineStatus.PENDING:
        gaps.append(str(verdict.reasons[-1].text))
    if evaluation.level_self is None:
        gaps.append(_("Tự xếp loại"))
    if pending := unexplained(evaluation):
        gaps.append(_("giải trình {n} vấn đề cấp trên gợi ý kiểm điểm").format(n=pending))
    if gaps:
        raise ReviewError(_("Bản kiểm điểm còn thiếu: {gaps}.").format(gaps="; ".join(gaps)))
    assert review is not None
    review.submitted, review.submitted_by = timezone.now(), by
    review.assisted = review.assisted or actor.role is not ActingRole.MEMBER
    review.save(update_fields=["submitted", "submitted_by", "assisted"])
    advance(
        evaluation,
        Action.SUBMIT,
        actor=actor,
        reason=_("Bí thư chi bộ nhập thay") if review.assisted else "",
    )
    return evaluation
