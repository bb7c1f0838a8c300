"""The history of levels (R33): appended, chained and signed, verified.

Every level a member, an organisation or a leader is given has a row here, whichever way it came:
a step of the review, or a result imported from a file. A row is bound to its subject (the
cycle and the member or unit) and to the state the evaluation was left in (`facts`), so that
`verify` finds a row edited, deleted, moved to another evaluation, a chain deleted whole, a
level or a fact changed without a row; the seals (`seals.py`) find rows cut from a chain's
end, chains and evaluations deleted together, and the whole table emptied.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import models
from django.utils import timezone

from xeploai.accounts.models import User
from xeploai.core.db import create_objects
from xeploai.cycles.models import LeaderEvaluation, MemberEvaluation, Step, UnitEvaluation

from . import machine
from .models import (
    ActingRole,
    Action,
    ChainedChange,
    LeaderLevelChange,
    LevelChange,
    UnitLevelChange,
)

Evaluation = machine.Evaluation

# Each kind of evaluation, the chain its rows form, and how a problem names it.
CHAINS: tuple[tuple[type[Evaluation], type[ChainedChange], str], ...] = (
    (MemberEvaluation, LevelChange, "evaluation"),
    (UnitEvaluation, UnitLevelChange, "unit evaluation"),
    (LeaderEvaluation, LeaderLevelChange, "leader evaluation"),
)


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who acts, in which capacity, at which unit: what every history row records."""

    user: User | None
    role: ActingRole
    unit_id: int
    name: str = ""  # who acted when nobody is signed in (an import from the command line)

    @property
    def full_name(self) -> str:
        if self.user is None:
            return self.name
        return self.user.get_full_name() or self.user.username


# --- What a row is bound to ------------------------------------------------------------------

# Fields a row does not digest: the subject (in `subject`), the step (a field of the row) and
# the optimistic-lock counter.
_NOT_FACTS = {"id", "cycle", "member", "unit", "kind", "post", "step", "version"}


def row_model(evaluation: Evaluation | type[Evaluation]) -> type[ChainedChange]:
    model = evaluation if isinstance(evaluation, type) else type(evaluation)
    return next(rows for kind, rows, _name in CHAINS if kind is model)


def rows_of(model: type[ChainedChange]) -> models.QuerySet[Any]:
    """Every row of a kind of chain; typed loosely, as each kind names its evaluation alike."""
    manager: Any = model._default_manager
    return manager.all()  # type: ignore[no-any-return]


def subject_of(evaluation: Evaluation | dict[str, Any]) -> str:
    """Whose evaluation, in which cycle: what moving a row, or the evaluation, would change."""
    values = evaluation if isinstance(evaluation, dict) else vars(evaluation)
    if "post_id" in values:
        return f"cycle={values['cycle_id']} member={values['member_id']} post={values['post_id']}"
    if "member_id" in values:
        return f"cycle={values['cycle_id']} member={values['member_id']}"
    return f"cycle={values['cycle_id']} unit={values['unit_id']} kind={values['kind']}"


@functools.cache
def fact_fields(model: type[Evaluation]) -> tuple[models.Field[Any, Any], ...]:
    """The fields a row's digest covers: scores, facts, levels, status, cell and its path."""
    return tuple(f for f in model._meta.concrete_fields if f.name not in _NOT_FACTS)


