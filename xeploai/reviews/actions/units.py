"""The review of party organisations and leadership collectives (DOMAIN.md 4, R5, R10,
R20-R27, R29-R31): the same steps as a member's, one level up, through the same machine.

The unit's committee drafts and submits its report; the facts about what lies below it are
computed, never typed (`rules.unit_verdict`); the advisory body of the committee that decides
it examines and proposes a level; that committee decides, once everything below is decided
(R30), within the quota of its groups (R26-R27); the superior appraises, adjusts, sends back
or re-opens, as for members. Who may do each is the transition's `unit_power`, held over the
unit itself for its own report and over the deciding committee for the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.core.db import insert_rows
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.cycles.rules import unit_facts
from xeploai.members.models import PostKind
from xeploai.reports import tally
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Proposal as QuotaProposal
from xeploai.rules import (
    QuotaResult,
    RegimeSettings,
    UnitGroup,
    check_proposals,
    check_quota,
    classify_unit,
)
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import CELL_KINDS, Unit, UnitKind

from .. import machine
from ..history import Actor
from ..leaders import FINAL_STEPS
from ..models import (
    CONCLUSION_FACTS,
    REQUIRED_SECTIONS,
    SECTIONS,
    Action,
    Conclusion,
    ConclusionKind,
    PeerKind,
    PeerResult,
    QuotaException,
    UnitInput,
    UnitSelfReview,
)
from ..rules import deciding_unit, unit_verdict, waiting_below
from ..sheets import collective_form
from .common import (
    Decision,
    QuotaExemption,
    ReviewError,
    actor_for,
    advance,
    check_scores,
    locked,
    opening_state,
    reopen_result,
    save,
    send_back,
    settle_breach,
)
from .decision import LATEST_LEVEL
from .self_review import DraftConflict, ReportData, score_total

# Units classified as organisations every year; the centre is not.
ORGANISATION_KINDS = tuple(k for k in UnitKind if k != UnitKind.CENTRE)
# Units with a leadership collective of their own: committees and grassroots cells. A cell
# under a grassroots committee is led by its secretary and cell committee, reviewed with it.
COLLECTIVE_KINDS = tuple(k for k in ORGANISATION_KINDS if k != UnitKind.CELL)
# Steps before the proposal, at which the unit's report and the facts it rests on may change.
_OPEN_STEPS = (Step.SELF_REVIEW, Step.SUBMITTED)


def _actor(evaluation: UnitEvaluation, action: Action, by: User) -> Actor:
    """Who takes `action`, through the role giving the transition's power for organisations
    over the unit itself (its own report) or over the committee that decides it."""
    where = evaluation.unit if action == Action.SUBMIT else _decider(evaluation)
    return actor_for(by, machine.power_for_units(action), where)


def _decider(evaluation: UnitEvaluation) -> Unit:
    decider = deciding_unit(evaluation.unit)
    if decider is None:
        raise ReviewError(
            _("Không có cấp trên quyết định xếp loại {who}.").format(who=evaluation.who())
        )
    return decider


# --- Opening ---------------------------------------------------------------------------------


def open_units(unit: Unit, *, cycle: Cycle) -> int:
    """Create the evaluations of the organisations and collectives under `unit` that have
    none in `cycle`; those founded too recently are not classified (R5). Returns how many."""
    existing = set(
        UnitEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path).values_list(
            "unit_id", "kind"
        )
    )
    # What the engine reads of a unit as its review opens is its kind and when it was
    # founded: it is asked once for each of those, read as values, not once per unit.
    states: dict[tuple[str, dt.date, str], tuple[str, str, str]] = {}

    def opening(kind: str, founded: dt.date, evaluated: str) -> tuple[str, str, str]:
        if (kind, founded, evaluated) not in states:
            alike = Unit(kind=kind, founded=founded)
            facts = unit_facts(UnitEvaluation(cycle=cycle, kind=evaluated), alike)
            verdict = classify_unit(facts, cycle.period, cycle.settings)
            states[kind, founded, evaluated] = opening_state(verdict)  # R5
        return states[kind, founded, evaluated]

    rows = []
    units = Unit.objects.in_subtree(unit).open().filter(kind__in=ORGANISATION_KINDS)
    for pk, kind, founded, path in units.values_list("pk", "kind", "founded", "path"):
        evaluated = [UnitEvaluationKind.ORGANISATION.value]
        if kind in COLLECTIVE_KINDS:
            evaluated.append(UnitEvaluationKind.COLLECTIVE.value)
        rows += [
            (cycle.pk, pk, e, path, *opening(kind, founded, e))
            for e in evaluated
            if (pk, e) not in existing
        ]
    insert_rows(
        UnitEvaluation,
        ("cycle_id", "unit_id", "kind", "unit_path", "status", "status_reason", "step"),
        rows,
    )
    tally.touched_cells({(cycle.pk, row[3]) for row in rows})
    return len(rows)


# --- The collective's report -----------------------------------------------------------------


@dataclasses.dataclass
class UnitReviewData(ReportData):
    """A collective's report: the report, and what only a collective's form has."""

    key_targets_missed: bool | None = None
    force_majeure: bool = False
    weaknesses_total: int = 0
    weaknesses_fixed: int = 0


def _check_version(evaluation: UnitEvaluation, version: int) -> None:
    """Optimistic locking of the report, as for a member's self-review."""
    if evaluation.version != version:
        raise DraftConflict(
            _("Báo cáo kiểm điểm vừa được lưu ở nơi khác sau khi trang này được mở."),
            version=evaluation.version,
        )


