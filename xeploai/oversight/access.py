"""Who reads and writes what the superior issues (RULES.md S1, S2), decided here; every view
fetches through the access functions below (STYLE.md 7).

A suggestion is confidential to the roles that oversee its issuing unit (Power.OVERSEE over
it, a role covering its subtree) until it is released. Released, it is read by its subject (the
member or the leader in person; for a collective, those who draft the unit's report) and by
those who decide or appraise the subject's level, who read the explanations before they
decide. Nobody else reads it, ever: not the subject's peers, not the secretary of a sibling
cell, not the subject before release. A suggestion someone may not read does not exist for
them (404).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from xeploai.accounts.access import get_unit_for_user
from xeploai.accounts.models import User
from xeploai.accounts.policy import POWERS, Power, acting_role, can, roles_of
from xeploai.cycles.models import Cycle, LeaderEvaluation, MemberEvaluation, Step, UnitEvaluation
from xeploai.units.models import Unit

from .models import Attendance, Evaluation, Suggestion

# Who reads a released suggestion besides its subject: those who decide or appraise the
# subject's level, over the subject's unit.
MEMBER_READERS = (Power.DECIDE, Power.APPRAISE)
UNIT_READERS = (Power.ASSESS, Power.DECIDE_UNITS, Power.APPRAISE)
# A leader's: the committee that manages the cadre, and who appraises its decisions, above the
# post's unit (never the unit's own officers: their head is decided higher up).
LEADER_READERS = (Power.DECIDE_UNITS, Power.APPRAISE)
# Who answers a collective's suggestion: those who draft its report.
UNIT_WRITERS = (Power.DRAFT,)
# Steps at which a subject's level is not decided yet: a suggestion can be issued, released
# and explained; later the decision has been taken on what was there.
OPEN_STEPS = (Step.SELF_REVIEW, Step.SUBMITTED, Step.PROPOSED)


def _granting(user: User | AnonymousUser, powers: tuple[Power, ...]) -> list[tuple[str, int]]:
    """(path, unit id) of the units where a role of the user grants one of `powers`, read from
    the roles `policy` reads once a request (`roles_of`), not by a query of their own."""
    if not user.is_authenticated:
        return []
    wanted = set(powers)
    held = roles_of(user)
    return [(path, pk) for kind, path, pk in held if POWERS.get(kind, frozenset()) & wanted]


def paths_with(user: User | AnonymousUser, *powers: Power) -> list[str]:
    """The paths of the units where a role of the user grants one of `powers`; each role
    covers its unit's subtree."""
    return [path for path, _pk in _granting(user, powers)]


def units_with(user: User | AnonymousUser, *powers: Power) -> list[int]:
    """The units a role of the user granting one of `powers` is on, themselves."""
    return [pk for _path, pk in _granting(user, powers)]


