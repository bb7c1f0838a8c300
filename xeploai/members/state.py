"""The state evaluation of civil servants and public employees beside the party's (R12, R17,
R28): the personnel office of their workplace enters or imports each level with the decision it
comes from; the member never types it. Once the party has decided a member's level in an open
cycle, their state result for that year is kept as it was, so that the decision and the facts it
was taken on never part: the superior re-opens the party result first (R31)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from xeploai.accounts.models import User
from xeploai.accounts.policy import Power, can
from xeploai.cycles.models import CycleKind, MemberEvaluation, Step

from .models import Member, StateResult

# Steps at which a member's party level is decided.
DECIDED = (Step.DECIDED, Step.APPRAISED, Step.PUBLISHED)


class StateResultRefused(Exception):
    """A state result that cannot be recorded, with the reason in Vietnamese."""


@dataclasses.dataclass(frozen=True)
class StateResultData:
    year: int
    level: str
    decision_number: str
    decision_date: dt.date


def decided(members: Iterable[Member | int], years: Iterable[int]) -> set[tuple[int, int]]:
    """(member id, year) of the members whose party level of that year is decided in a cycle
    still open: their state result for that year can no longer change."""
    rows = MemberEvaluation.objects.filter(
        member__in=list(members),
        cycle__year__in=set(years),
        cycle__kind=CycleKind.YEAR,
        cycle__closed=False,
        step__in=DECIDED,
    ).values_list("member_id", "cycle__year")
    return set(rows)


def refusal(member: Member, year: int, decided_pairs: set[tuple[int, int]]) -> str:
    """Why the member's state result of `year` cannot be recorded, or ""."""
    if not member.civil_servant:
        return _(
            "Đồng chí {name} không được ghi là cán bộ, công chức, viên chức trong hồ sơ đảng viên."
        ).format(name=member.full_name)
    if (member.pk, year) in decided_pairs:
        return _(
            "Đã có quyết định xếp loại đảng viên năm {year} của đồng chí {name}: cấp trên phải"
            " mở lại kết quả đó trước khi sửa kết quả đánh giá công chức."
        ).format(year=year, name=member.full_name)
    return ""


@transaction.atomic
def record(member: Member, data: StateResultData, *, by: User) -> StateResult:
    """Enter or correct a member's state result for a year, with a version naming `by`."""
    if not can(by, Power.RECORD_STATE, member.cell.path):
        raise StateResultRefused(_("Đồng chí không có quyền nhập kết quả đánh giá công chức."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    reason = refusal(member, data.year, decided([member], [data.year]))
    if reason:
        raise StateResultRefused(reason)
    result = StateResult.objects.filter(member=member, year=data.year).first()
    result = result or StateResult(member=member, year=data.year)
    result.level = data.level
    result.decision_number = data.decision_number
    result.decision_date = data.decision_date
    result._history_user = by  # type: ignore[attr-defined]
    result.save()
    return result