@transaction.atomic
def save_unit_review(
    evaluation: UnitEvaluation, *, by: User, version: int, data: UnitReviewData
) -> UnitEvaluation:
    """Save the draft of the collective's report; refused if saved elsewhere in between
    (optimistic lock) or once submitted."""
    _actor(evaluation, Action.SUBMIT, by)
    e = locked(evaluation, Step.SELF_REVIEW)
    _check_version(e, version)
    form = collective_form(e.cycle.settings.regime)
    review, _created = UnitSelfReview.objects.get_or_create(
        evaluation=e, defaults={"form": form.code}
    )
    check_scores(form, data.scores)
    for value in (data.tasks_done, data.tasks_late, data.tasks_exceeded):
        if value is not None and not Decimal(0) <= value <= Decimal(1000):
            raise ReviewError(_("Tỷ lệ nhiệm vụ phải từ 0 đến 1.000 %."))
    if data.weaknesses_fixed > data.weaknesses_total:
        raise ReviewError(_("Số hạn chế đã khắc phục không thể lớn hơn số phải khắc phục."))
    review.sections = {k: v.strip() for k, v in data.sections.items() if k in SECTIONS}
    review.scores = {
        i.code: str(data.scores[i.code]) for i in form.items() if i.code in data.scores
    }
    review.updated_by = by
    review.save()
    e.score_general = score_total(data.scores, form.general) if form.scored else None
    e.score_task_results = score_total(data.scores, form.task_results) if form.scored else None
    criteria = e.cycle.settings.unit_criteria
    e.grades = {c: data.grades[c] for c in criteria if data.grades.get(c)} or None
    e.tasks_done, e.tasks_late, e.tasks_exceeded = (
        data.tasks_done,
        data.tasks_late,
        data.tasks_exceeded,
    )
    e.key_targets_missed, e.force_majeure = data.key_targets_missed, data.force_majeure
    e.weaknesses_total, e.weaknesses_fixed = data.weaknesses_total, data.weaknesses_fixed
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
    "key_targets_missed",
    "force_majeure",
    "weaknesses_total",
    "weaknesses_fixed",
    "level_self",
)


