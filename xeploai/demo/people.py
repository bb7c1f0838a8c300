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
from xeploai.members import titles as post_titles
from xeploai.members.models import (
    Discipline,
    DisciplineForm,
    Post,
    PostTitle,
    StatusKind,
    Transfer,
)
from xeploai.units.models import Unit, UnitKind

from .tree import CURRENT_YEAR, FIRST_YEAR, TODAY, Seeded, Tree, _date

# Each post the demo gives: its kind comes from its title, one of those every office has
# (`members.PostTitle`, seeded with the database); the post names its place beside the title.
MASS_HEAD = "Người đứng đầu tổ chức chính trị - xã hội"
# The commune's posts: title as the post reads, seeded title, head, organisation it leads.
COMMUNE_POSTS = [
    ("Bí thư Đảng ủy xã", "Bí thư", True, ""),
    ("Phó Bí thư Thường trực Đảng ủy xã", "Phó Bí thư Thường trực", False, ""),
    ("Chủ tịch UBND xã", "Chủ tịch Ủy ban nhân dân", True, "UBND xã"),
    ("Phó Chủ tịch UBND xã", "Phó Chủ tịch Ủy ban nhân dân", False, "UBND xã"),
    ("Chủ tịch Ủy ban MTTQ xã", "Chủ tịch Ủy ban Mặt trận Tổ quốc", True, "Ủy ban MTTQ xã"),
    ("Chủ tịch Hội Nông dân xã", MASS_HEAD, True, "Hội Nông dân xã"),
    ("Chủ tịch Hội Liên hiệp Phụ nữ xã", MASS_HEAD, True, "Hội Liên hiệp Phụ nữ xã"),
    ("Bí thư Đoàn xã", MASS_HEAD, True, "Đoàn TNCS Hồ Chí Minh xã"),
    ("Chủ tịch Hội Cựu chiến binh xã", MASS_HEAD, True, "Hội Cựu chiến binh xã"),
]
# The district's own leaders, from the cells of the agencies they work in.
DISTRICT_POSTS = [
    ("Chi bộ Văn phòng Huyện ủy", "Bí thư Huyện ủy", "Bí thư", True, ""),
    (
        "Chi bộ Văn phòng Huyện ủy",
        "Phó Bí thư Thường trực Huyện ủy",
        "Phó Bí thư Thường trực",
        False,
        "",
    ),
    (
        "Chi bộ Văn phòng Huyện ủy",
        "Ủy viên Ban Thường vụ Huyện ủy",
        "Ủy viên Ban Thường vụ",
        False,
        "",
    ),
    (
        "Chi bộ Văn phòng HĐND và UBND huyện",
        "Chủ tịch UBND huyện",
        "Chủ tịch Ủy ban nhân dân",
        True,
        "UBND huyện",
    ),
    (
        "Chi bộ Văn phòng HĐND và UBND huyện",
        "Phó Chủ tịch UBND huyện",
        "Phó Chủ tịch Ủy ban nhân dân",
        False,
        "UBND huyện",
    ),
    (
        "Chi bộ Ủy ban MTTQ và các đoàn thể huyện",
        "Chủ tịch Ủy ban MTTQ huyện",
        "Chủ tịch Ủy ban Mặt trận Tổ quốc",
        True,
        "Ủy ban MTTQ huyện",
    ),
]
# The committee of a grassroots committee other than a commune's (the military, the police):
# its secretary, its deputy, two of its members.
COMMITTEE_POSTS = [
    ("Bí thư Đảng ủy", "Bí thư", True),
    ("Phó Bí thư Đảng ủy", "Phó Bí thư", False),
    ("Đảng ủy viên", "Cấp ủy viên", False),
    ("Đảng ủy viên", "Cấp ủy viên", False),
]
DISCIPLINE_REASONS = [
    "Vi phạm quy định về quản lý đất đai",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Vi phạm quy định về sinh hoạt đảng",
    "Vi phạm quy định về quản lý tài chính",
]


