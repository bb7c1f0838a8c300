"""The per-cell aggregates (`Tally`) kept in step with the evaluations, and their roll-ups
(`Rollup`) at every unit above them, so that a report reads a few rows of its unit and of its
direct children instead of grouping the evaluations, or even the tally, of its subtree
(STACK.md, unit tree).

A single save or deletion of an evaluation, a member, a post or a unit counts its cells again
at once, and new dates of a cycle count the cycle again (signals, in `apps.py`). Inside
`deferred()` the cells are only noted and counted again once, at the end of the block: bulk
writers (opening a cycle, imports) run inside it and name what they wrote with `touched()`;
the demo counts every cell once it has written them. Counting cells again adds the change to
the roll-ups of every unit above them, in the database. A scheduled check (checks.py)
compares the tally with the evaluations and the roll-ups with the tally, so a write that
escaped all of these is reported, never silently counted."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member, Post, StateResult
from xeploai.units.models import SEGMENT, Unit, UnitKind

from .models import MEMBERS, Mismatch, Rollup, Tally
from .reasons import counted_reason

# The kinds of organisations the reports count, from the top of the tree down: the committees
# above grassroots level (đảng bộ tỉnh, huyện, đảng ủy khối and đảng bộ trực thuộc), then the
# grassroots organisations and their sub-units. The centre is not counted.
ORGANISATION_KINDS = (
    UnitKind.PROVINCE,
    UnitKind.DISTRICT,
    UnitKind.BLOC,
    UnitKind.GRASSROOTS_COMMITTEE,
    UnitKind.GRASSROOTS_CELL,
    UnitKind.PARTIAL_COMMITTEE,
    UnitKind.CELL,
)
BATCH = 500  # cells counted again per query
CELL_LOCKS = 1000  # cells locked one by one in a transaction; beyond, their cycle is locked
WHOLE_BATCH = 5000  # cells counted again per query once their cycle is locked
CHUNK = 5000  # rows read at a time where a whole cycle is read
# The level a result counts at: the final one, or while the appraisal is awaited the decided one.
LEVEL = Coalesce("level_final", "level_decided")
# The level a quota counts a result at (R26), as a decision weighs it: the final, the decided,
# else the proposed one; none for a result not in the review.
LATEST = Case(
    When(step=Step.NOT_REVIEWED, then=Value(None)),
    default=Coalesce("level_final", "level_decided", "level_proposed"),
)


@dataclasses.dataclass
class _Pending:
    cells: set[tuple[int, str]] = dataclasses.field(default_factory=set)  # (cycle id, path)
    members: set[int] = dataclasses.field(default_factory=set)
    units: set[int] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.cells or self.members or self.units)


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar("tally", default=None)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Note the changes made inside the block; count their cells again once, at its end."""
    if _pending.get() is not None:  # an outer block counts them
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    _flush(pending)


def touched(objs: Iterable[Model]) -> None:
    """Evaluations, members, posts, state results or units written without signals (bulk
    writes)."""
    pending = _Pending()
    for obj in objs:
        if isinstance(obj, Member | Unit) and obj.pk is None:
            continue  # not written yet: no evaluation counts it
        if isinstance(obj, MemberEvaluation | UnitEvaluation):
            pending.cells.add((obj.cycle_id, obj.unit_path))
        elif isinstance(obj, Member):
            pending.members.add(obj.pk)
        elif isinstance(obj, Post | StateResult):
            pending.members.add(obj.member_id)
        elif isinstance(obj, Unit):
            pending.units.add(obj.pk)
    _note(pending)


def touched_cells(cells: Iterable[tuple[int, str]]) -> None:
    """Cells (cycle id, path) whose evaluations were written without model objects."""
    _note(_Pending(cells=set(cells)))


def _note(pending: _Pending) -> None:
    outer = _pending.get()
    if outer is None:
        _flush(pending)
    else:
        outer.cells |= pending.cells
        outer.members |= pending.members
        outer.units |= pending.units


def _flush(pending: _Pending) -> None:
    if not pending:
        return
    cells = set(pending.cells)
    for ids in _batches(sorted(pending.members)):
        members = MemberEvaluation.objects.filter(member_id__in=ids)
        cells.update(members.values_list("cycle_id", "unit_path").distinct())
    for ids in _batches(sorted(pending.units)):  # a unit's kind sorts its own result
        units = UnitEvaluation.objects.filter(unit_id__in=ids)
        cells.update(units.values_list("cycle_id", "unit_path").distinct())
    refresh(cells)