def _under(field: str, paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _strictly_under(field: str, paths: list[str]) -> Q:
    """Strictly under one of `paths`: what a role reads of the units below its own."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path}) & ~Q(**{field: path})
    return condition


def visible_suggestions(user: User | AnonymousUser) -> Q:
    """The condition `Suggestion.objects.visible_to` filters by."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    overseen = _under("superior__path", paths_with(user, Power.OVERSEE))
    deciders = _under("unit_evaluation__unit_path", paths_with(user, *UNIT_READERS))
    deciders |= _under("member_evaluation__unit_path", paths_with(user, *MEMBER_READERS))
    deciders |= _strictly_under("leader_evaluation__unit_path", paths_with(user, *LEADER_READERS))
    return overseen | (Q(released__isnull=False) & (answered_by(user) | deciders))


def answered_by(user: User | AnonymousUser) -> Q:
    """The suggestions whose subject the user answers for (`is_subject`), released or not:
    their own, and every collective their roles draft for, down their subtree."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    condition = _under("unit_evaluation__unit_path", paths_with(user, *UNIT_WRITERS))
    if user.member_id is not None:
        condition |= _in_person(user.member_id)
    return condition


def _in_person(member_id: int) -> Q:
    """The suggestions to a member in person: in their cell's review, or as a leader."""
    return Q(member_evaluation__member_id=member_id) | Q(leader_evaluation__member_id=member_id)


def sent_to(user: User | AnonymousUser, units: list[int]) -> Q:
    """The suggestions sent to the user in person, or to the collective of one of `units`
    (those their roles drafting reports are on): what they are asked to answer themselves,
    as their home page and their list show it."""
    condition = Q(unit_evaluation__unit_id__in=units)
    if user.is_authenticated and user.member_id is not None:
        condition |= _in_person(user.member_id)
    return condition


def oversees(user: User | AnonymousUser, unit: Unit) -> bool:
    """Whether the user oversees `unit`: reads everything issued there, drafts included."""
    return can(user, Power.OVERSEE, unit.path)


def acts_for(user: User | AnonymousUser, unit: Unit) -> bool:
    """Whether the user issues and records in the name of `unit`: a role ON the unit itself
    grants them OVERSEE. A role higher up reads the unit's records but never signs for it."""
    role = acting_role(user, Power.OVERSEE, unit.path)
    return role is not None and role[1] == unit.pk


def is_subject(user: User | AnonymousUser, evaluation: Evaluation) -> bool:
    """Whether the user answers for `evaluation`: the member or the leader, or who drafts the
    unit's report."""
    if isinstance(evaluation, MemberEvaluation | LeaderEvaluation):
        return user.is_authenticated and user.member_id == evaluation.member_id
    return any(can(user, power, evaluation.unit_path) for power in UNIT_WRITERS)


def is_open(evaluation: Evaluation, cycle: Cycle) -> bool:
    """Whether the subject's level is still to be decided, in its cycle, not closed."""
    return evaluation.step in OPEN_STEPS and not cycle.closed


def may_explain(user: User | AnonymousUser, suggestion: Suggestion) -> bool:
    """The subject writes the explanations of a released suggestion until their level is
    decided."""
    subject = suggestion.subject
    return (
        suggestion.is_released and is_subject(user, subject) and is_open(subject, suggestion.cycle)
    )


# --- Access functions ------------------------------------------------------------------------


def get_superior_for_user(user: User, code: str) -> Unit:
    """A unit whose records of the level below the user may read: 404 outside their scope,
    403 for a unit they see but do not oversee."""
    unit = get_unit_for_user(user, code)
    if not oversees(user, unit):
        raise PermissionDenied
    return unit


def require_acting(user: User, unit: Unit) -> None:
    """403 for a user who reads `unit`'s records but may not write in its name."""
    if not acts_for(user, unit):
        raise PermissionDenied


def get_suggestion_for_user(user: User, pk: int) -> Suggestion:
    """A suggestion the user may read (S2); 404 otherwise, even if it exists."""
    found = Suggestion.objects.visible_to(user).with_subjects()
    found = found.select_related("cycle", "released_by")
    suggestion = found.filter(pk=pk).first()
    if suggestion is None:
        raise Http404
    return suggestion


def get_suggestion_for_overseer(user: User, pk: int) -> Suggestion:
    """A suggestion as its issuing side reads it: 403 for its subject and its deciders."""
    suggestion = get_suggestion_for_user(user, pk)
    if not oversees(user, suggestion.superior):
        raise PermissionDenied
    return suggestion


def get_suggestion_for_subject(user: User, pk: int) -> Suggestion:
    """A released suggestion, on its subject's page: read by whoever may read it (404 before
    release, whoever they are); written by its subject only (`may_explain`)."""
    suggestion = get_suggestion_for_user(user, pk)
    if not suggestion.is_released:
        raise Http404
    return suggestion


def get_attendance_for_user(user: User, pk: int) -> Attendance:
    """A record of a review attended or directed, for whoever oversees its unit; 404 otherwise."""
    found = Attendance.objects.with_subjects().select_related("cycle", "recorded_by")
    record = found.filter(pk=pk).first()
    if record is None or not oversees(user, record.superior):
        raise Http404
    return record


def subject_in_scope(evaluation: Evaluation, superior: Unit) -> bool:
    """Whether `evaluation` is a review of the level below `superior`: a collective of
    `superior`, or a leader of it, is reviewed under the superior's own superior."""
    if isinstance(evaluation, UnitEvaluation | LeaderEvaluation) and (
        evaluation.unit_id == superior.pk
    ):
        return False
    return evaluation.unit_path.startswith(superior.path)
