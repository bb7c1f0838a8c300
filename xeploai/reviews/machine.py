"""The review as one state machine (R29-R33, STYLE.md 6), for every kind of subject: a member,
an organisation, a leadership collective, a leader.

`TRANSITIONS` is the whole of it: each action, the steps it may start from, the step it leads
to, the level it sets or the levels it clears, the status it leaves, and the power it needs.
The steps in `actions/` lock the evaluation at the action's starting steps, check what their
step needs (a quorum, a ceiling, the quota), then move it with `actions.common.advance`, the
one function that sets, saves and appends the history row by this table. The history's
verifier replays the same table (`replay`), so that what a row did is never written twice.
"""

# ruff: noqa: E501 -- the table of transitions is kept one row per line, to read as a table

from __future__ import annotations

import dataclasses

from xeploai.accounts.policy import Power
from xeploai.cycles.models import LeaderEvaluation, MemberEvaluation, Status, Step, UnitEvaluation

from .models import Action, ChainedChange

Evaluation = MemberEvaluation | UnitEvaluation | LeaderEvaluation

# The levels of an evaluation, in the order the steps set them.
LEVELS = ("level_self", "level_proposed", "level_decided", "level_final")


@dataclasses.dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[Step, ...]
    target: Step
    sets: str | None = None  # the level field the action sets
    clears: tuple[str, ...] = ()  # the level fields it empties
    status: Status | None = None  # the status it leaves, if it changes it
    # The power it needs over a member's unit; None: the member themselves, or whoever drafts
    # the self-review for them (`actions.self_review`).
    power: Power | None = None
    # The power it needs for an organisation or a collective: over the unit itself for its
    # own report, else over the committee that decides it (`actions.units`).
    unit_power: Power | None = None
    # The power it needs for a leader, over the post's unit for the meeting of its collective,
    # else over the committee that manages the cadre (`actions.leaders`); None: the leader.
    leader_power: Power | None = None

    def level_from(self, evaluation: Evaluation) -> int | None:
        """The level before the move, as its history row shows it: the latest of the levels
        the steps before this one set (the self-level starts the history)."""
        return _latest(evaluation, LEVELS[: LEVELS.index(self.sets)] if self.sets else LEVELS)

    def level_to(self, evaluation: Evaluation) -> int | None:
        """The level after the move: the one set, none when levels were cleared, else the
        latest (a publication)."""
        if self.sets:
            return getattr(evaluation, self.sets)  # type: ignore[no-any-return]
        if self.clears:
            return None
        return latest_level(evaluation)


S, A, P = Step, Action, Power
SELF, PROPOSED, DECIDED, FINAL = LEVELS
CLASSIFIED, PENDING = Status.CLASSIFIED, Status.PENDING
REOPENED = (PROPOSED, DECIDED, FINAL)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = tuple(Transition(*row) for row in (
    # action    from                              to            sets      clears              status      member's power  unit's power     leader's power
    (A.SUBMIT,  (S.SELF_REVIEW,),                 S.SUBMITTED,  SELF,     (),                 None,       None,           P.DRAFT,         None),
    (A.PROPOSE, (S.SUBMITTED,),                   S.PROPOSED,   PROPOSED, (),                 None,       P.PROPOSE,      P.ASSESS,        P.DRAFT),
    (A.DECIDE,  (S.PROPOSED,),                    S.DECIDED,    DECIDED,  (),                 CLASSIFIED, P.DECIDE,       P.DECIDE_UNITS,  P.DECIDE_UNITS),
    (A.APPROVE, (S.DECIDED,),                     S.APPRAISED,  FINAL,    (),                 None,       P.APPRAISE,     P.APPRAISE,      P.APPRAISE),
    (A.ADJUST,  (S.DECIDED,),                     S.APPRAISED,  FINAL,    (),                 None,       P.APPRAISE,     P.APPRAISE,      P.APPRAISE),
    # sent back one step: an appraised result to the decider, a decided one to the proposer
    (A.RETURN,  (S.APPRAISED,),                   S.DECIDED,    None,     (FINAL,),           None,       P.APPRAISE,     P.APPRAISE,      P.APPRAISE),
    (A.RETURN,  (S.DECIDED,),                     S.PROPOSED,   None,     (DECIDED, FINAL),   PENDING,    P.APPRAISE,     P.APPRAISE,      P.APPRAISE),
    # only the superior re-opens a decided result (R31), back to before the proposal
    (A.REOPEN,  (S.DECIDED, S.APPRAISED, S.PUBLISHED), S.SUBMITTED, None, REOPENED,           PENDING,    P.APPRAISE,     P.APPRAISE,      P.APPRAISE),
    (A.PUBLISH, (S.APPRAISED,),                   S.PUBLISHED,  None,     (),                 None,       P.DECIDE,       P.DECIDE_UNITS,  P.DECIDE_UNITS),
))
# fmt: on

# A result reached outside the system (an import, the demo's past years) sets the final level
# at whatever step the file gave; it is not a move of the review and is never `advance`d.
IMPORTED = Transition(Action.IMPORT, (), Step.PUBLISHED, sets="level_final")


def transition(action: Action, step: Step | str) -> Transition | None:
    """The move `action` makes from `step`, if it may start there."""
    return next((t for t in TRANSITIONS if t.action == action and step in t.sources), None)


def sources(action: Action) -> tuple[Step, ...]:
    """Every step `action` may start from."""
    return tuple(s for t in TRANSITIONS if t.action == action for s in t.sources)


def power(action: Action) -> Power:
    """The power `action` needs over a member's unit (every action but the self-review's)."""
    needed = next(t.power for t in TRANSITIONS if t.action == action)
    if needed is None:
        raise ValueError(f"{action} is taken by the member themselves")
    return needed


def power_for_units(action: Action) -> Power:
    """The power `action` needs for an organisation or a collective."""
    needed = next(t.unit_power for t in TRANSITIONS if t.action == action)
    assert needed is not None  # every move has one
    return needed


def power_for_leaders(action: Action) -> Power:
    """The power `action` needs for a leader (every action but the leader's own report)."""
    needed = next(t.leader_power for t in TRANSITIONS if t.action == action)
    if needed is None:
        raise ValueError(f"{action} is taken by the leader themselves")
    return needed


def latest_level(evaluation: Evaluation) -> int | None:
    """The latest level of a result: final, decided, proposed, else its own."""
    return _latest(evaluation, LEVELS)


def _latest(evaluation: Evaluation, fields: tuple[str, ...]) -> int | None:
    return next((getattr(evaluation, f) for f in reversed(fields) if getattr(evaluation, f)), None)


def replay(state: dict[str, int | None], row: ChainedChange) -> None:
    """What a history row did to the levels of its evaluation, by the same table: the move of
    its action that leads to the step the row records."""
    if row.action == Action.IMPORT:
        moves: tuple[Transition, ...] = (IMPORTED,)
    else:
        moves = tuple(t for t in TRANSITIONS if t.action == row.action and t.target == row.step)
    for move in moves[:1]:
        if move.sets:
            state[move.sets] = row.level_to
        for field in move.clears:
            state[field] = None
