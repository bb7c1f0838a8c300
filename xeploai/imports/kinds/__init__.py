"""Every kind of import, in the order a new district loads them (discipline last: it may
name the cycle it was counted in, which past results create)."""

from __future__ import annotations

from ..base import Kind
from .members import MEMBERS
from .records import DISCIPLINE, POSTS, STATUSES, TRANSFERS
from .results import RESULTS
from .units import UNITS

KINDS: dict[str, Kind] = {
    k.name: k for k in (UNITS, MEMBERS, STATUSES, TRANSFERS, POSTS, RESULTS, DISCIPLINE)
}

__all__ = ["DISCIPLINE", "KINDS", "MEMBERS", "POSTS", "RESULTS", "STATUSES", "TRANSFERS", "UNITS"]
