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


def verify() -> Iterator[str]:
    """Every break in the history: an edited or deleted row, or a level that the history
    does not account for. Yields one sentence per problem."""
    rows = LevelChange.objects.order_by("evaluation_id", "seq").iterator(chunk_size=2000)
    current: int | None = None
    prev_hash, expected_seq = "", 1
    replayed: dict[int, dict[str, int | str | None]] = {}
    for row in rows:
        if row.evaluation_id != current:
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
    # A level or step the history does not account for: changed without a row, or the rows
    # that set it deleted. Fields no row touched must still be empty.
    fields = ("step", "level_self", "level_proposed", "level_decided", "level_final")
    for values in MemberEvaluation.objects.filter(pk__in=replayed).values("pk", *fields):
        state = replayed[values["pk"]]
        for field in fields:
            level = state.get(field)
            if values[field] != level:
                yield (
                    f"evaluation {values['pk']}: {field} is {values[field]},"
                    f" the history says {level}"
                )