def refresh(cells: Iterable[tuple[int, str]]) -> None:
    """Count these cells (cycle id, path) again from their evaluations, and add what changed
    to the roll-ups of every unit above them: in the database, a batch of cells at a time."""
    by_cycle: dict[int, set[str]] = defaultdict(set)
    for cycle_id, path in cells:
        by_cycle[cycle_id].add(path)
    with transaction.atomic():
        for cycle in Cycle.objects.filter(pk__in=by_cycle):
            whole = len(by_cycle[cycle.pk]) > CELL_LOCKS
            size = WHOLE_BATCH if whole else BATCH
            if whole:
                _sort_in_memory()
            for paths in _batches(sorted(by_cycle[cycle.pk]), size):
                _lock(cycle, paths, whole=whole)
                _recount(cycle, paths)
                # Counted again: what a check found apart in these cells is mended.
                mended = Mismatch.objects.filter(cycle=cycle, unit_path__in=paths)
                mended.filter(found=Mismatch.EVALUATIONS).delete()


def _recount(cycle: Cycle, paths: list[str]) -> None:
    """Count the cells at `paths` again: their new rows are written beside the old ones (the
    rows up to `last`), the difference goes to the roll-ups above in one statement, then the
    old rows go."""
    last = _last()
    _insert(cycle, Q(unit_path__in=paths), after=last)
    _roll_up(cycle, paths, after=last)
    Tally.objects.filter(cycle=cycle, unit_path__in=paths, pk__lte=last).delete()
    above = sorted({p[:end] for p in paths for end in range(SEGMENT, len(p), SEGMENT)})
    for ancestors in _batches(above):
        Rollup.objects.filter(cycle=cycle, unit_path__in=ancestors, n=0).delete()


def _last() -> int:
    """The id of the tally's newest row: the rows written next come after it."""
    return int(Tally.objects.aggregate(last=Max("pk"))["last"] or 0)


def _lock(cycle: Cycle, paths: list[str], *, whole: bool) -> None:
    """Hold these cells until the transaction ends, so that two writers never count one cell
    from the same old rows (PostgreSQL; SQLite has one writer at a time). A writer of a few
    cells locks each and shares a lock on the cycle; one counting more cells than
    `CELL_LOCKS` (an import, a province opened) holds the cycle's lock alone instead: every
    lock lasts to the end of the transaction, and PostgreSQL's table of locks holds a few
    thousand in all."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cycle_key = f"tally:{cycle.pk}"
        if whole:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [cycle_key])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0))", [cycle_key])
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(%s || p, 0)"
            " AS k FROM unnest(%s::text[]) p ORDER BY k) locks",
            [f"{cycle_key}:", paths],
        )


# The change of the roll-ups of every unit above some cells: how each of the cells' rows
# changed (the rows written after `after` in, the older ones out), where it did, added at
# every level above it (`depth`, the length of the ancestor's path); in one order, path then
# key (two writers never wait on each other in a circle), and added in the database
# (concurrent writers never overwrite each other's sums).
_DELTA_SQL = """
INSERT INTO {rollup} (cycle_id, unit_path, parent_path, key, {fields}, n)
SELECT %s, substr(unit_path, 1, depth), substr(unit_path, 1, depth - {segment}), {key}, {fields},
       SUM(n)
FROM (
    SELECT unit_path, {fields}, SUM(CASE WHEN id > {after} THEN n ELSE -n END) AS n
    FROM {tally} WHERE cycle_id = %s AND unit_path IN ({paths})
    GROUP BY unit_path, {fields}
    HAVING SUM(CASE WHEN id > {after} THEN n ELSE -n END) <> 0
) changed
JOIN ({depths}) levels ON length(unit_path) > depth
WHERE true
GROUP BY {grouped}
HAVING SUM(n) <> 0
ORDER BY 2, 4
ON CONFLICT (cycle_id, unit_path, key) DO UPDATE SET n = {rollup}.n + excluded.n
"""


def _roll_up(cycle: Cycle, paths: list[str], *, after: int) -> None:
    """Add to the roll-ups of every unit above the cells at `paths` how their tally changed:
    the rows written after `after` in, the older ones out."""
    depths = range(SEGMENT, max(len(p) for p in paths), SEGMENT)
    if not depths:
        return
    sql = _DELTA_SQL.format(
        rollup=Rollup._meta.db_table,
        tally=Tally._meta.db_table,
        fields=", ".join(KEY_FIELDS),
        key=_key_sql("%s"),
        segment=SEGMENT,
        after=int(after),
        depths=" UNION ALL ".join(f"SELECT {int(d)} AS depth" for d in depths),
        paths=", ".join(["%s"] * len(paths)),
        grouped=", ".join(str(i) for i in (1, 2, 3, *range(5, 5 + len(KEY_FIELDS)))),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, *[SEP] * (len(KEY_FIELDS) - 1), cycle.pk, *paths])


def rebuild(cycles: Iterable[Cycle] | None = None) -> int:
    """Count every cell of these cycles (all by default) again, and their roll-ups, in the
    database: the memory used does not grow with the cycle. Returns the tally rows written."""
    written = 0
    with transaction.atomic():
        _sort_in_memory()
        for cycle in cycles if cycles is not None else Cycle.objects.all():
            Tally.objects.filter(cycle=cycle).delete()
            Mismatch.objects.filter(cycle=cycle).delete()
            _insert(cycle, Q(), after=_last())
            written += Tally.objects.filter(cycle=cycle).count()
            rebuild_rollups(cycle.pk)
    return written


def _sort_in_memory() -> None:
    """Let PostgreSQL group a cycle in memory rather than in files on disk, up to a bound,
    for the rest of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")


