"""Second pass over the demo tree: posts, transfers, temporary membership, discipline; and
the personas' second factor."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django_otp.plugins.otp_totp.models import TOTPDevice

from xeploai.accounts import twofactor
from xeploai.accounts.models import User
from xeploai.accounts.policy import needs_second_factor
from xeploai.members.models import (
    Discipline,
    DisciplineForm,
    Post,
    PostKind,
    StatusKind,
    Transfer,
)
from xeploai.units.models import Unit, UnitKind

from .tree import CURRENT_YEAR, FIRST_YEAR, TODAY, Seeded, Tree, _date

COMMUNE_POSTS = [
    (PostKind.PARTY, "Bí thư Đảng ủy xã", True, ""),
    (PostKind.PARTY, "Phó Bí thư Thường trực Đảng ủy xã", False, ""),
    (PostKind.GOVERNMENT, "Chủ tịch UBND xã", True, "UBND xã"),
    (PostKind.GOVERNMENT, "Phó Chủ tịch UBND xã", False, "UBND xã"),
    (PostKind.MASS, "Chủ tịch Ủy ban MTTQ xã", True, "Ủy ban MTTQ xã"),
    (PostKind.MASS, "Chủ tịch Hội Nông dân xã", True, "Hội Nông dân xã"),
    (PostKind.MASS, "Chủ tịch Hội Liên hiệp Phụ nữ xã", True, "Hội Liên hiệp Phụ nữ xã"),
    (PostKind.MASS, "Bí thư Đoàn xã", True, "Đoàn TNCS Hồ Chí Minh xã"),
    (PostKind.MASS, "Chủ tịch Hội Cựu chiến binh xã", True, "Hội Cựu chiến binh xã"),
]
DISCIPLINE_REASONS = [
    "Vi phạm quy định về quản lý đất đai",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Vi phạm quy định về sinh hoạt đảng",
    "Vi phạm quy định về quản lý tài chính",
]


def add_people(tree: Tree, rng: random.Random) -> None:
    by_cell: dict[str, list[Seeded]] = defaultdict(list)
    for s in tree.members:
        by_cell[s.cell.unit.code].append(s)
    for cell in tree.cells:
        members = by_cell[cell.unit.code]
        _cell_posts(members, cell.unit, rng)
    by_grassroots: dict[str, list[Seeded]] = defaultdict(list)
    for s in tree.members:
        by_grassroots[s.cell.grassroots.code].append(s)
    for unit in tree.units:
        if unit.kind == UnitKind.GRASSROOTS_COMMITTEE and unit.field_type == "COMMUNE":
            _commune_posts(by_grassroots[unit.code], unit, rng)
    _moves(tree, rng)
    _discipline(tree, rng)


def _start(s: Seeded, rng: random.Random) -> dt.date:
    earliest = max(s.member.admitted, dt.date(2015, 1, 1))
    return _date(rng, earliest, max(earliest, dt.date(2025, 6, 30)))


def _cell_posts(members: list[Seeded], cell: Unit, rng: random.Random) -> None:
    eligible = [s for s in members if s.member.full_member_since and not s.statuses]
    if not eligible:
        return
    secretary = eligible[0]
    secretary.posts.append(
        Post(
            kind=PostKind.PARTY,
            title="Bí thư chi bộ",
            unit=cell,
            head=True,
            start=_start(secretary, rng),
            member=secretary.member,
        )
    )
    if len(eligible) >= 10:
        deputy = eligible[1]
        deputy.posts.append(
            Post(
                kind=PostKind.PARTY,
                title="Phó Bí thư chi bộ",
                unit=cell,
                start=_start(deputy, rng),
                member=deputy.member,
            )
        )
    if cell.kind == UnitKind.GRASSROOTS_CELL or not cell.name.startswith("Chi bộ xóm"):
        head = eligible[-1]
        organisation = cell.name.removeprefix("Chi bộ ")
        head.posts.append(
            Post(
                kind=PostKind.GOVERNMENT,
                title="Thủ trưởng cơ quan, đơn vị",
                unit=cell,
                organisation=organisation,
                head=True,
                start=_start(head, rng),
                member=head.member,
            )
        )


def _commune_posts(members: list[Seeded], commune: Unit, rng: random.Random) -> None:
    officials = [
        s
        for s in members
        if s.member.civil_servant and s.member.full_member_since and not s.posts and not s.statuses
    ]
    place = commune.name.removeprefix("Đảng bộ xã ")
    for (kind, title, head, organisation), s in zip(COMMUNE_POSTS, officials, strict=False):
        s.posts.append(
            Post(
                kind=kind,
                title=f"{title} {place}",
                unit=commune,
                head=head,
                organisation=f"{organisation} {place}".strip(),
                start=_start(s, rng),
                member=s.member,
            )
        )


def _moves(tree: Tree, rng: random.Random) -> None:
    """Some members moved cell this year; some live and take part in another cell for a while."""
    cells = [c.unit for c in tree.cells]
    for s in tree.members:
        roll = rng.random()
        if roll < 0.015 and not s.posts:
            old = rng.choice(cells)
            if old is not s.cell.unit:
                date = _date(rng, dt.date(CURRENT_YEAR, 1, 15), dt.date(CURRENT_YEAR, 10, 31))
                s.transfer = Transfer(
                    member=s.member,
                    from_cell=old,
                    to_cell=s.cell.unit,
                    date=date,
                    reason="Chuyển công tác",
                )
        elif roll < 0.025 and not s.statuses:
            elsewhere = rng.choice(cells)
            if elsewhere is not s.cell.unit:
                start = _date(rng, dt.date(CURRENT_YEAR - 1, 6, 1), dt.date(CURRENT_YEAR, 9, 30))
                s.add_status(
                    kind=StatusKind.TEMPORARY,
                    temporary_cell=elsewhere,
                    start=start,
                    reason="Đi làm việc, học tập xa nơi cư trú",
                )


def _discipline(tree: Tree, rng: random.Random) -> None:
    forms = (
        [DisciplineForm.REPRIMAND] * 14 + [DisciplineForm.WARNING] * 5 + [DisciplineForm.DISMISSAL]
    )
    for year in range(FIRST_YEAR, CURRENT_YEAR + 1):
        last = min(dt.date(year, 12, 20), TODAY - dt.timedelta(days=5))
        for s in tree.members:
            if rng.random() >= 0.004 or s.member.admitted.year >= year:
                continue
            form = rng.choice(forms)
            if form == DisciplineForm.DISMISSAL and not s.posts:
                form = DisciplineForm.WARNING
            decided = _date(rng, dt.date(year, 1, 10), last)
            violated = _date(rng, decided - dt.timedelta(days=400), decided - dt.timedelta(days=30))
            s.disciplines.append(
                Discipline(
                    member=s.member,
                    form=form,
                    decided=decided,
                    violated=violated,
                    violation_unit=s.cell.unit,
                    reason=rng.choice(DISCIPLINE_REASONS),
                    decision_number=f"{rng.randint(10, 999)}-QĐ/ĐU",
                )
            )
    _disciplined_again(tree, rng)


AGAIN = 6  # members disciplined two years running


def _disciplined_again(tree: Tree, rng: random.Random) -> None:
    """A few members disciplined in the year before last are disciplined again last year,
    for another violation: not completed two years running (R8), which the flags of the
    published results put before their cell, and before the committee for those holding a
    post (R35)."""
    year = CURRENT_YEAR - 1
    earlier = [s for s in tree.members if any(d.decided.year == year - 1 for d in s.disciplines)]
    # Those holding a leading post first: they are flagged for their post as well.
    earlier.sort(key=lambda s: not any(p.leader and p.end is None for p in s.posts))
    for s in earlier[:AGAIN]:
        decided = _date(rng, dt.date(year, 3, 1), dt.date(year, 11, 30))
        s.disciplines.append(
            Discipline(
                member=s.member,
                form=DisciplineForm.WARNING,
                decided=decided,
                violated=decided - dt.timedelta(days=45),
                violation_unit=s.cell.unit,
                reason=rng.choice(DISCIPLINE_REASONS),
                decision_number=f"{rng.randint(10, 999)}-QĐ/ĐU",
            )
        )


def give_devices(usernames: tuple[str, ...]) -> None:
    """Personas who must sign in with a second factor get a TOTP device, so that a newcomer
    signs in as each of them with a code from `xeploai totp USERNAME`."""
    for user in User.objects.filter(username__in=usernames):
        if needs_second_factor(user):
            twofactor.ensure_device(user)


def with_devices(usernames: tuple[str, ...]) -> list[str]:
    """Those of `usernames` asked for a code at sign-in, in the order given."""
    found = set(
        TOTPDevice.objects.filter(user__username__in=usernames, confirmed=True).values_list(
            "user__username", flat=True
        )
    )
    return [name for name in usernames if name in found]
