"""Writes the demo to the database in one transaction, and its persona users."""

from __future__ import annotations

import dataclasses
import random
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.models import Role, RoleKind, User
from xeploai.core.db import create_objects
from xeploai.cycles.models import Cycle, MemberEvaluation, UnitEvaluation
from xeploai.imports import files
from xeploai.imports.base import Kind, Run, run_import
from xeploai.imports.kinds import LEADER_RESULTS, PEER_RESULTS, SELF_REVIEWS, STATE_RESULTS
from xeploai.integrity import actions as integrity
from xeploai.members.models import Discipline, Member, Post, StatusPeriod, Transfer
from xeploai.oversight import demo as oversight
from xeploai.reports import tally
from xeploai.reviews import history, seals
from xeploai.reviews.models import HistorySeal
from xeploai.units.models import Unit, UnitKind

from . import leaders, texts
from .history import make_cycles, member_rows, state_results_file, unit_rows
from .people import add_people
from .progress import advance, fill_drafts, grassroots_groups
from .tree import Seeded, Tree, TreeBuilder

PASSWORD = "xeploai-demo-2026"  # noqa: S105  (the demo's published persona password)
SIZES = {"district": 1, "province": 18, "nation": 34}  # districts, or provinces for the nation
ROOT_CODES = {"district": "H01", "province": "T40", "nation": "TW"}


@dataclasses.dataclass
class Persona:
    username: str
    member: Member | None
    role: RoleKind | None
    unit: Unit | None
    sees: str  # what the persona may see, printed beside the login


def set_based(size: str) -> bool:
    """Whether the demo of this size is written as the nation is (`nation.py`: set-based, on
    PostgreSQL): the nation, and on PostgreSQL a province, the nation's first with the centre
    above it. On SQLite a province is 18 districts, each written as the demo district is."""
    return size == "nation" or (size == "province" and connection.vendor == "postgresql")


def root_code(size: str) -> str:
    if size == "province" and set_based(size):
        from .nation import province_code  # which builds on this module

        return province_code(0)
    return ROOT_CODES[size]


def is_loaded(size: str) -> bool:
    return Unit.objects.filter(code=root_code(size)).exists()


def build(
    size: str, seed: int, *, provinces: int = SIZES["nation"], progress: Callable[[str], None]
) -> dict[str, int]:
    """The demo of this size (`provinces`: how many, for the nation), all of it or nothing."""
    from . import nation  # which builds on this module

    if set_based(size):
        shape = nation.Shape(provinces=provinces if size == "nation" else 1)
        return nation.load_nation(shape, seed, progress=progress)
    return load(size, seed, progress=progress)


