"""The history of levels (R33): appended, chained by hash, verified."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from xeploai.accounts.models import User
from xeploai.cycles.models import MemberEvaluation, Step

from .models import ActingRole, Action, LevelChange


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who acts, in which capacity, at which unit: what every history row records."""

    user: User
    role: ActingRole
    unit_id: int


def append(
    evaluation: MemberEvaluation,
    *,
    actor: Actor,
    action: Action,
    level_from: int | None,
    level_to: int | None,
    reason: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> LevelChange:
    """Append one row to the evaluation's chain; the caller holds the evaluation's row lock."""
    last = evaluation.history.order_by("-seq").first()
    row = LevelChange(
        evaluation=evaluation,
        seq=last.seq + 1 if last else 1,
        step=evaluation.step,
        action=action,
        by=actor.user,
        by_name=actor.user.get_full_name() or actor.user.username,
        role=actor.role,
        unit_id=actor.unit_id,
        at=timezone.now(),
        level_from=level_from,
        level_to=level_to,
        reason=reason,
        decision_number=decision_number,
        decision_date=decision_date,
        prev_hash=last.hash if last else "",
    )
    row.save()
    return row


def _replay(state: dict[str, int | str | None], row: LevelChange) -> None:
    """What a history row did to the evaluation's levels."""
    field = {
        Action.SUBMIT: "level_self",
        Action.PROPOSE: "level_proposed",
        Action.DECIDE: "level_decided",
        Action.APPROVE: "level_final",
        Action.ADJUST: "level_final",
    }.get(Action(row.action))
    if field is not None:
        state[field] = row.level_to
    elif row.action in (Action.RETURN, Action.REOPEN):
        state["level_final"] = None
        if row.step in (Step.PROPOSED, Step.SUBMITTED):
            state["level_decided"] = None
        if row.step == Step.SUBMITTED:
            state["level_proposed"] = None


# Steps an evaluation reaches without a history row: opened, or taken out of the review.
_UNLOGGED_STEPS = (Step.SELF_REVIEW, Step.NOT_REVIEWED)
_FIELDS = ("step", "level_self", "level_proposed", "level_decided", "level_final")
_BATCH = 2000


def verify() -> Iterator[str]:
    """Every break in the history: an edited or deleted row, a chain deleted whole, or a level
    the history does not account for. Yields one sentence per problem; reads the rows once,
    in order, comparing evaluations in batches, so that it runs at any scale."""
    rows = LevelChange.objects.order_by("evaluation_id", "seq").iterator(chunk_size=_BATCH)
    current: int | None = None
    prev_hash, expected_seq = "", 1
    replayed: dict[int, dict[str, int | str | None]] = {}
    for row in rows:
        if row.evaluation_id != current:
            if len(replayed) >= _BATCH:
                yield from _compare(replayed)
                replayed = {}
            current, prev_hash, expected_seq = row.evaluation_id, "", 1
        if row.seq != expected_seq:
            yield f"evaluation {row.evaluation_id}: row {expected_seq} is missing"
        if row.prev_hash != prev_hash:
            yield f"evaluation {row.evaluation_id}, row {row.seq}: does not follow the row before"
        if row.compute_hash() != row.hash:
            yield f"evaluation {row.evaluation_id}, row {row.seq}: changed after it was written"
        state = replayed.setdefault(row.evaluation_id, {})
        _replay(state, row)
        state["step"] = row.step
        prev_hash, expected_seq = row.hash, row.seq + 1
    yield from _compare(replayed)
    # In a cycle reviewed here, an evaluation past its opening has rows: none means deleted.
    reviewed_cycles = LevelChange.objects.values("evaluation__cycle").distinct()
    orphans = (
        MemberEvaluation.objects.filter(cycle__in=reviewed_cycles, history__isnull=True)
        .exclude(step__in=_UNLOGGED_STEPS)
        .values_list("pk", "step")
    )
    for pk, step in orphans.iterator(chunk_size=_BATCH):
        yield f"evaluation {pk}: is {step} but has no history"


def _compare(replayed: dict[int, dict[str, int | str | None]]) -> Iterator[str]:
    """Levels and steps that differ from what the evaluations' rows say."""
    evaluations = MemberEvaluation.objects.filter(pk__in=list(replayed)).values("pk", *_FIELDS)
    for values in evaluations:
        state = replayed[values["pk"]]
        for field in _FIELDS:
            if field == "step" and values["step"] in _UNLOGGED_STEPS:
                continue
            if values[field] != state.get(field):
                yield (
                    f"evaluation {values['pk']}: {field} is {values[field]},"
                    f" the history says {state.get(field)}"
                )
