"""Who sees what (RULES.md S1), decided here and nowhere else (STYLE.md 8-9).

A role on a unit covers that unit's subtree. A member who holds no role sees their own
record and the name of their own cell, nothing more.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

Q_ = TypeVar("Q_", bound=QuerySet)  # type: ignore[type-arg]


def role_paths(user: User | AnonymousUser) -> list[str] | None:
    """The paths of the units the user's roles cover; None means everything."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    cached: list[str] | None = getattr(user, "_role_paths", None)
    if cached is None:
        paths = sorted(user.roles.values_list("unit__path", flat=True))
        # A path already covered by a shorter one adds nothing.
        cached = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        user._role_paths = cached  # type: ignore[attr-defined]
    return cached


def _under(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def unit_scope(units: Q_, user: User | AnonymousUser) -> Q_:
    paths = role_paths(user)
    if paths is None:
        return units
    condition = _under("path", paths)
    member = getattr(user, "member", None) if user.is_authenticated else None
    if member is not None:
        condition |= Q(pk=member.cell_id)
    return units.filter(condition)


def member_scope(members: Q_, user: User | AnonymousUser) -> Q_:
    paths = role_paths(user)
    if paths is None:
        return members
    condition = _under("cell__path", paths)
    if user.is_authenticated and user.member_id is not None:
        condition |= Q(pk=user.member_id)
    return members.filter(condition)


def sees_members_of(user: User | AnonymousUser, unit_path: str) -> bool:
    """Whether the user's roles cover the members of the unit at `unit_path`."""
    paths = role_paths(user)
    return paths is None or any(unit_path.startswith(p) for p in paths)


class Power(enum.StrEnum):
    """What a role lets its holder do in the review, over its unit's subtree."""

    ASSIST = "ASSIST"  # fill and submit a member's self-review on their behalf
    INPUT = "INPUT"  # enter a comment on a member (their own, or from a paper sheet)
    PROPOSE = "PROPOSE"  # hold the cell meeting and propose levels
    DECIDE = "DECIDE"  # decide levels within the quota, and publish
    APPRAISE = "APPRAISE"  # approve, adjust or return decided results; re-open them (R31)
    OPEN = "OPEN"  # open a cycle for a subtree
    # Organisations and leadership collectives (the review one level up):
    DRAFT = "DRAFT"  # draft and submit the report of a unit's collective (its committee)
    ASSESS = "ASSESS"  # examine and propose the levels of the organisations below
    DECIDE_UNITS = "DECIDE_UNITS"  # decide them within the quota, and publish them
    # The superior's hand in the review (S2), and the state's side of it (R12, R17):
    OVERSEE = "OVERSEE"  # issue review suggestions below; record the reviews attended, directed
    RECORD_STATE = "RECORD_STATE"  # enter civil servants' levels in the state evaluation


# Decided here and nowhere else (STYLE.md 9). Role kinds are the values of `RoleKind`.
POWERS: dict[str, frozenset[Power]] = {
    "CELL_COMMITTEE": frozenset({Power.INPUT, Power.PROPOSE, Power.DRAFT}),
    "CELL_SECRETARY": frozenset({Power.ASSIST, Power.INPUT, Power.PROPOSE, Power.DRAFT}),
    "GRASSROOTS_OFFICER": frozenset(
        {Power.DECIDE, Power.OPEN, Power.DRAFT, Power.ASSESS, Power.DECIDE_UNITS}
    ),
    "BOARD_OFFICER": frozenset({Power.APPRAISE, Power.OPEN, Power.ASSESS, Power.OVERSEE}),
    "STANDING_COMMITTEE": frozenset({Power.DRAFT, Power.DECIDE_UNITS, Power.OPEN, Power.OVERSEE}),
    "PERSONNEL_OFFICE": frozenset({Power.RECORD_STATE}),
    "ADMINISTRATOR": frozenset({Power.OPEN}),
}


def roles_of(user: User) -> list[tuple[str, str, int]]:
    """The user's roles as (kind, unit path, unit id), read once per request."""
    cached: list[tuple[str, str, int]] | None = getattr(user, "_roles", None)
    if cached is None:
        cached = list(user.roles.values_list("kind", "unit__path", "unit_id"))
        user._roles = cached  # type: ignore[attr-defined]
    return cached


def acting_role(user: User | AnonymousUser, power: Power, unit_path: str) -> tuple[str, int] | None:
    """The role (kind, unit id) through which the user holds `power` over the unit at
    `unit_path`, the nearest one first; None when they do not hold it."""
    if not user.is_authenticated:
        return None
    granting = [
        (len(path), kind, unit_id)
        for kind, path, unit_id in roles_of(user)
        if power in POWERS.get(kind, frozenset()) and unit_path.startswith(path)
    ]
    if not granting:
        return None
    _, kind, unit_id = max(granting)
    return kind, unit_id


def can(user: User | AnonymousUser, power: Power, unit_path: str) -> bool:
    return acting_role(user, power, unit_path) is not None


# Who reads where results deserve a second look (`integrity`): those who decide or appraise
# them. Never a member or a cell: a signal names people and quotes what they wrote.
SIGNAL_READERS = (Power.APPRAISE, Power.DECIDE, Power.DECIDE_UNITS)


def reads_signals(user: User | AnonymousUser, unit_path: str) -> bool:
    return any(can(user, power, unit_path) for power in SIGNAL_READERS)


# Powers whose holders must sign in with a second factor (with superusers and staff, who
# administer and import): whoever decides, appraises or opens a cycle for a subtree.
SECOND_FACTOR_POWERS = frozenset(
    {Power.DECIDE, Power.APPRAISE, Power.OPEN, Power.ASSESS, Power.DECIDE_UNITS}
)


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Whether the user must prove a second factor (TOTP) to sign in (`accounts.twofactor`)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    powers = (POWERS.get(kind, frozenset()) for kind, _, _ in roles_of(user))
    return any(held & SECOND_FACTOR_POWERS for held in powers)