def add_people(tree: Tree, rng: random.Random) -> None:
    post_titles.ensure()  # a database emptied by a test lacks them
    titles = {t.name: t for t in PostTitle.objects.all()}
    by_cell: dict[str, list[Seeded]] = defaultdict(list)
    for s in tree.members:
        by_cell[s.cell.unit.code].append(s)
    for cell in tree.cells:
        members = by_cell[cell.unit.code]
        _cell_posts(members, cell.unit, rng, titles)
    by_grassroots: dict[str, list[Seeded]] = defaultdict(list)
    for s in tree.members:
        by_grassroots[s.cell.grassroots.code].append(s)
    for unit in tree.units:
        if unit.kind == UnitKind.GRASSROOTS_COMMITTEE and unit.field_type == "COMMUNE":
            _commune_posts(by_grassroots[unit.code], unit, rng, titles)
    _moves(tree, rng)
    _discipline(tree, rng)
    # Last, so that everything above is drawn as before they existed.
    _district_posts(tree, by_cell, rng, titles)
    for unit in tree.units:
        if unit.kind == UnitKind.GRASSROOTS_COMMITTEE and unit.field_type != "COMMUNE":
            _committee_posts(by_grassroots[unit.code], unit, rng, titles)


def _start(s: Seeded, rng: random.Random) -> dt.date:
    earliest = max(s.member.admitted, dt.date(2015, 1, 1))
    return _date(rng, earliest, max(earliest, dt.date(2025, 6, 30)))


def _post(
    s: Seeded,
    unit: Unit,
    title: PostTitle,
    rng: random.Random,
    *,
    name: str = "",
    head: bool = False,
    organisation: str = "",
) -> None:
    """Give `s` a leading post of `title` at `unit`, named `name` (the title's own name by
    default)."""
    s.posts.append(
        Post(
            kind=title.kind,
            title=name or title.name,
            post_title=title,
            unit=unit,
            organisation=organisation,
            head=head,
            start=_start(s, rng),
            member=s.member,
        )
    )


def _cell_posts(
    members: list[Seeded], cell: Unit, rng: random.Random, titles: dict[str, PostTitle]
) -> None:
    eligible = [s for s in members if s.member.full_member_since and not s.statuses]
    if not eligible:
        return
    _post(eligible[0], cell, titles["Bí thư chi bộ"], rng, head=True)
    if len(eligible) >= 10:
        _post(eligible[1], cell, titles["Phó Bí thư chi bộ"], rng)
    if cell.kind == UnitKind.GRASSROOTS_CELL or not cell.name.startswith("Chi bộ xóm"):
        organisation = cell.name.removeprefix("Chi bộ ")
        title = titles["Thủ trưởng cơ quan, đơn vị"]
        _post(eligible[-1], cell, title, rng, head=True, organisation=organisation)


def _commune_posts(
    members: list[Seeded], commune: Unit, rng: random.Random, titles: dict[str, PostTitle]
) -> None:
    officials = [
        s
        for s in members
        if s.member.civil_servant and s.member.full_member_since and not s.posts and not s.statuses
    ]
    place = commune.name.removeprefix("Đảng bộ xã ")
    for (name, title, head, organisation), s in zip(COMMUNE_POSTS, officials, strict=False):
        _post(
            s, commune, titles[title], rng, name=f"{name} {place}", head=head,
            organisation=f"{organisation} {place}".strip(),
        )  # fmt: skip


def _free(members: list[Seeded]) -> list[Seeded]:
    """Those who may take a post: full members holding none, with no status, the last of
    the cell first; never its first such member, whom the personas may be."""
    free = [s for s in members if s.member.full_member_since and not s.posts and not s.statuses]
    return free[:0:-1]


def _district_posts(
    tree: Tree,
    by_cell: dict[str, list[Seeded]],
    rng: random.Random,
    titles: dict[str, PostTitle],
) -> None:
    """The leaders of each district: its standing committee, the chairs of its People's
    Committee and of its Fatherland Front, from the cells of their agencies."""
    for district in (u for u in tree.units if u.kind == UnitKind.DISTRICT):
        cells = {c.unit.name: c.unit for c in tree.cells if c.unit.parent is district}
        free = {name: _free(by_cell[cell.code]) for name, cell in cells.items()}
        place = district.name.removeprefix("Đảng bộ huyện ")
        for cell, name, title, head, organisation in DISTRICT_POSTS:
            if not free.get(cell):
                continue
            _post(
                free[cell].pop(0), district, titles[title], rng, name=f"{name} {place}",
                head=head, organisation=f"{organisation} {place}" if organisation else "",
            )  # fmt: skip


def _committee_posts(
    members: list[Seeded], committee: Unit, rng: random.Random, titles: dict[str, PostTitle]
) -> None:
    """The committee of a grassroots committee that is not a commune's, from its cells."""
    free = _free(members)
    place = committee.name.removeprefix("Đảng bộ ")
    for (name, title, head), s in zip(COMMITTEE_POSTS, free, strict=False):
        _post(s, committee, titles[title], rng, name=f"{name} {place}", head=head)


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
