"""Every kind of import, in the order a new district loads them (discipline last: it may
name the cycle it was counted in, which past results create; the state evaluation after the
members it rates; the levels of governments and mass organisations after their party
organisation's result; leaders' results after the results of the units they head; past
self-reviews after the results of their year)."""

from __future__ import annotations

from ..base import Kind
from .leaders import LEADER_RESULTS
from .members import MEMBERS
from .peers import PEER_RESULTS
from .records import DISCIPLINE, POSTS, STATE_RESULTS, STATUSES, TRANSFERS
from .results import RESULTS
from .self_reviews import SELF_REVIEWS
from .units import UNITS

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        UNITS,
        MEMBERS,
        STATUSES,
        TRANSFERS,
        POSTS,
        RESULTS,
        PEER_RESULTS,
        LEADER_RESULTS,
        DISCIPLINE,
        STATE_RESULTS,
        SELF_REVIEWS,
    )
}

__all__ = [
    "DISCIPLINE",
    "KINDS",
    "LEADER_RESULTS",
    "MEMBERS",
    "PEER_RESULTS",
    "POSTS",
    "RESULTS",
    "SELF_REVIEWS",
    "STATE_RESULTS",
    "STATUSES",
    "TRANSFERS",
    "UNITS",
]