@functools.cache
def _canonical(model: type[Evaluation]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per fact, how to write it as it reads back from any database and from Django's
    serialisers: decimals to their places, enumerations as their plain values."""

    def decimal_places(places: int) -> Callable[[Any], Any]:
        exponent = decimal.Decimal(1).scaleb(-places)
        return lambda v: None if v is None else str(decimal.Decimal(v).quantize(exponent))

    def plain(kind: type) -> Callable[[Any], Any]:
        return lambda v: None if v is None else kind(v)

    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for field in fact_fields(model):
        if isinstance(field, models.DecimalField):
            convert = decimal_places(field.decimal_places or 0)
        elif isinstance(field, models.BooleanField):
            convert = plain(bool)
        elif isinstance(field, models.IntegerField | models.ForeignKey):
            convert = plain(int)
        elif isinstance(field, models.CharField):
            convert = plain(str)
        else:
            convert = _as_is  # JSON: grades by criterion
        converters.append((field.attname, convert))
    return tuple(converters)


def _as_is(value: Any) -> Any:
    return value


def facts_digest(model: type[Evaluation], values: dict[str, Any]) -> str:
    """SHA-256 of the evaluation's facts and levels, `values` keyed by attribute name."""
    facts = {name: convert(values[name]) for name, convert in _canonical(model)}
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _digest_of(evaluation: Evaluation) -> str:
    return facts_digest(type(evaluation), vars(evaluation))


# --- Appending -------------------------------------------------------------------------------


def append(
    evaluation: Evaluation,
    *,
    actor: Actor,
    action: Action,
    level_from: int | None,
    level_to: int | None,
    reason: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> ChainedChange:
    """Append one row to the evaluation's chain, after the evaluation was saved in the state
    the row leaves it in; the caller holds the evaluation's row lock."""
    last = evaluation.history.order_by("-seq").first()
    row = _row(evaluation, last.seq if last else 0, last.hash if last else "", actor, action)
    row.level_from, row.level_to, row.reason = level_from, level_to, reason
    row.decision_number, row.decision_date = decision_number, decision_date
    row.save()
    return row


def _row(
    evaluation: Evaluation, seq: int, prev_hash: str, actor: Actor, action: Action
) -> ChainedChange:
    model: Any = row_model(evaluation)
    return model(  # type: ignore[no-any-return]
        evaluation=evaluation,
        subject=subject_of(evaluation),
        seq=seq + 1,
        step=getattr(evaluation, "step", ""),
        action=action,
        by=actor.user,
        by_name=actor.full_name,
        role=actor.role,
        unit_id=actor.unit_id,
        at=timezone.now(),
        facts=_digest_of(evaluation),
        prev_hash=prev_hash,
    )


def append_imported(
    evaluations: Iterable[Evaluation], *, user: User | None, name: str, reason: str = ""
) -> int:
    """Record results written from a file (or the demo's past years) in bulk: one IMPORT row
    each, setting the level the result has, at the end of its chain if it had one."""
    rows: list[ChainedChange] = []
    evaluations = list(evaluations)
    for model, _rows, _name in CHAINS:
        batch = [e for e in evaluations if isinstance(e, model)]
        if not batch:
            continue
        heads = _heads(row_model(model), [e.pk for e in batch])
        for evaluation in batch:
            seq, prev_hash = heads.get(evaluation.pk, (0, ""))
            actor = Actor(user, ActingRole.ADMINISTRATOR, _unit_id(evaluation), name)
            row = _row(evaluation, seq, prev_hash, actor, Action.IMPORT)
            row.level_to, row.reason = evaluation.level_final, reason
            row.hash = row.compute_hash()
            rows.append(row)
    for _model, kind, _name in CHAINS:
        create_objects(kind, (r for r in rows if isinstance(r, kind)))
    return len(rows)


def _unit_id(evaluation: Evaluation) -> int:
    if isinstance(evaluation, MemberEvaluation):
        return evaluation.cell_id
    return evaluation.unit_id


def _heads(model: type[ChainedChange], ids: list[int]) -> dict[int, tuple[int, str]]:
    """The last row (seq, hash) of each of these evaluations' chains."""
    heads: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), _BATCH):
        rows = rows_of(model).filter(evaluation_id__in=ids[start : start + _BATCH])
        for evaluation_id, seq, hash_ in rows.order_by("evaluation_id", "seq").values_list(
            "evaluation_id", "seq", "hash"
        ):
            heads[evaluation_id] = (seq, hash_)
    return heads


# --- Verifying -------------------------------------------------------------------------------


# Steps an evaluation reaches without a history row: opened, or taken out of the review.
_UNLOGGED_STEPS = (Step.SELF_REVIEW, Step.NOT_REVIEWED)
# Steps at which nothing but a new row changes the facts, levels or cell: from the cell's
# proposal on (a transfer still moves a submitted self-review to the receiving cell).
_SETTLED_STEPS = (Step.PROPOSED, Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)
# Levels a row sets or clears, compared with the evaluation's; an import sets the final one
# and leaves the others as its file gave them (the digest covers them).
_LEVELS = ("level_self", "level_proposed", "level_decided", "level_final")
_BATCH = 2000


