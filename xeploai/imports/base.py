"""How an import runs, whatever its kind: rows are read from the file as a stream, each goes
through the form the pages use and the kind's checks against the database, reading only;
once every row is valid they are written chunk by chunk inside one transaction. A single
refused row means nothing is written (all rows or none); re-importing the same file changes
nothing; every record created or changed leaves a history entry."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar, cast

from django import forms
from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from xeploai.accounts.models import User
from xeploai.core.db import create_objects
from xeploai.core.history import record_versions
from xeploai.reports import tally
from xeploai.units.models import Unit

from . import values
from .reader import Column, FileError, Row, open_table
from .report import Report

CHUNK = 2000  # rows validated and written together
SPOOL_MEMORY = 32 << 20  # checked rows kept in memory; beyond, in an unnamed temporary file
M = TypeVar("M", bound=models.Model)


class Item(NamedTuple):
    """A row and its values by field, as far as they could be read (None where not). A
    writer checks every row's values against the database, and writes the valid rows."""

    row: Row
    data: dict[str, Any]
    valid: bool = True


class DryRun(Exception):
    """Raised inside the transaction of a refused file, so that nothing stays."""


@dataclasses.dataclass
class Run:
    """What the writers of one import share: who runs it, why, and state across chunks.
    While `writes` is false the file is only being checked: a writer checks and counts its
    rows as usual but writes nothing (`insert` and `update` below do nothing then)."""

    by: User | None = None
    reason: str = ""
    cache: dict[str, Any] = dataclasses.field(default_factory=dict)
    writes: bool = True


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str  # on the command line
    title: StrOrPromise  # the sheet's name in templates and exports
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the fields naming one record (its natural key)
    form: type[forms.BaseForm]  # the form the pages use for the same record
    write: Callable[[list[Item], Report, Run], None]  # checks a chunk against the database
    export: Callable[[Unit | None], Iterable[dict[str, object]]]  # rows, by field
    whole_file: bool = False  # rows that must be written together (the tree)

    @functools.cached_property
    def headers(self) -> dict[str, str]:
        return {c.field: c.header for c in self.columns}

    @functools.cached_property
    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns}

    def key_of(self, row: Row) -> tuple[str, ...]:
        """The row's natural key as its columns read it ("dang vien" is "Đảng viên"); a cell
        that cannot be read counts as its text, and is refused with its row anyway."""
        parts = []
        for field in self.key:
            raw = row.values.get(field, "")
            try:
                parts.append(str(self.by_field[field].parse(raw)))
            except values.ValueProblem:
                parts.append(values.text(raw))
        return tuple(parts)

    def cells(self, row: Row, report: Report, *, valid: bool = True) -> Item:
        """The row's values through each column's parser and then the form, every problem of
        the row reported: a cell that cannot be read is blank to the form, which reports the
        others (never a second message for the same cell)."""
        data: dict[str, Any] = {}
        unread = set()
        for column in self.columns:
            try:
                data[column.field] = column.parse(row.values.get(column.field, column.absent))
            except values.ValueProblem as e:
                report.add(row.number, column.header, str(e))
                unread.add(column.field)
        form = _bind(self.form, {k: v for k, v in data.items() if v not in (None, False, "")})
        valid = form.is_valid() and not unread and valid
        for field, messages in form.errors.items():
            if field not in unread:
                for message in messages:
                    report.add(row.number, self.headers.get(field, ""), str(message))
        return Item(row, dict.fromkeys(form.fields) | form.cleaned_data, valid)


_FORMS = threading.local()  # per thread: {form class: its one instance}


def _bind(form_class: type[forms.BaseForm], data: dict[str, Any]) -> forms.BaseForm:
    """The kind's form bound to one row. One instance per thread serves every row: a new form
    deep-copies all its fields, which costs more than validating the row. Only what binding
    sets is reset (the data, the errors, the bound fields, a model form's instance); the
    fields themselves are never changed by validation."""
    instances: dict[type[forms.BaseForm], forms.BaseForm] = _FORMS.__dict__.setdefault("forms", {})
    form = instances.get(form_class)
    if form is None:
        form = instances[form_class] = form_class(data)
        return form
    form.data = data
    form._errors = None  # type: ignore[attr-defined]
    form._bound_fields_cache = {}  # type: ignore[attr-defined]
    if isinstance(form, forms.BaseModelForm):
        form.instance = form._meta.model()
    return form


