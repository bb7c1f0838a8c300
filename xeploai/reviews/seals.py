"""Seals of the level history: what anchors the chains from outside the database.

A chain signed row by row still lets someone with SQL access delete its last rows (and set
the evaluation back), delete a chain with its evaluation, or empty the table: what is left
is consistent. A seal records, signed and chained to the seal before, the last row of every
chain written since that seal and the number of evaluations of each cycle; each seal is also
appended, as one line, to a file outside the database (`settings.HISTORY_SEALS`). `verify`
then finds every sealed row missing from its chain, every sealed evaluation deleted, a cycle
with fewer evaluations than sealed, and seals deleted, altered or forged.

What was written after the last seal is protected by the chains alone: a row edited or
deleted from the middle is found, rows cut from the end of a chain are not. Seals are made
when a cycle closes, after an import of results, and by `xeploai history seal` (daily).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .history import CHAINS, rows_of
from .models import ChainedChange, HistorySeal, SealedHead, sign
from .models import canonical_time as _time

# The chains by the letter a sealed head names them with, and how a problem names them.
_KINDS: dict[str, type[ChainedChange]] = dict(
    zip("mul", (rows for _m, rows, _n in CHAINS), strict=True)
)
_NAMES: dict[str, str] = dict(zip("mul", (name for _m, _r, name in CHAINS), strict=True))
_COUNTED = ("member evaluation", "unit evaluation", "leader evaluation")  # as `_counts` lists
_BATCH = 2000


class SealError(Exception):
    pass


# --- Making a seal ---------------------------------------------------------------------------


def seal() -> HistorySeal | None:
    """Seal what was written since the last seal; None when nothing was. The seal's line is
    appended to the seals file once the seal is committed."""
    try:
        with transaction.atomic():
            made = _make()
            if made is not None:
                transaction.on_commit(lambda: append_line(made))
    except IntegrityError:
        raise SealError("another seal was being made at the same time; run it again") from None
    return made


def _make() -> HistorySeal | None:
    last = HistorySeal.objects.order_by("-seq").first()
    through = {
        kind: rows_of(model).aggregate(top=models.Max("id"))["top"] or 0
        for kind, model in _KINDS.items()
    }
    since = (
        {"m": last.through_member, "u": last.through_unit, "l": last.through_leader}
        if last
        else dict.fromkeys(_KINDS, 0)
    )
    heads = {kind: _new_heads(model, since[kind], through[kind]) for kind, model in _KINDS.items()}
    counts = _counts()
    if last is not None and not any(heads.values()) and counts == last.counts:
        return None
    made = HistorySeal(
        seq=last.seq + 1 if last else 1,
        at=timezone.now(),
        through_member=through["m"],
        through_unit=through["u"],
        through_leader=through["l"],
        counts=counts,
        prev=last.digest if last else "",
    )
    made.digest = _digest(made, _heads_digest((k, *h) for k in _KINDS for h in heads[k]))
    made.save()
    SealedHead.objects.bulk_create(
        (
            SealedHead(seal=made, kind=kind, evaluation_id=e, seq=seq, hash=hash_)
            for kind in _KINDS
            for e, seq, hash_ in heads[kind]
        ),
        batch_size=_BATCH,
    )
    return made


def _new_heads(model: type[ChainedChange], since: int, through: int) -> list[tuple[int, int, str]]:
    """The last row (evaluation, seq, hash) of every chain with rows in (since, through]."""
    rows = rows_of(model).filter(id__gt=since, id__lte=through)
    heads: dict[int, tuple[int, int, str]] = {}
    for evaluation_id, seq, hash_ in rows.order_by("evaluation_id", "seq").values_list(
        "evaluation_id", "seq", "hash"
    ):
        heads[evaluation_id] = (evaluation_id, seq, hash_)
    return list(heads.values())


def _counts() -> dict[str, list[int]]:
    """Evaluations of each cycle, members', units' and leaders'; keys are strings, as JSON
    keeps them. A cycle without leaders counts two, as seals made before leaders had
    evaluations did."""
    counts: dict[str, list[int]] = {}
    for index, (model, _rows, _name) in enumerate(CHAINS):
        manager: Any = model._default_manager
        grouped = manager.values("cycle_id").annotate(n=models.Count("id"))
        for row in grouped.order_by():
            counts.setdefault(str(row["cycle_id"]), [0, 0])
            counts[str(row["cycle_id"])][index : index + 1] = [row["n"]]
    return dict(sorted(counts.items()))


def _heads_digest(heads: Iterator[tuple[str, int, int, str]]) -> str:
    digest = hashlib.sha256()
    for kind, evaluation_id, seq, hash_ in sorted(heads):
        digest.update(f"{kind}:{evaluation_id}:{seq}:{hash_}\n".encode())
    return digest.hexdigest()


def _digest(made: HistorySeal, heads_digest: str) -> str:
    content = {
        "seq": made.seq,
        "at": _time(made.at),
        "through_member": made.through_member,
        "through_unit": made.through_unit,
        "counts": made.counts,
        "prev": made.prev,
        "heads": heads_digest,
    }
    if made.through_leader:  # signed once leaders have history: older seals verify unchanged
        content["through_leader"] = made.through_leader
    return sign(content)


def append_line(made: HistorySeal) -> None:
    """Append the seal to the seals file (created 0600), flushed to disk."""
    path = Path(settings.HISTORY_SEALS)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"seq": made.seq, "at": _time(made.at), "digest": made.digest})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def repair_file() -> int:
    """Append the seals the file lacks, if each is genuine (signed under the key): a seal
    whose line was not written (the machine stopped in between). Returns how many."""
    in_file = {line["seq"] for line in _read_file()}
    added = 0
    for made in HistorySeal.objects.order_by("seq"):
        if made.seq not in in_file and _recomputed(made) == made.digest:
            append_line(made)
            added += 1
    return added


# --- Verifying -------------------------------------------------------------------------------


def _read_file() -> list[dict[str, Any]]:
    path = Path(settings.HISTORY_SEALS)
    if not path.exists():
        return []
    lines = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        try:
            line = json.loads(text)
            lines.append({"seq": int(line["seq"]), "digest": str(line["digest"]), "n": number})
        except (ValueError, KeyError, TypeError):
            lines.append({"seq": -1, "digest": "", "n": number})
    return lines


def _recomputed(made: HistorySeal) -> str:
    heads = made.heads.order_by().values_list("kind", "evaluation_id", "seq", "hash")
    return _digest(made, _heads_digest(iter(heads)))


def verify() -> Iterator[str]:
    """Every seal missing, altered or forged, and every sealed row or evaluation gone."""
    yield from _verify_seals()
    yield from _verify_heads()
    yield from _verify_counts()


def _verify_seals() -> Iterator[str]:
    lines = _read_file()
    by_seq = {line["seq"]: line for line in lines}
    for line in lines:
        if line["seq"] < 0:
            yield f"seals file, line {line['n']}: unreadable"
    prev = ""
    seen: set[int] = set()
    for made in HistorySeal.objects.order_by("seq"):
        seen.add(made.seq)
        if _recomputed(made) != made.digest or made.prev != prev:
            yield f"seal {made.seq}: changed after it was made"
        if made.seq not in by_seq:
            yield f"seal {made.seq}: not in the seals file (`xeploai history seal` repairs it)"
        elif by_seq[made.seq]["digest"] != made.digest:
            yield f"seal {made.seq}: differs from the seals file"
        prev = made.digest
    for seq in sorted(set(by_seq) - seen):
        if seq > 0:
            yield f"seal {seq}: in the seals file, missing from the database"


@dataclasses.dataclass(frozen=True)
class _Head:
    evaluation_id: int
    seq: int
    hash: str


def _latest_heads(kind: str) -> Iterator[_Head]:
    """The last sealed head of each chain, by evaluation: chains only grow, so the highest
    sealed seq is the latest seal's."""
    heads = SealedHead.objects.filter(kind=kind).order_by("evaluation_id", "-seq")
    current = None
    for evaluation_id, seq, hash_ in heads.values_list("evaluation_id", "seq", "hash").iterator(
        chunk_size=_BATCH
    ):
        if evaluation_id != current:
            current = evaluation_id
            yield _Head(evaluation_id, seq, hash_)