# The roll-ups of one level of the tree from the tally: each row below the level added to its
# ancestor there. `end` is the length of the level's paths, `parent` of their parents'.
_ROLLUP_SQL = """
INSERT INTO {rollup} (cycle_id, unit_path, parent_path, key, {fields}, n)
SELECT cycle_id, substr(unit_path, 1, %(end)s), substr(unit_path, 1, %(parent)s), {key},
       {fields}, SUM(n)
FROM {tally} WHERE cycle_id = %(cycle)s AND length(unit_path) > %(end)s
GROUP BY cycle_id, substr(unit_path, 1, %(end)s), substr(unit_path, 1, %(parent)s), {fields}
"""


def rebuild_rollups(cycle_id: int) -> None:
    """Add up the roll-ups of every unit in the cycle again from its tally, one level of the
    tree per statement, in the database (the migration that made them runs it too)."""
    tables = {"rollup": Rollup._meta.db_table, "tally": Tally._meta.db_table}
    sql = _ROLLUP_SQL.format(**tables, fields=", ".join(KEY_FIELDS), key=_key_sql("%(sep)s"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['rollup']} WHERE cycle_id = %s", [cycle_id])  # noqa: S608
        cursor.execute(
            f"SELECT max(length(unit_path)) FROM {tables['tally']} WHERE cycle_id = %s",  # noqa: S608
            [cycle_id],
        )
        longest = cursor.fetchone()[0] or 0
        for end in range(SEGMENT, longest, SEGMENT):
            cursor.execute(
                sql, {"end": end, "parent": end - SEGMENT, "cycle": cycle_id, "sep": SEP}
            )


# What a tally row is counted by besides its place; a roll-up row joins them into its `key`,
# `group_key` here and the same text in SQL (`_KEY_SQL`) in `rebuild_rollups`.
KEY_FIELDS = (
    "subject",
    "status",
    "status_reason",
    "level",
    "latest",
    "label",
    "ordinal",
    "exemplary",
    "probationary",
    "leader",
    "servant",
    "state",
)
_FLAGS = ("exemplary", "probationary", "leader", "servant")
_NUMBER_SQL = "coalesce(CAST({f} AS varchar), '')"
_FLAG_SQL = "CASE WHEN {f} THEN '1' ELSE '0' END"
_KEY_SQL = {
    "level": _NUMBER_SQL,
    "latest": _NUMBER_SQL,
    "ordinal": _NUMBER_SQL,
    **dict.fromkeys(_FLAGS, _FLAG_SQL),
}
SEP = "\x1f"  # the ASCII unit separator, in no reason or label


def _key_sql(sep: str) -> str:
    """The roll-up's `key` in SQL, as `group_key` makes it; `sep` the parameter of `SEP`."""
    return f" || {sep} || ".join(_KEY_SQL.get(f, f).format(f=f) for f in KEY_FIELDS)


def group_key(row: Mapping[str, Any]) -> str:
    """The `key` of the roll-up row counting tally rows like `row`."""
    return SEP.join(
        ("1" if row[f] else "0") if f in _FLAGS else ("" if row[f] is None else str(row[f]))
        for f in KEY_FIELDS
    )


def _grouped(cycle: Cycle, where: Q) -> list[QuerySet[Any, dict[str, Any]]]:
    """The grouped queries counting the member and the organisation evaluations of the
    cells `where` selects, by `_GROUP`, each row's count in `n`."""
    in_post = Q(end__isnull=True) | Q(end__gte=cycle.start)
    leader = Exists(
        Post.objects.filter(in_post, member=OuterRef("member"), leader=True, start__lte=cycle.end)
    )
    probationary = Case(
        When(
            Q(member__full_member_since__isnull=False)
            & Q(member__full_member_since__lte=cycle.reference_date),
            then=Value(False),
        ),
        default=Value(True),
    )
    # A civil servant in the review, by their state result of the year (R28).
    servant = Q(member__civil_servant=True) & ~Q(step=Step.NOT_REVIEWED)
    state = Case(When(servant, then=Coalesce("state_result__level", Value(""))), default=Value(""))
    members = (
        MemberEvaluation.objects.filter(where, cycle=cycle)
        .alias(
            state_result=FilteredRelation(
                "member__state_results", condition=Q(member__state_results__year=cycle.year)
            )
        )
        .annotate(
            subject=Value(MEMBERS),
            probationary=probationary,
            leader=leader,
            level=LEVEL,
            latest=LATEST,
            servant=Case(When(servant, then=Value(True)), default=Value(False)),
            state=state,
        )
        .values(*_GROUP)
        .annotate(n=Count("id"))
        .order_by()
    )
    units = (
        UnitEvaluation.objects.filter(
            where,
            cycle=cycle,
            kind=UnitEvaluationKind.ORGANISATION,
            unit__kind__in=ORGANISATION_KINDS,
        )
        .annotate(
            subject=F("unit__kind"),
            probationary=Value(False),
            leader=Value(False),
            level=LEVEL,
            latest=LATEST,
            servant=Value(False),
            state=Value(""),
        )
        .values(*_GROUP)
        .annotate(n=Count("id"))
        .order_by()
    )
    return [members, units]


def _insert(cycle: Cycle, where: Q, *, after: int) -> None:
    """Count the cells `where` selects into the tally in the database (INSERT … SELECT over
    the grouped queries), then merge their rows of reasons that count as one: reasons by
    what they say (reasons.py), so that the exempt members of a cell, each exempt from their
    own date for the same reason, are one row. The rows written are those after `after`."""
    table, columns = Tally._meta.db_table, ", ".join(_GROUP)
    with connection.cursor() as cursor:
        for rows in _grouped(cycle, where):
            sql, params = rows.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} (cycle_id, {columns}, parent_path, n)"  # noqa: S608
                f" SELECT %s, {columns}, substr(unit_path, 1, length(unit_path) - %s), n"
                f" FROM ({sql}) counted",
                [cycle.pk, SEGMENT, *params],
            )
    _merge_reasons(cycle, after)


