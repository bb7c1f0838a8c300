"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.signals import connection_created
from django.db.models import F, Model
from django.db.models.functions import Collate
from django.dispatch import receiver
from psycopg_pool import PoolTimeout

from .private import FILE, tighten
from .text import name_sort_key

SQLITE_COLLATION = "vi"
POSTGRES_COLLATION = "vi-VN-x-icu"
# SQLite's words when another connection held the write lock past the busy timeout.
SQLITE_BUSY = ("database is locked", "database table is locked")
# PostgreSQL's codes for lock_not_available (lock_timeout ran out) and deadlock_detected.
POSTGRES_BUSY = frozenset({"55P03", "40P01"})


def _compare(a: str, b: str) -> int:
    ka, kb = name_sort_key(a), name_sort_key(b)
    return (ka > kb) - (ka < kb)


@receiver(connection_created)
def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite knows no Vietnamese order: register one so that "Đức" sorts after "Dũng"."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


@receiver(connection_created)
def keep_sqlite_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The database and its -wal and -shm for the owner only, whoever created them: the test
    database, which Django makes anew; one created before files were made private."""
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        name = Path(connection.settings_dict["NAME"])
        for path in (name, name.with_name(f"{name.name}-wal"), name.with_name(f"{name.name}-shm")):
            tighten(path, FILE)


def vietnamese(field: str) -> Collate:
    """An expression ordering `field` in Vietnamese alphabetical order on either database."""
    name = POSTGRES_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    return Collate(F(field), name)


def is_busy(error: BaseException) -> bool:
    """Whether a database error says that others held what it needed (a lock, or every pooled
    connection), not that it failed: the same request succeeds once they let go."""
    if not isinstance(error, OperationalError):
        return False
    if any(words in str(error) for words in SQLITE_BUSY):
        return True
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in POSTGRES_BUSY or isinstance(cause, PoolTimeout)


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write new rows of `model`, each given as the values of `fields` (column names, values
    as the database takes them), every other column at its field's default: by COPY on
    PostgreSQL, by one prepared statement elsewhere. Like `bulk_create`, with no model
    objects, no signals and no history. Returns the rows written."""
    table = connection.ops.quote_name(model._meta.db_table)
    others = [
        f for f in model._meta.concrete_fields if f.column not in fields and not f.primary_key
    ]
    if stamped := [
        f.name for f in others if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]:
        raise ValueError(f"{model.__name__}: give {', '.join(stamped)}, a time of writing")
    defaults = tuple(_plain(f.get_db_prep_save(f.get_default(), connection)) for f in others)
    columns = ", ".join(
        connection.ops.quote_name(c) for c in (*fields, *(f.column for f in others))
    )
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
                    written += 1
            return written
        marks = ", ".join(["%s"] * (len(fields) + len(others)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names)
        streamed = iter(rows)
        while chunk := [(*row, *defaults) for row in itertools.islice(streamed, 5000)]:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def create_objects(model: type[Model], objs: Iterable[Model]) -> int:
    """`bulk_create` for many rows, without signals: each object gets its id. On PostgreSQL
    the ids are drawn from the table's sequence and the rows written by COPY, so that no
    statement of thousands of parameters is built and quoted. Returns the rows written."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    assert pk is not None
    written = 0
    streamed = iter(objs)
    while batch := list(itertools.islice(streamed, _OBJECTS)):
        for obj in batch:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        if connection.vendor != "postgresql":
            model._default_manager.bulk_create(batch)
            written += len(batch)
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(batch)],
            )
            for obj, (id_,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = id_
        db = connections[DEFAULT_DB_ALIAS]  # not the proxy, read once per value
        rows = (
            [obj.pk, *(_plain(f.get_db_prep_save(f.pre_save(obj, True), db)) for f in fields)]
            for obj in batch
        )
        written += insert_rows(model, [pk.column, *(f.column for f in fields)], rows)
        for obj in batch:
            obj._state.adding, obj._state.db = False, connection.alias
    return written


_OBJECTS = 5000  # objects given their ids and written together


def _plain(value: Any) -> Any:
    """A choice's value as the driver takes it."""
    return value.value if isinstance(value, enum.Enum) else value