def _verify_heads() -> Iterator[str]:
    """Each sealed head must still be in its chain, with its hash: merged, in evaluation
    order, against the rows at the sealed positions."""
    for kind, model in _KINDS.items():
        name = _NAMES[kind]
        batch: list[_Head] = []
        for head in _latest_heads(kind):
            batch.append(head)
            if len(batch) >= _BATCH:
                yield from _check_heads(model, name, batch)
                batch = []
        yield from _check_heads(model, name, batch)


def _check_heads(model: type[ChainedChange], name: str, heads: list[_Head]) -> Iterator[str]:
    if not heads:
        return
    rows = rows_of(model).filter(evaluation_id__in=[h.evaluation_id for h in heads])
    found = {(e, seq): hash_ for e, seq, hash_ in rows.values_list("evaluation_id", "seq", "hash")}
    for head in heads:
        hash_ = found.get((head.evaluation_id, head.seq))
        if hash_ is None:
            yield f"{name} {head.evaluation_id}: sealed row {head.seq} is gone"
        elif hash_ != head.hash:
            yield f"{name} {head.evaluation_id}: sealed row {head.seq} was replaced"


def _verify_counts() -> Iterator[str]:
    """Evaluations are never deleted: no cycle may have fewer than its last seal counted."""
    last = HistorySeal.objects.order_by("-seq").first()
    if last is None:
        return
    now = _counts()
    counts: dict[str, list[int]] = last.counts or {}
    for cycle, sealed in counts.items():
        has = now.get(cycle, [])
        for index, (n, name) in enumerate(zip(sealed, _COUNTED, strict=False)):
            found = has[index] if index < len(has) else 0
            if found < n:
                yield f"cycle {cycle}: {n - found} {name}(s) deleted"
