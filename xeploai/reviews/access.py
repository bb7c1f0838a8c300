"""Access to evaluations: fetched here or refused, 404 outside scope, 403 read-only (S1)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from xeploai.accounts.access import get_scope_unit_for_user as get_scope_unit_for_user
from xeploai.accounts.access import get_unit_for_user
from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can, sees_members_of
from xeploai.cycles.models import CycleKind, MemberEvaluation
from xeploai.members.models import Member
from xeploai.units.models import Unit


def get_evaluation_for_user(user: User, year: int, member_code: str) -> MemberEvaluation:
    """A member's evaluation of a yearly cycle, if the user may see the member's record."""
    # The member, if in the user's scope (S1), read in the same query as the evaluation.
    member = Member.objects.visible_to(user).filter(code=member_code)
    evaluation = (
        MemberEvaluation.objects.filter(
            member__in=member, cycle__kind=CycleKind.YEAR, cycle__year=year
        )
        .select_related("cycle", "member", "cell")
        .first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def may_fill(user: User, evaluation: MemberEvaluation) -> bool:
    """The member themselves, or their cell's secretary entering on their behalf."""
    return user.member_id == evaluation.member_id or can(user, Power.ASSIST, evaluation.cell.path)


def get_evaluation_for_filling(user: User, year: int, member_code: str) -> MemberEvaluation:
    evaluation = get_evaluation_for_user(user, year, member_code)
    if not may_fill(user, evaluation):
        raise PermissionDenied
    return evaluation


def get_cell_for_user(user: User, code: str) -> Unit:
    """A cell whose members the user's roles cover; 404 otherwise."""
    unit = get_unit_for_user(user, code)
    if not unit.is_cell or not sees_members_of(user, unit.path):
        raise Http404
    return unit


def require(user: User, power: Power, unit: Unit) -> None:
    """403 for a user who may see `unit` but lacks `power` over it."""
    if not can(user, power, unit.path):
        raise PermissionDenied


def get_grassroots_for_user(user: User, code: str) -> Unit:
    """A grassroots unit whose members the user's roles cover; 404 otherwise."""
    unit = get_unit_for_user(user, code)
    if not unit.is_grassroots or not sees_members_of(user, unit.path):
        raise Http404
    return unit


def get_cell_for_member_or_role(user: User, code: str) -> Unit:
    """A cell the user belongs to, or whose members their roles cover; 404 otherwise."""
    unit = get_unit_for_user(user, code)
    own = user.member is not None and user.member.cell_id == unit.pk
    if not unit.is_cell or not (own or sees_members_of(user, unit.path)):
        raise Http404
    return unit
