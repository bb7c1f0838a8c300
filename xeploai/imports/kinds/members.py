"""Members, each in a cell given by its code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.core.text import search_key
from xeploai.members.forms import MemberForm
from xeploai.members.models import Gender, Member
from xeploai.units.models import Unit

from .. import values
from ..base import CHUNK, Item, Kind, Run, by_code, not_a_cell, unknown_unit, upsert
from ..reader import Column
from ..report import Report

_GENDER_ALIASES = (("M", "Nam"), ("F", "Nữ"), ("M", "male"), ("F", "female"))

COLUMNS = (
    Column("code", "Mã đảng viên", ("Số lý lịch", "Mã ĐV"), example="DV000001"),
    Column("full_name", "Họ và tên", ("Họ tên",), example="Nguyễn Văn An"),
    Column("birth_date", "Ngày sinh", parse=values.date, example="15/08/1980"),
    Column(
        "gender",
        "Giới tính",
        parse=lambda v: values.choice(v, Gender.choices, *_GENDER_ALIASES),
        note=gettext_lazy("Nam hoặc Nữ."),
        example="Nam",
    ),
    Column(
        "citizen_id",
        "Số CCCD",
        ("CCCD", "Số căn cước công dân"),
        required=False,
        note=gettext_lazy("12 chữ số; ghi ở dạng văn bản để Excel không bỏ số 0 đầu."),
        example="001080000001",
    ),
    Column("cell_code", "Mã chi bộ", example="CB01"),
    Column("admitted", "Ngày vào Đảng", parse=values.date, example="19/05/2010"),
    Column(
        "full_member_since",
        "Ngày chính thức",
        required=False,
        parse=values.date,
        note=gettext_lazy("Để trống khi còn là đảng viên dự bị."),
        example="19/05/2011",
    ),
    Column(
        "in_political_system",
        "Làm việc trong hệ thống chính trị",
        ("Trong hệ thống chính trị",),
        required=False,
        parse=values.yes_no,
        note=values.YES_NO_NOTE,
        example="Có",
    ),
    Column(
        "civil_servant",
        "Cán bộ, công chức, viên chức",
        ("CBCCVC",),
        required=False,
        parse=values.yes_no,
        note=values.YES_NO_NOTE,
        example="Có",
    ),
    Column("left", "Ngày ra khỏi Đảng", required=False, parse=values.date),
)
HEADERS = {c.field: c.header for c in COLUMNS}
FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "citizen_id",
    "admitted",
    "full_member_since",
    "in_political_system",
    "civil_servant",
    "left",
)


class MemberRowForm(MemberForm):
    def validate_unique(self) -> None:
        """An existing code is an update; citizen ids are checked across the whole file."""


def write(items: list[Item], report: Report, run: Run) -> None:
    ids: dict[int, int] = run.cache.setdefault("citizen_ids", {})  # id → first row with it
    cells = by_code(Unit, (d["cell_code"] for _r, d, _v in items))
    taken = dict(
        Member.objects.filter(
            citizen_id__in=[d["citizen_id"] for _r, d, _v in items if d["citizen_id"]]
        ).values_list("citizen_id", "code")
    )
    valid: list[tuple[Any, dict[str, Any]]] = []
    for row, data, ok in items:
        citizen_id = data["citizen_id"]
        if citizen_id:
            if int(citizen_id) in ids:
                report.add(
                    row.number,
                    HEADERS["citizen_id"],
                    _("Số CCCD trùng với dòng {row}.").format(row=ids[int(citizen_id)]),
                )
            elif taken.get(citizen_id, data["code"]) != data["code"]:
                report.add(
                    row.number,
                    HEADERS["citizen_id"],
                    _("Số CCCD đã thuộc đảng viên mã {code}.").format(code=taken[citizen_id]),
                )
            ids.setdefault(int(citizen_id), row.number)
        cell = cells.get(data["cell_code"]) if data["cell_code"] else None
        if data["cell_code"] and cell is None:
            unknown_unit(report, row, HEADERS["cell_code"], data["cell_code"])
        elif cell is not None and not cell.is_cell:
            not_a_cell(report, row, HEADERS["cell_code"], cell)
        elif ok:
            fields = {"code": data["code"], "cell": cell, **{k: data[k] for k in FIELDS}}
            valid.append((row, {**fields, "search_key": search_key(data["full_name"])}))
    existing = Member.objects.filter(code__in=[d["code"] for _r, d, ok in items if ok])
    upsert(Member, valid, existing, ("code",), report, run)


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    members = Member.objects.in_subtree(root) if root else Member.objects.all()
    for m in members.select_related("cell").order_by("code").iterator(chunk_size=CHUNK):
        yield {
            "code": m.code,
            "full_name": m.full_name,
            "birth_date": m.birth_date,
            "gender": values.label(m.gender, Gender.choices),
            "citizen_id": m.citizen_id or "",
            "cell_code": m.cell.code,
            "admitted": m.admitted,
            "full_member_since": m.full_member_since,
            "in_political_system": values.yes_no_text(m.in_political_system),
            "civil_servant": values.yes_no_text(m.civil_servant),
            "left": m.left,
        }


MEMBERS = Kind(
    "members", gettext_lazy("Đảng viên"), COLUMNS, ("code",), MemberRowForm, write, export
)
