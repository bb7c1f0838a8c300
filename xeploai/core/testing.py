"""Small explicit factories and the personas of the tests (STYLE.md 18, 21)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from xeploai.accounts import twofactor
from xeploai.accounts.models import Role, RoleKind, User
from xeploai.accounts.policy import needs_second_factor
from xeploai.cycles.models import Cycle, MemberEvaluation
from xeploai.members import titles
from xeploai.members.models import Discipline, DisciplineForm, Gender, Member, PostTitle
from xeploai.rules import Regime
from xeploai.units.actions import create_unit
from xeploai.units.models import FieldType, Unit, UnitKind

PASSWORD = "mat-khau-thu-nghiem-2026"  # noqa: S105  (test users only)
_counter = itertools.count(1)


def make_unit(parent: Unit | None = None, **fields: Any) -> Unit:
    n = next(_counter)
    fields.setdefault("kind", UnitKind.CELL if parent else UnitKind.DISTRICT)
    fields.setdefault("code", f"U{n:05d}")
    fields.setdefault("name", f"Chi bộ số {n}")
    fields.setdefault("field_type", FieldType.COMMUNE)
    fields.setdefault("founded", dt.date(1990, 1, 1))
    return create_unit(parent, **fields)


def make_member(cell: Unit, **fields: Any) -> Member:
    n = next(_counter)
    fields.setdefault("code", f"DV{n:06d}")
    fields.setdefault("full_name", f"Nguyễn Văn {n}")
    fields.setdefault("birth_date", dt.date(1980, 1, 1))
    fields.setdefault("gender", Gender.MALE)
    fields.setdefault("admitted", dt.date(2010, 5, 19))
    fields.setdefault("full_member_since", dt.date(2011, 5, 19))
    return Member.objects.create(cell=cell, **fields)


def make_discipline(
    member: Member, decided: dt.date, form: DisciplineForm = DisciplineForm.REPRIMAND
) -> Discipline:
    """A discipline decided on `decided`, for a violation a month before, in the member's cell."""
    return Discipline.objects.create(
        member=member,
        form=form,
        decided=decided,
        violated=decided - dt.timedelta(days=30),
        violation_unit=member.cell,
    )


def make_user(
    username: str, *, member: Member | None = None, roles: tuple[tuple[RoleKind, Unit], ...] = ()
) -> User:
    user = User.objects.create_user(username, password=PASSWORD, member=member)
    for kind, unit in roles:
        Role.objects.create(user=user, unit=unit, kind=kind)
    return user


def make_cycle(year: int = 2026, regime: Regime = Regime.QD366, **fields: Any) -> Cycle:
    cycle = Cycle.for_year(year, regime, **fields)
    cycle.save()
    return cycle


def make_evaluation(member: Member, cycle: Cycle, **fields: Any) -> MemberEvaluation:
    fields.setdefault("score_general", Decimal(28))
    fields.setdefault("score_task_results", Decimal(64))
    fields.setdefault("tasks_done", Decimal(100))
    fields.setdefault("tasks_exceeded", Decimal(40))
    return MemberEvaluation.objects.create(
        member=member, cycle=cycle, cell=member.cell, unit_path=member.cell.path, **fields
    )


@dataclasses.dataclass
class Personas:
    """A district with one commune committee and two cells, and the people of the tests."""

    district: Unit
    commune: Unit
    cell_a: Unit
    cell_b: Unit
    an_member: Member
    an: User  # member of cell A: sees their own record and the name of their cell
    binh: User  # secretary of cell A: sees cell A and its members
    chi: User  # officer of the commune committee: sees the commune and both cells
    dung: User  # district organisation board: sees the whole district
    em: User  # secretary of sibling cell B: must see nothing of cell A
    nobody: User  # signed in, no role and no member record: sees nothing

    def users(self, **more: User) -> dict[str, User | None]:
        """Everyone, by name, with `more` (the persona of a test module): None signs in
        nobody. The order of `matrix`."""
        return {
            "anonymous": None,
            "nobody": self.nobody,
            "an": self.an,
            "binh": self.binh,
            "chi": self.chi,
            "dung": self.dung,
            "em": self.em,
            **more,
        }

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            sign_in(client, user)
        return client


def matrix(default: int, **codes: int) -> dict[str, int]:
    """The status each persona of a permission matrix gets (STYLE.md 19): `default`, but for
    those named; anonymous is sent to the login page."""
    return collections.defaultdict(lambda: default, codes) | {"anonymous": 302}


def sign_in(client: Client, user: User) -> Client:
    """Sign `user` in as the login page does, the second factor included: a user who must
    have a device gets one, and the session counts as having typed its code."""
    client.force_login(user)
    fresh = User.objects.get(pk=user.pk)  # no roles cached on the caller's own object
    session = client.session
    if needs_second_factor(fresh) or twofactor.confirmed_device(fresh):
        session[DEVICE_ID_SESSION_KEY] = twofactor.ensure_device(fresh).persistent_id
    twofactor.mark_checked(session)
    session.save()
    return client


def second_factor_code(username: str) -> str | None:
    """The code the user's phone would show now, for signing in through the pages (browser
    tests); None for a user asked for no code. A user who must have a device gets one."""
    user = User.objects.get(username=username)
    if not (needs_second_factor(user) or twofactor.confirmed_device(user)):
        return None
    device = twofactor.ensure_device(user)
    # A code is taken once per 30-second step; tests sign the same persona in again sooner.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return twofactor.current_code(device)


def make_personas() -> Personas:
    district = make_unit(
        None, kind=UnitKind.DISTRICT, code="DB-HUYEN", name="Đảng bộ huyện Yên Thành"
    )
    commune = make_unit(
        district, kind=UnitKind.GRASSROOTS_COMMITTEE, code="DB-XA", name="Đảng bộ xã Hoa Thành"
    )
    cell_a = make_unit(commune, code="CB-A", name="Chi bộ xóm 1")
    cell_b = make_unit(commune, code="CB-B", name="Chi bộ xóm 2")
    an_member = make_member(cell_a, code="DV-AN", full_name="Trần Thị An")
    binh_member = make_member(cell_a, code="DV-BINH", full_name="Lê Văn Bình")
    em_member = make_member(cell_b, code="DV-EM", full_name="Phạm Văn Em")
    return Personas(
        district=district,
        commune=commune,
        cell_a=cell_a,
        cell_b=cell_b,
        an_member=an_member,
        an=make_user("an", member=an_member),
        binh=make_user("binh", member=binh_member, roles=((RoleKind.CELL_SECRETARY, cell_a),)),
        chi=make_user("chi", roles=((RoleKind.GRASSROOTS_OFFICER, commune),)),
        dung=make_user("dung", roles=((RoleKind.BOARD_OFFICER, district),)),
        em=make_user("em", member=em_member, roles=((RoleKind.CELL_SECRETARY, cell_b),)),
        nobody=make_user("nobody"),
    )


def post_title(name: str) -> PostTitle:
    """One of the seeded titles of leading posts; seeded again where a test emptied them."""
    titles.ensure()
    return PostTitle.objects.get(name=name)