@transaction.atomic
def load(
    size: str, seed: int, progress: Callable[[str], None] = print, parent: Unit | None = None
) -> dict[str, int]:
    """Generate and write the demo (the district under `parent` if given); all of it or, on
    any error, nothing."""
    builder = TreeBuilder(seed)
    district = size == "district"
    tree = builder.single_district(parent) if district else builder.province(SIZES[size])
    add_people(tree, builder.rng)
    counts = {
        "units": _write_units(tree),
        "members": create_objects(Member, (s.member for s in tree.members)),
    }
    progress(f"  {counts['units']} tổ chức đảng, {counts['members']} đảng viên")
    counts["posts"] = create_objects(Post, (p for s in tree.members for p in s.posts))
    counts["statuses"] = create_objects(StatusPeriod, (p for s in tree.members for p in s.statuses))
    counts["transfers"] = create_objects(Transfer, (s.transfer for s in tree.members if s.transfer))
    counts["disciplines"] = create_objects(
        Discipline, (d for s in tree.members for d in s.disciplines)
    )
    rng = random.Random(seed + 1)
    counts["evaluations"] = 0
    cycles = make_or_reuse_cycles()
    for cycle in cycles:
        members, units = member_rows(tree, cycle, rng), list(unit_rows(tree, cycle, rng))
        counts["evaluations"] += create_objects(MemberEvaluation, members)
        counts["evaluations"] += create_objects(UnitEvaluation, units)
        if cycle.closed:  # past years' results, recorded as an office imports them
            history.append_imported([*members, *units], user=None, name=_("Dữ liệu mẫu"))
        progress(f"  {cycle.name}: xong")
    # The civil servants' levels in the state evaluation, from their personnel offices.
    counts["state_results"] = _import(
        STATE_RESULTS, state_results_file(tree, cycles), "danh-gia-cong-chuc.csv"
    )
    # The levels of governments and mass organisations, as their party committees recorded
    # them; then the leaders' results as leaders, from the organisation boards' records.
    counts["peer_results"] = _import(
        PEER_RESULTS,
        leaders.past_peers_file(cycles, random.Random(seed + 3)),
        "ket-qua-chinh-quyen-doan-the.csv",
    )
    counts["leader_results"] = _import(
        LEADER_RESULTS, leaders.past_results_file(cycles), "ket-qua-can-bo.csv"
    )
    tally.rebuild(cycles)
    current = cycles[-1]
    # What the members wrote last year, from the offices' files, for this year's to be
    # compared with.
    earlier = _past_self_reviews(tree, cycles[-2], seed)
    counts["self_reviews"] = len(earlier.sections)
    # The personas, and the review taken forward as its users would: each cell these steps
    # touch is counted again once, at the end (no step reads the tally).
    with tally.deferred():
        ensure_personas(tree)
        fill_drafts(tree, current, seed, earlier)
        board = User.objects.get(username="dung")
        advance(
            tree,
            current,
            board=board,
            standing=User.objects.get(username="thuong"),
            rng=random.Random(seed + 2),
            progress=progress,
        )
        oversight.seed(current, board=board, member=User.objects.get(username="an"))
    progress("  Gợi ý kiểm điểm, dự và chỉ đạo kiểm điểm")
    # The board's list of results to look at again, as its first analysis finds them.
    integrity.analyse(board.roles.select_related("unit").get().unit, cycle=current, by=board)
    progress("  Dấu hiệu cần xem lại")
    _seal(progress)
    return counts


def _past_self_reviews(tree: Tree, cycle: Cycle, seed: int) -> texts.Written:
    """The self-reviews of the members with a level in `cycle`, imported as an office would;
    returns them."""
    graded = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=tree.root.path, level_final__isnull=False
    )
    codes = set(graded.values_list("member__code", flat=True))
    groups = [[c for c in group if c in codes] for group in grassroots_groups(tree)]
    written = texts.for_members(groups, cycle.year, seed)
    rows = [{"code": c, "year": cycle.year, **v} for c, v in written.sections.items()]
    _import(SELF_REVIEWS, rows, "ban-tu-kiem-diem.csv")
    return written


def _import(kind: Kind, rows: Iterable[dict[str, object]], name: str) -> int:
    """Records imported from the file an office sends in, as an office would."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        files.write_rows(kind, rows, path)
        report = run_import(kind, path, run=Run(reason=_("Dữ liệu mẫu")))
    if not report.ok:
        raise RuntimeError(f"{kind.name}: {report.errors[:3]}")
    return report.created


def _seal(progress: Callable[[str], None]) -> None:
    """Seal the demo's level history. A seals file left by an earlier database, which this
    one never sealed, is kept aside: verifying against it would report every seal missing."""
    path = Path(settings.HISTORY_SEALS)
    if not HistorySeal.objects.exists() and path.exists() and path.stat().st_size:
        aside = path.with_name(f"{path.name}.{timezone.now():%Y%m%d%H%M%S}")
        path.rename(aside)
        progress(f"  Tệp niêm phong của cơ sở dữ liệu trước được giữ lại: {aside.name}")
    seals.seal()


def make_or_reuse_cycles() -> list[Cycle]:
    """The demo's cycles, reusing any the database already has for those years."""
    cycles = []
    for cycle in make_cycles():
        existing = Cycle.objects.filter(kind=cycle.kind, start=cycle.start).first()
        if existing is None:
            cycle.save()
        cycles.append(existing or cycle)
    return cycles


def _write_units(tree: Tree) -> int:
    # Parents first, so that each level's parent ids are known when it is written.
    for depth in sorted({u.depth for u in tree.units}):
        create_objects(Unit, (u for u in tree.units if u.depth == depth))
    return len(tree.units)