@transaction.atomic
def submit_unit_review(evaluation: UnitEvaluation, *, by: User, version: int) -> UnitEvaluation:
    """Lock the report and hand it to the deciding committee; refused while a required part
    is empty."""
    actor = _actor(evaluation, Action.SUBMIT, by)
    e = locked(evaluation, *machine.sources(Action.SUBMIT))
    _check_version(e, version)
    review = UnitSelfReview.objects.filter(evaluation=e).first()
    gaps = [str(SECTIONS[k]) for k in REQUIRED_SECTIONS if not (review and review.sections.get(k))]
    verdict = unit_verdict(e)
    if verdict.status is EngineStatus.PENDING:
        gaps.append(str(verdict.reasons[-1].text))
    if e.level_self is None:
        gaps.append(_("Tự xếp loại"))
    if gaps:
        raise ReviewError(_("Báo cáo kiểm điểm còn thiếu: {gaps}.").format(gaps="; ".join(gaps)))
    assert review is not None
    review.submitted, review.submitted_by = timezone.now(), by
    review.save(update_fields=["submitted", "submitted_by"])
    advance(e, Action.SUBMIT, actor=actor)
    return e


# --- Facts entered with their source ---------------------------------------------------------


@transaction.atomic
def record_peer_result(
    evaluation: UnitEvaluation, *, by: User, kind: PeerKind, name: str, level: Level, source: str
) -> PeerResult:
    """The level of the government, the Front or a mass organisation of the same unit (R22),
    entered by the committee with the document it comes from, before the proposal."""
    _actor(evaluation, Action.SUBMIT, by)
    e = locked(evaluation, *_OPEN_STEPS)
    if e.kind != UnitEvaluationKind.ORGANISATION:
        raise ReviewError(_("Kết quả của tổ chức cùng cấp chỉ ghi cho tổ chức đảng."))
    if not name.strip() or not source.strip():
        raise ReviewError(_("Cần ghi tên tổ chức và văn bản xếp loại."))
    result, _created = PeerResult.objects.update_or_create(
        evaluation=e,
        kind=kind,
        name=name.strip(),
        defaults={"level": level, "source": source.strip(), "entered_by": by},
    )
    return result


@transaction.atomic
def record_conclusion(
    evaluation: UnitEvaluation,
    *,
    by: User,
    kind: ConclusionKind,
    document_number: str,
    document_date: dt.date,
    reason: str,
) -> Conclusion:
    """A conclusion about the collective (disciplined, internal disunity, a degraded member:
    R24, R25), recorded by the superior with its document, before the proposal; afterwards
    the superior re-opens the result first. The only way these facts are set."""
    _actor(evaluation, Action.DECIDE, by)
    e = locked(evaluation, *_OPEN_STEPS)
    if not document_number.strip() or not reason.strip():
        raise ReviewError(_("Cần ghi số văn bản và nội dung kết luận."))
    conclusion = Conclusion.objects.create(
        evaluation=e,
        kind=kind,
        body=_decider(e),
        document_number=document_number.strip(),
        document_date=document_date,
        reason=reason.strip(),
        recorded_by=by,
    )
    field = CONCLUSION_FACTS[ConclusionKind(kind)]
    setattr(e, field, True)
    save(e, field)
    return conclusion


@transaction.atomic
def add_unit_input(evaluation: UnitEvaluation, *, by: User, source: str, text: str) -> UnitInput:
    """A comment on the collective's year, entered by its committee from the commenting body's
    document, or by the deciding committee's advisory body (its working group)."""
    try:
        _actor(evaluation, Action.SUBMIT, by)
    except PermissionDenied:
        _actor(evaluation, Action.PROPOSE, by)
    e = locked(evaluation, *_OPEN_STEPS)
    if not source.strip() or not text.strip():
        raise ReviewError(_("Cần ghi cơ quan, tổ chức và nội dung nhận xét."))
    comment, _created = UnitInput.objects.update_or_create(
        evaluation=e, source=source.strip(), defaults={"text": text.strip(), "entered_by": by}
    )
    return comment


# --- Proposal and decision -------------------------------------------------------------------


def check_unit_allowed(evaluation: UnitEvaluation, level: Level | int) -> None:
    """Refuse a level better than what the engine allows, with the engine's reasons."""
    verdict = unit_verdict(evaluation)
    if verdict.status is not EngineStatus.CLASSIFIED or verdict.level is None:
        raise ReviewError(
            _("{who} chưa đủ dữ kiện để xếp loại hoặc không được xếp loại.").format(
                who=evaluation.who()
            ),
            reasons=verdict.reasons,
        )
    if level < verdict.level:  # a smaller number is a better level
        raise ReviewError(
            _("{who} chỉ được xếp loại tối đa “{max}”.").format(
                who=evaluation.who(), max=Level(verdict.level).label
            ),
            reasons=verdict.reasons,
        )


