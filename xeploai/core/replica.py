"""Reads a read replica of the database may serve: the reports, which read much and change
nothing, when `DATABASE_REPLICA_URL` names a replica the primary streams to (docs/scale.md).

Only the code inside `replica()` reads there; whatever it writes, and everything else a
request does (the session, the user's roles, the access log), stays on the primary. A replica
may lag behind by a moment: a report read there may miss a result saved a second ago, as a
report printed a second earlier would."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("replica", default=False)


@contextlib.contextmanager
def replica() -> Iterator[None]:
    """Read from the replica, where there is one, until the block ends."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reading_replica() -> bool:
    """Whether the code runs inside `replica()`."""
    return _reading.get()


class ReplicaRouter:
    """Sends the reads made inside `replica()` to the replica, if one is configured."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return REPLICA if reading_replica() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return None  # the primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Rows read from the replica are the primary's rows.
        same = {DEFAULT_DB_ALIAS, REPLICA}
        return True if {obj1._state.db, obj2._state.db} <= same else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None  # a copy of the primary, migrated with it