def run_import(
    kind: Kind,
    path: Path,
    *,
    dry_run: bool = False,
    run: Run | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate every row of the file, reading only; then, unless it is a dry run or a row is
    refused, write them all in one transaction (all rows or none).

    Nothing is locked while the file is read and checked: on SQLite a transaction takes the
    database's one write lock at its start (transaction mode IMMEDIATE), and an import that
    held it while reading a large file would make every other write of the site (a login, a
    saved form) wait, then fail. Only the checked rows are written, in a short transaction
    that checks them against the database once more, since others may have written in the
    meantime."""
    report = Report()
    run = run or Run(reason=_("Nhập tệp {name}").format(name=path.name))
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            checked = _Spool(spool)
            try:
                with _checking():
                    _read(kind, path, report, replace(run, writes=False), checked, progress)
            except _WroteWhileChecking:
                report = Report()
                _read_and_write(kind, path, report, run, dry_run=dry_run, progress=progress)
            else:
                if report.ok and not dry_run:
                    _write(kind, checked, report, run)
    except FileError as e:
        report.add(0, "", str(e))
    except DatabaseError as e:  # a rule of the database no check above foresaw
        report.add(
            0, "", _("Cơ sở dữ liệu từ chối ghi: {error}. Không dòng nào được ghi.").format(error=e)
        )
    report.errors.sort(key=lambda e: e.row)
    return report


def _read(
    kind: Kind,
    path: Path,
    report: Report,
    run: Run,
    checked: _Spool | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Every row through its form and the kind's checks against the database, chunk by
    chunk. While `run.writes` is false nothing may be written (a kind that tries stops the
    reading with _WroteWhileChecking) and the chunks are kept in `checked` for the write;
    otherwise each chunk is written as soon as it is checked."""
    table = open_table(path, kind.columns, (str(kind.title), kind.name))
    first_row: dict[tuple[str, ...], int] = {}  # natural key → the row that first gave it
    rows = iter(table.rows)
    size = sys.maxsize if kind.whole_file else CHUNK
    rows_seen = 0
    run = replace(run, cache={})
    while True:
        with contextlib.nullcontext() if run.writes else _writes_refused():
            chunk = [
                kind.cells(row, report, valid=_first(kind, row, first_row, report))
                for row in itertools.islice(rows, size)
            ]
            if not chunk:
                break
            kind.write(chunk, report, run)
        rows_seen += len(chunk)
        if checked is not None and report.ok:
            checked.add(chunk)
        if progress is not None and len(chunk) == size:
            progress(chunk[-1].row.number, table.total)
    if progress is not None:
        progress(table.total, table.total)
    if not rows_seen:
        report.add(0, "", _("Tệp không có dòng dữ liệu nào."))


def _write(kind: Kind, checked: _Spool, report: Report, run: Run) -> None:
    """Write the checked chunks in one transaction, each checked once more against the
    database as it is now; a refusal then rolls everything back."""
    report.created = report.updated = report.unchanged = 0  # counted again as written
    run = replace(run, cache={})
    try:
        with transaction.atomic(), tally.deferred():
            for chunk in checked:
                kind.write(chunk, report, run)
            if not report.ok:
                raise DryRun
    except DryRun:
        pass


def _read_and_write(
    kind: Kind,
    path: Path,
    report: Report,
    run: Run,
    *,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
) -> None:
    """For a kind that must write while it checks: read, check and write in one
    transaction, rolled back for a dry run or a refused row. It holds the write lock all
    along: no kind should need it."""
    try:
        with transaction.atomic(), tally.deferred():
            _read(kind, path, report, run, None, progress)
            if not report.ok or dry_run:
                raise DryRun
    except DryRun:
        pass


def _checking() -> contextlib.AbstractContextManager[Any]:
    """No transaction for checking a file, so no lock; but within a caller's transaction a
    savepoint, which a kind that writes while checking rolls back to, leaving the caller's
    transaction usable."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


class _WroteWhileChecking(Exception):
    """A kind wrote to the database while the file was only being checked."""


def _refuse_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Let reads through; stop anything else before it reaches the database (on SQLite a
    write, or a transaction's BEGIN, would take the write lock)."""
    if sql.lstrip()[:6].upper() != "SELECT":
        raise _WroteWhileChecking(sql[:100])
    return execute(sql, params, many, context)


def _writes_refused() -> contextlib.AbstractContextManager[None]:
    return connection.execute_wrapper(_refuse_writes)


class _Spool:
    """The checked chunks, kept until they are written, in a spooled temporary file: in
    memory up to SPOOL_MEMORY bytes, beyond in a file that has no name on disk and is gone
    once closed, so that a file of any size is held in bounded memory and leaves nothing
    behind. Each row keeps its number only: the writers read the values checked, not the
    cells."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.chunks = 0

    def add(self, chunk: list[Item]) -> None:
        rows = [Item(Row(i.row.number, {}), i.data, i.valid) for i in chunk]
        pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.chunks += 1

    def __iter__(self) -> Iterator[list[Item]]:
        self.file.seek(0)
        for _chunk in range(self.chunks):
            yield pickle.load(self.file)  # noqa: S301  (written just above, by this process)


def _first(kind: Kind, row: Row, first_row: dict[tuple[str, ...], int], report: Report) -> bool:
    """Whether the row is the first with its natural key; a later one is refused, naming
    the first (its other faults are still reported)."""
    key = kind.key_of(row)
    if key not in first_row:
        first_row[key] = row.number
        return True
    shown = [values.text(row.values.get(f)) for f in kind.key]
    report.add(
        row.number,
        kind.headers[kind.key[-1]],
        _("Mã {code} trùng với dòng {row}.").format(code=shown[0], row=first_row[key])
        if len(key) == 1
        else _("Trùng với dòng {row}: cùng {key}.").format(
            row=first_row[key], key=", ".join(shown)
        ),
    )
    return False


# --- Helpers the kinds share ------------------------------------------------------------------


def by_code(model: type[M], codes: Iterable[str], *related: str) -> dict[str, M]:
    """The records of these codes, with the related records named in `related`."""
    wanted = {c for c in codes if c}
    found = model._default_manager.select_related(*related).filter(code__in=wanted)
    return {obj.code: obj for obj in found}  # type: ignore[attr-defined]


def unknown_unit(report: Report, row: Row, column: str, code: str) -> None:
    report.add(row.number, column, _("Không có đơn vị mã {code}.").format(code=code))


def not_a_cell(report: Report, row: Row, column: str, unit: Unit) -> None:
    report.add(
        row.number,
        column,
        _("{name} không phải chi bộ: đảng viên phải thuộc một chi bộ.").format(name=unit.name),
    )


def record_key(
    model: type[models.Model], fields: Sequence[str], values_: dict[str, Any]
) -> tuple[Any, ...]:
    """A record's natural key, with related records by their primary key."""
    return tuple(v.pk if isinstance(v, models.Model) else v for v in (values_[f] for f in fields))


def upsert(
    model: type[M],
    items: list[tuple[Row, dict[str, Any]]],
    existing: Iterable[M],
    key: Sequence[str],
    report: Report,
    run: Run,
) -> None:
    """Create the records not there yet and update the ones that differ, with history; the
    items' values are model fields (related records as objects), their natural key `key`."""
    fields = [f for f in items[0][1] if f not in key] if items else []
    attnames = {f: attname(model, f) for f in [*key, *fields]}
    stored = {tuple(getattr(o, attnames[f]) for f in key): o for o in existing}
    new: list[M] = []
    changed: list[M] = []
    for _row, fields_ in items:
        obj = stored.get(record_key(model, key, fields_))
        if obj is None:
            new.append(model(**fields_))
        elif any(differs(getattr(obj, attnames[f]), fields_[f]) for f in fields):
            for f in fields:
                setattr(obj, f, fields_[f])
            changed.append(obj)
        else:
            report.unchanged += 1
    if not report.ok:
        return
    if new:
        insert(model, new, run)
    update(model, changed, fields, run)
    report.created += len(new)
    report.updated += len(changed)


def update(model: type[M], objs: list[M], fields: Sequence[str], run: Run) -> None:
    """Save these fields of changed records, with a version each (not while checking)."""
    if not objs or not run.writes:
        return
    tally.touched(objs)
    model._default_manager.bulk_update(objs, list(fields), batch_size=CHUNK)
    record_versions(model, [o.pk for o in objs], created=False, by=run.by, reason=run.reason)


def insert(model: type[M], objs: list[M], run: Run) -> None:
    """Insert new records (by COPY on PostgreSQL: `create_objects`) and their first versions.
    Not while checking."""
    if not objs or not run.writes:
        return
    tally.touched(objs)
    create_objects(model, objs)
    record_versions(model, [o.pk for o in objs], created=True, by=run.by, reason=run.reason)


def attname(model: type[models.Model], field: str) -> str:
    """The attribute holding a field's value: `member_id` for `member`."""
    return cast(models.Field[Any, Any], model._meta.get_field(field)).attname


def differs(stored: object, new: object) -> bool:
    return bool(stored != (new.pk if isinstance(new, models.Model) else new))