@transaction.atomic
def propose_unit(
    evaluation: UnitEvaluation, *, by: User, level: Level, note: str
) -> UnitEvaluation:
    """The advisory body of the deciding committee examines the report and proposes a level
    ("thẩm định, đề xuất"), within what the rules allow."""
    actor = _actor(evaluation, Action.PROPOSE, by)
    e = locked(evaluation, *machine.sources(Action.PROPOSE))
    if not note.strip():
        raise ReviewError(_("Cần ghi ý kiến thẩm định."))
    check_unit_allowed(e, level)
    advance(e, Action.PROPOSE, actor=actor, level=level, reason=note.strip())
    return e


def check_ordered(evaluation: UnitEvaluation) -> None:
    """R30: an organisation is decided after everything below it, members and organisations,
    and, where their levels bind it (R22), after the government and mass organisations of
    the same unit."""
    peers_bind = evaluation.cycle.settings.peer_organisations_rule
    if (
        peers_bind
        and evaluation.kind == UnitEvaluationKind.ORGANISATION
        and evaluation.unit.is_grassroots
        and not evaluation.peer_results.exists()
    ):
        raise ReviewError(
            _(
                "Chưa quyết định được {who}: chưa ghi nhận kết quả xếp loại của chính quyền,"
                " Mặt trận Tổ quốc và các đoàn thể cùng cấp."
            ).format(who=evaluation.who())
        )
    waiting, total = waiting_below(evaluation, limit=5)
    if total:
        raise ReviewError(
            _("Chưa quyết định được {who}: còn {n} kết quả cấp dưới chưa được quyết định.").format(
                who=evaluation.who(), n=total
            ),
            names=[w.name for w in waiting],
        )


def decided_by(decider: Unit, cycle: Cycle) -> list[UnitEvaluation]:
    """The evaluations the committee decides: of the units directly under it, and of the
    cells of its partial committees."""
    rows = (
        UnitEvaluation.objects.filter(
            cycle=cycle,
            unit_path__startswith=decider.path,
            unit__depth__in=(decider.depth + 1, decider.depth + 2),
        )
        .select_related("unit__parent", "cycle")
        .order_by("unit_path", "kind")
    )
    return [
        e
        for e in rows
        if e.unit.parent_id == decider.pk
        or (e.unit.parent is not None and e.unit.parent.kind == UnitKind.PARTIAL_COMMITTEE)
    ]


GroupKey = tuple[str, str]  # kind of evaluation, type of field ("" for every type)


def group_key(evaluation: UnitEvaluation, settings: RegimeSettings) -> GroupKey:
    """The quota group of an organisation or collective within its deciding committee (R26):
    the same kind of subject and, where the regime groups so, the same type of field."""
    return evaluation.kind, _field(evaluation.unit.field_type, settings)


def _field(field_type: str, settings: RegimeSettings) -> str:
    return field_type if settings.unit_quota_group == UnitGroup.FIELD else ""


def unit_quota(
    decider: Unit,
    cycle: Cycle,
    evaluations: Iterable[UnitEvaluation],
    changes: Mapping[int, Level | int] | None = None,
) -> dict[GroupKey, tuple[QuotaResult, list[str]]]:
    """R26 over each group the committee decides, its latest levels (final, decided, else
    proposed) as they would stand after `changes`, and who would have to drop."""
    changes = changes or {}
    proposals: dict[GroupKey, list[QuotaProposal]] = defaultdict(list)
    names: dict[str, str] = {}
    for e in evaluations:
        level = changes.get(e.pk) or e.level_final or e.level_decided or e.level_proposed
        if level is None or e.step == Step.NOT_REVIEWED:
            continue
        rank = Decimal(e.total_score or 0)
        proposals[group_key(e, cycle.settings)].append(
            QuotaProposal(str(e.pk), EngineLevel(level), rank)
        )
        names[str(e.pk)] = e.who()
    found = {}
    for key, group in proposals.items():
        result = check_proposals(f"{decider.code}/{key[0]}/{key[1]}", group, cycle.settings)
        found[key] = result, [names[pk] for pk in result.drop]
    return found


