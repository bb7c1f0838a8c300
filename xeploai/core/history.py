"""Versions of records (django-simple-history), written on every save of the member's data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_model_for_model

__all__ = ["ExplicitHistory", "HistoricalRecords", "record_versions"]

_VERSION_BATCH = 2000  # records per statement (SQLite allows 32,766 parameters)


class ExplicitHistory(HistoricalRecords):  # type: ignore[misc]
    """Versions written only where a caller asks for them (`bulk_update_with_history`), not on
    every save: evaluations are saved at each keystroke of a draft, and their level history
    is the hash-chained `LevelChange` (R33). Imports record the results they change."""

    def post_save(
        self, instance: Any, created: bool, using: str | None = None, **kwargs: Any
    ) -> None:
        pass

    def post_delete(self, instance: Any, using: str | None = None, **kwargs: Any) -> None:
        pass


def record_versions(
    model: type[Model], pks: Sequence[Any], *, created: bool, by: Any, reason: str
) -> None:
    """A version of each of these records as the database holds it now, written by one
    INSERT … SELECT per batch rather than a version object built per record: what
    `bulk_history_create` writes, at a fraction of its cost for the rows of an import."""
    history = get_history_model_for_model(model)
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    target = [quote(history._meta.get_field(f.name).column) for f in tracked]
    source = [quote(f.column) for f in tracked]
    stamp = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        reason,
        "+" if created else "~",
        by.pk if by is not None else None,
    ]
    stamped = ("history_date", "history_change_reason", "history_type", "history_user")
    columns = ", ".join([*target, *(quote(history._meta.get_field(f).column) for f in stamped)])
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _VERSION_BATCH):
            batch = list(pks[start : start + _VERSION_BATCH])
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns})"  # noqa: S608  (names quoted, values as parameters)
                f" SELECT {', '.join(source)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)}"
                f" WHERE {pk} IN ({', '.join(['%s'] * len(batch))}) ORDER BY {pk}",
                [*stamp, *batch],
            )
