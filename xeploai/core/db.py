"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.db.models import F
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
