"""The personas' district in 2026 with self-reviews worth a second look, analysed: Em (cell B)
copies An's strengths (cell A) with light edits; Bình writes no weakness at all. Thương of
the district's standing committee decides the organisations below."""

from __future__ import annotations

import dataclasses

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import (
    Personas,
    make_cycle,
    make_evaluation,
    make_personas,
    make_user,
)
from xeploai.cycles.models import Cycle
from xeploai.integrity import actions
from xeploai.integrity.models import Finding
from xeploai.members.models import Member
from xeploai.reviews.models import SelfReview

from .test_texts import BASE, edited

AN_WEAKNESSES = (
    "Việc theo dõi công nợ của hợp tác xã còn để chậm hai tháng, do tôi chưa đôn đốc kế toán."
    " Có lúc chưa mạnh dạn phê bình đồng chí trong chi bộ khi thấy sai."
)
EM_WEAKNESSES = (
    "Chưa dành đủ thời gian nghiên cứu nghị quyết của Đảng ủy xã, có buổi sinh hoạt chi bộ"
    " còn đến muộn vì việc ở trường học. Đôn đốc đảng viên trong chi bộ đóng đảng phí chưa đều."
)
EM_STRENGTHS = (
    "Năm nay tôi dạy lớp 9 của trường trung học cơ sở, có 31 em đỗ vào lớp 10 công lập,"
    " tổ chức được hai chuyên đề ôn thi cho cả khối và nhận giấy khen của huyện."
)


@dataclasses.dataclass
class Scene:
    p: Personas
    cycle: Cycle
    thuong: User
    copy: Finding  # Em's strengths, copied from An's
    empty: Finding  # Bình's weaknesses, "Không có."

    def users(self) -> dict[str, User | None]:
        return self.p.users(thuong=self.thuong)


def write(member: Member, cycle: Cycle, **sections: str) -> None:
    evaluation = make_evaluation(member, cycle)
    SelfReview.objects.create(evaluation=evaluation, form="M01", sections=sections)


def make_scene() -> Scene:
    p = make_personas()
    cycle = make_cycle(2026)
    thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
    binh, em = (Member.objects.get(code=code) for code in ("DV-BINH", "DV-EM"))
    write(p.an_member, cycle, strengths=BASE, weaknesses=AN_WEAKNESSES)
    write(em, cycle, strengths=edited(BASE), weaknesses=EM_WEAKNESSES)
    write(binh, cycle, strengths=EM_STRENGTHS, weaknesses="Không có.")
    actions.analyse(p.district, cycle=cycle, by=p.dung)
    return Scene(
        p=p,
        cycle=cycle,
        thuong=thuong,
        copy=Finding.objects.get(kind="copied_text", subject="DV-EM"),
        empty=Finding.objects.get(kind="evasive_text", subject="DV-BINH"),
    )
