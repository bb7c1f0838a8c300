"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from django.dispatch import receiver

from .text import name_sort_key

SQLITE_COLLATION = "vi"
POSTGRES_COLLATION = "vi-VN-x-icu"


def _compare(a: str, b: str) -> int:
    ka, kb = name_sort_key(a), name_sort_key(b)
    return (ka > kb) - (ka < kb)


@receiver(connection_created)
def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite knows no Vietnamese order: register one so that "Đức" sorts after "Dũng"."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def vietnamese(field: str) -> Collate:
    """An expression ordering `field` in Vietnamese alphabetical order on either database."""
    name = POSTGRES_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    return Collate(F(field), name)