def _covered(decider: Unit, cycle: Cycle, key: GroupKey, result: QuotaResult) -> bool:
    return QuotaException.objects.covering_units(
        cycle, decider, kind=key[0], field_type=key[1], excellent=result.excellent
    ).exists()


@transaction.atomic
def decide_units(
    decider: Unit,
    *,
    cycle: Cycle,
    by: User,
    levels: Mapping[int, Level],
    decision: Decision,
    exemption: QuotaExemption | None = None,
) -> list[UnitEvaluation]:
    """The committee decides the levels of proposed organisations and collectives it decides
    (step DECIDED): each after everything below it (R30), under its ceiling, within the
    quota of its group. The committee's row is locked first, so two deciders never check
    the quota on the same counts (R27); a breach is refused unless an exemption is recorded."""
    actor = actor_for(by, machine.power_for_units(Action.DECIDE), decider)
    if not decision.number.strip():
        raise ReviewError(_("Cần số quyết định."))
    decider = Unit.objects.select_for_update().get(pk=decider.pk)
    rows = {e.pk: e for e in decided_by(decider, cycle)}
    if not set(levels) <= set(rows):
        raise ReviewError(_("Có kết quả không thuộc đơn vị này."))
    chosen = [locked(rows[pk], *machine.sources(Action.DECIDE)) for pk in levels]
    for e in chosen:
        rows[e.pk] = e
        check_ordered(e)
        check_unit_allowed(e, levels[e.pk])
    for key, (result, names) in unit_quota(decider, cycle, rows.values(), levels).items():
        if result.within or _covered(decider, cycle, key, result):
            continue
        if not any(group_key(e, cycle.settings) == key and e.pk in levels for e in chosen):
            continue  # a group this decision does not touch
        settle_breach(
            result,
            names,
            exemption,
            cycle=cycle,
            group=decider,
            by=by,
            subject=key[0],
            field_type=key[1],
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


def _check_quota_kept(decider: Unit, evaluation: UnitEvaluation, level: Level | int) -> None:
    """Refuse a change that leaves the group over its quota, unless an exception covers it."""
    rows = decided_by(decider, evaluation.cycle)
    standing = unit_quota(decider, evaluation.cycle, rows, {evaluation.pk: level})
    key = group_key(evaluation, evaluation.cycle.settings)
    if key not in standing:
        return
    result, _names = standing[key]
    if not result.within and not _covered(decider, evaluation.cycle, key, result):
        raise ReviewError(
            _(
                "Không thực hiện được: nhóm sẽ vượt tỷ lệ hoàn thành xuất sắc nhiệm vụ"
                " ({excellent} xuất sắc, tối đa {allowed})."
            ).format(excellent=result.excellent, allowed=result.allowed)
        )


@transaction.atomic
def appraise_unit(
    evaluation: UnitEvaluation, *, by: User, level: Level | None = None, reason: str = ""
) -> UnitEvaluation:
    """The superior approves the decided level, or adjusts it with a reason (step APPRAISED);
    the ceiling and the quota hold here too."""
    actor = _actor(evaluation, Action.APPROVE, by)
    decider = Unit.objects.select_for_update().get(pk=_decider(evaluation).pk)
    e = locked(evaluation, *machine.sources(Action.APPROVE))
    assert e.level_decided is not None  # every DECIDED evaluation has its level
    final = level or Level(e.level_decided)
    adjusted = final != e.level_decided
    if adjusted and not reason.strip():
        raise ReviewError(_("Điều chỉnh kết quả cần ghi rõ lý do."))
    if adjusted:
        _check_heads_kept(e, final)
    check_unit_allowed(e, final)
    _check_quota_kept(decider, e, final)
    action = Action.ADJUST if adjusted else Action.APPROVE
    advance(e, action, actor=actor, level=final, reason=reason.strip())
    return e


@transaction.atomic
def return_unit(evaluation: UnitEvaluation, *, by: User, comment: str) -> UnitEvaluation:
    """The superior sends a result back one step with a comment."""
    actor = _actor(evaluation, Action.RETURN, by)
    e = locked(evaluation, *machine.sources(Action.RETURN))
    _check_heads_kept(e, e.level_decided if e.step == Step.APPRAISED else None)
    return send_back(e, actor=actor, comment=comment)


@transaction.atomic
def reopen_unit(evaluation: UnitEvaluation, *, by: User, reason: str) -> UnitEvaluation:
    """Only the superior re-opens a decided result, with a reason (R31): it goes back to
    before the proposal, where its facts may be corrected."""
    actor = _actor(evaluation, Action.REOPEN, by)
    _check_heads_kept(locked(evaluation, *machine.sources(Action.REOPEN)), None)
    return reopen_result(evaluation, actor=actor, reason=reason)


def _check_heads_kept(evaluation: UnitEvaluation, level: Level | int | None) -> None:
    """R16 from the organisation's side: once its head is decided, capped by its level, that
    level may neither drop below the head's nor stop being final (`level` None); the head's
    result is sent back or re-opened first."""
    if evaluation.kind != UnitEvaluationKind.ORGANISATION:
        return
    heads = LeaderEvaluation.objects.filter(
        cycle_id=evaluation.cycle_id,
        unit_id=evaluation.unit_id,
        head=True,
        classified=True,
        post__kind=PostKind.PARTY,
        step__in=FINAL_STEPS,
    ).select_related("member", "post")
    for head in heads:
        theirs = machine.latest_level(head)
        if level is None or (theirs is not None and theirs < level):
            raise ReviewError(
                _(
                    "Kết quả của {unit} chưa thay đổi được: đồng chí {name}, {title}, đứng đầu"
                    " đơn vị đã được quyết định xếp loại “{level}” theo kết quả này. Hãy trả"
                    " lại hoặc mở lại kết quả của đồng chí trước."
                ).format(
                    name=head.member.full_name,
                    title=head.post.title,
                    level=Level(theirs).label if theirs else "",
                    unit=evaluation.unit.name,
                )
            )


@transaction.atomic
def publish_units(decider: Unit, *, cycle: Cycle, by: User) -> int:
    """Publish the appraised results the committee decides; refused while any is not."""
    actor = actor_for(by, machine.power_for_units(Action.PUBLISH), decider)
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


def unit_quota_standings(unit: Unit, cycle: Cycle) -> list[tuple[Unit, GroupKey, QuotaResult]]:
    """The quota of every group of organisations and of collectives decided under `unit`
    (by it or below it), in tree order: the latest level of each, as `unit_quota` reads it."""
    rows = (
        UnitEvaluation.objects.filter(cycle=cycle, unit_path__startswith=unit.path)
        .exclude(step=Step.NOT_REVIEWED)
        .exclude(unit=unit)
        .annotate(latest=LATEST_LEVEL)
        .filter(latest__isnull=False, unit__parent__isnull=False)
        .values(
            "kind",
            "latest",
            "unit__field_type",
            "unit__parent_id",
            "unit__parent__kind",
            "unit__parent__parent_id",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        partial = r["unit__parent__kind"] == UnitKind.PARTIAL_COMMITTEE
        by = r["unit__parent__parent_id"] if partial else r["unit__parent_id"]
        if by is not None:
            field = _field(r["unit__field_type"], cycle.settings)
            counts[(by, r["kind"], field)][r["latest"]] += r["n"]
    # Who decides is a committee: the unit itself or a unit with units below it.
    committees = Unit.objects.in_subtree(unit).exclude(kind__in=CELL_KINDS)
    deciders = committees.only("path", "code", "name").in_bulk()
    found: list[tuple[Unit, GroupKey, QuotaResult]] = []
    for (decider_id, kind, field), levels in counts.items():
        decider = deciders.get(decider_id)
        if decider is None:  # decided above the unit
            continue
        result = check_quota(
            f"{decider.code}/{kind}/{field}",
            levels[Level.GOOD],
            levels[Level.EXCELLENT],
            cycle.settings,
        )
        found.append((decider, (kind, field), result))
    return sorted(found, key=lambda f: (f[0].path, f[1]))
