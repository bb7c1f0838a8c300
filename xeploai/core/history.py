"""Versions of records (django-simple-history), written on every save of the member's data."""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords

__all__ = ["ExplicitHistory", "HistoricalRecords"]


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
