"""Fixtures every test of the package shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_seals_file(settings: Any, tmp_path: Path) -> None:
    """Each test seals into its own file: the database is rolled back after a test, a file
    outside it is not, and a seal left by another test would read as one deleted here."""
    settings.HISTORY_SEALS = tmp_path / "history_seals"