@dataclasses.dataclass
class _Chain:
    evaluation_id: int
    subject: str = ""
    facts: str = ""
    step: str = ""
    rows: int = 0
    imported: bool = False
    state: dict[str, Any] = dataclasses.field(default_factory=dict)


def verify() -> Iterator[str]:
    """Every break in the chains: yields one sentence per problem. Reads the rows once, in
    order, comparing evaluations in batches, so that it runs at any scale."""
    for model, _rows, name in CHAINS:
        yield from _verify_chains(model, name)


def _verify_chains(model: type[Evaluation], name: str) -> Iterator[str]:
    rows = rows_of(row_model(model)).order_by("evaluation_id", "seq")
    chain: _Chain | None = None
    prev_hash, expected_seq = "", 1
    batch: dict[int, _Chain] = {}
    for row in rows.iterator(chunk_size=_BATCH):
        if chain is None or row.evaluation_id != chain.evaluation_id:
            if len(batch) >= _BATCH:
                yield from _compare(model, name, batch)
                batch = {}
            chain = batch[row.evaluation_id] = _Chain(row.evaluation_id)
            prev_hash, expected_seq = "", 1
        where = f"{name} {chain.evaluation_id}, row {row.seq}"
        if row.seq != expected_seq:
            yield f"{name} {chain.evaluation_id}: row {expected_seq} is missing"
        if row.prev_hash != prev_hash:
            yield f"{where}: does not follow the row before"
        if row.compute_hash() != row.hash:
            yield f"{where}: changed after it was written"
        if chain.subject and row.subject != chain.subject:
            yield f"{where}: belongs to {row.subject}, the rows before to {chain.subject}"
        machine.replay(chain.state, row)
        chain.subject, chain.facts, chain.step = row.subject, row.facts, row.step
        chain.rows += 1
        chain.imported = chain.imported or row.action == Action.IMPORT
        prev_hash, expected_seq = row.hash, row.seq + 1
    yield from _compare(model, name, batch)
    yield from _orphans(model, name)


def _compare(model: type[Evaluation], name: str, chains: dict[int, _Chain]) -> Iterator[str]:
    """Subjects, levels, steps and facts that differ from what the evaluations' rows say."""
    if not chains:
        return
    fields = [f.attname for f in fact_fields(model)]
    found = model._default_manager.filter(pk__in=list(chains)).values(
        "pk", *model.SUBJECT, "step", *fields
    )
    for values in found:
        chain = chains.pop(values["pk"])
        where = f"{name} {values['pk']}"
        if subject_of(values) != chain.subject:
            yield f"{where}: is {subject_of(values)}, its history was written for {chain.subject}"
        yield from _compare_levels(where, values, chain)
        if (
            values["step"] in _SETTLED_STEPS
            and chain.facts
            and facts_digest(model, values) != chain.facts
        ):
            yield f"{where}: its facts or levels changed after the history's last row"
    for evaluation_id in chains:
        yield f"{name} {evaluation_id}: has history but was deleted"


def _compare_levels(where: str, values: dict[str, Any], chain: _Chain) -> Iterator[str]:
    step = values["step"]
    # Rows of organisations written before they had steps record none.
    if step not in _UNLOGGED_STEPS and chain.step and step != chain.step:
        yield f"{where}: step is {step}, the history says {chain.step}"
    # An imported result's other levels are the file's, covered by the digest alone.
    levels = ("level_final",) if chain.imported else _LEVELS
    for field in levels:
        if values[field] != chain.state.get(field):
            yield f"{where}: {field} is {values[field]}, the history says {chain.state.get(field)}"


def _orphans(model: type[Evaluation], name: str) -> Iterator[str]:
    """Evaluations the history should account for and has no row of: a level, or a step
    past the self-review, means a row was written, or should have been."""
    levelled = models.Q(level_final__isnull=False) | models.Q(ordinal__isnull=False)
    levelled |= ~models.Q(step__in=_UNLOGGED_STEPS) | models.Q(level_proposed__isnull=False)
    levelled |= models.Q(level_decided__isnull=False)
    orphans = model._default_manager.filter(levelled, history__isnull=True).values_list("pk")
    for (pk,) in orphans.iterator(chunk_size=_BATCH):
        yield f"{name} {pk}: has a result but no history"