def personas(tree: Tree) -> list[Persona]:
    """The people of STYLE.md 18, placed in the demo tree."""
    commune = next(u for u in tree.units if u.kind == UnitKind.GRASSROOTS_COMMITTEE)
    cells = [c.unit for c in tree.cells if c.grassroots is commune]
    cell_a, cell_b = cells[0], cells[1]
    district = next(u for u in tree.units if u.kind == UnitKind.DISTRICT)
    in_a = [s for s in tree.members if s.cell.unit is cell_a]

    def secretary(cell: Unit) -> Seeded:
        return next(s for s in tree.members for p in s.posts if p.unit is cell and p.head)

    an = next(s for s in in_a if not s.posts and not s.statuses and s.member.full_member_since)
    chi = next(s for s in tree.members for p in s.posts if p.unit is commune and not p.head)
    board = next(s for s in tree.members if s.cell.unit.name.startswith("Chi bộ Ban Tổ chức"))
    standing = next(
        s
        for s in tree.members
        if s.cell.unit.name.startswith("Chi bộ Văn phòng Huyện ủy")
        and not s.posts
        and not s.statuses
        and s.member.full_member_since
    )
    return [
        Persona("an", an.member, None, None, f"đảng viên {cell_a.name}: chỉ hồ sơ của mình"),
        Persona(
            "binh",
            secretary(cell_a).member,
            RoleKind.CELL_SECRETARY,
            cell_a,
            f"bí thư {cell_a.name}: đảng viên của chi bộ",
        ),
        Persona(
            "chi",
            chi.member,
            RoleKind.GRASSROOTS_OFFICER,
            commune,
            f"cán bộ {commune.name}: toàn đảng bộ xã",
        ),
        Persona(
            "dung",
            board.member,
            RoleKind.BOARD_OFFICER,
            district,
            f"Ban Tổ chức {district.name.removeprefix('Đảng bộ ')}: toàn huyện",
        ),
        Persona(
            "thuong",
            standing.member,
            RoleKind.STANDING_COMMITTEE,
            district,
            f"Thường trực Huyện ủy {district.name.removeprefix('Đảng bộ huyện ')}: toàn huyện,"
            " quyết định xếp loại các tổ chức cơ sở đảng",
        ),
        Persona(
            "em",
            secretary(cell_b).member,
            RoleKind.CELL_SECRETARY,
            cell_b,
            f"bí thư {cell_b.name}: không thấy gì của {cell_a.name}",
        ),
        Persona("quantri", None, None, None, "quản trị hệ thống: toàn bộ, cả trang quản trị"),
    ]


def ensure_personas(tree: Tree) -> list[Persona]:
    """Create or reset the persona users; running twice changes nothing."""
    people = personas(tree)
    password = make_password(PASSWORD)  # hashed once: the personas share it
    for p in people:
        user = User.objects.filter(username=p.username).first() or User(username=p.username)
        if p.member is not None:
            _give_persona_name(p)
            user.last_name, _, user.first_name = p.member.full_name.rpartition(" ")
            user.member = p.member
        user.email = f"{p.username}@xeploai.invalid"  # reminders print to the console
        user.is_staff = user.is_superuser = p.username == "quantri"
        user.password = password
        user.save()
        if p.role is not None and p.unit is not None:
            Role.objects.get_or_create(user=user, unit=p.unit, kind=p.role)
    return people


# The personas, in the order their logins are printed.
USERNAMES = ("an", "binh", "chi", "dung", "thuong", "em", "tinh", "trunguong", "quantri")
GIVEN_NAMES = {
    "an": "An",
    "binh": "Bình",
    "chi": "Chi",
    "dung": "Dũng",
    "thuong": "Thương",
    "em": "Em",
}


def _give_persona_name(p: Persona) -> None:
    """Personas carry the names the tests use, so that a reader can follow them."""
    assert p.member is not None
    family, _, given = p.member.full_name.rpartition(" ")
    if given != GIVEN_NAMES[p.username]:
        p.member.full_name = f"{family} {GIVEN_NAMES[p.username]}"
        p.member.save(update_fields=["full_name", "search_key"])


def persona_lines() -> list[str]:
    """The logins to print, read back from the database."""
    lines = []
    for username in USERNAMES:
        user = User.objects.filter(username=username).select_related("member").first()
        if user is None:
            continue
        role = user.roles.select_related("unit").first()
        where = (
            f"{role.get_kind_display()} — {role.unit.name}"
            if role
            else (
                "Quản trị hệ thống"
                if user.is_superuser
                else f"Đảng viên — {user.member.cell.name}"
                if user.member
                else ""
            )
        )
        lines.append(f"  {username:<8} {user.get_full_name():<26} {where}")
    return lines
