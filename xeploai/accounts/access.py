"""Access functions: every view fetches a protected object through one of these (STYLE.md 7)."""

from __future__ import annotations

from django.http import Http404

from xeploai.members.models import Member
from xeploai.units.models import Unit

from .models import User
from .policy import sees_members_of


def get_unit_for_user(user: User, code: str) -> Unit:
    """The unit with `code` if the user may see it; 404 otherwise, even if it exists."""
    unit = Unit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def get_scope_unit_for_user(user: User, code: str) -> Unit:
    """Any unit whose members the user's roles cover; 404 otherwise."""
    unit = get_unit_for_user(user, code)
    if not sees_members_of(user, unit.path):
        raise Http404
    return unit


def get_member_for_user(user: User, code: str) -> Member:
    """The member with `code` if the user may see their record; 404 otherwise."""
    member = Member.objects.visible_to(user).select_related("cell").filter(code=code).first()
    if member is None:
        raise Http404
    return member
