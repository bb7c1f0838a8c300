"""Who sees what (RULES.md S1), decided here and nowhere else (STYLE.md 8-9).

A role on a unit covers that unit's subtree. A member who holds no role sees their own
record and the name of their own cell, nothing more.
"""

from __future__ import annotations

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