def _merge_reasons(cycle: Cycle, after: int) -> None:
    """The rows written after `after` whose reasons count as one (reasons.py) made one row, a
    cell at a time in path order, so that memory holds a batch of cells, never the cycle."""
    rows = Tally.objects.filter(cycle=cycle, pk__gt=after).exclude(status_reason="")
    gone: list[int] = []
    merged: list[Tally] = []
    for _path, cell in groupby(
        rows.order_by("unit_path").iterator(chunk_size=CHUNK), key=attrgetter("unit_path")
    ):
        by_key: dict[tuple[Any, ...], list[Tally]] = defaultdict(list)
        for row in cell:
            by_key[_reasoned(tuple(getattr(row, k) for k in _GROUP))].append(row)
        for key, same in by_key.items():
            if len(same) > 1 or key != tuple(getattr(same[0], k) for k in _GROUP):
                gone += [row.pk for row in same]
                merged.append(_tally(cycle, key, sum(row.n for row in same)))
        if len(gone) >= CHUNK:
            _replace(gone, merged)
    _replace(gone, merged)


def _replace(gone: list[int], merged: list[Tally]) -> None:
    Tally.objects.filter(pk__in=gone).delete()
    Tally.objects.bulk_create(merged, batch_size=2000)
    gone.clear()
    merged.clear()


_GROUP = ("unit_path", *KEY_FIELDS)


def _tally(cycle: Cycle, key: tuple[Any, ...], n: int) -> Tally:
    """The tally row of `key` (by `_GROUP`) counting `n` evaluations."""
    fields = dict(zip(_GROUP, key, strict=True))
    return Tally(cycle=cycle, parent_path=fields["unit_path"][:-SEGMENT], n=n, **fields)


_REASON = _GROUP.index("status_reason")


def _reasoned(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A key of `_GROUP` with its reason as reports count it."""
    return (*key[:_REASON], counted_reason(key[_REASON]), *key[_REASON + 1 :])


def _batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
