"""The kinds of import: their columns, how a row becomes form data, and how valid rows are
written. A run validates every row first; it writes only when no row was refused, in one
transaction (all rows or none), and re-importing the same file changes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from xeploai.core.text import search_key
from xeploai.members.forms import MemberForm
from xeploai.members.models import Gender, Member
from xeploai.units.actions import create_unit
from xeploai.units.forms import UnitForm
from xeploai.units.models import CELL_KINDS, FieldType, Unit, UnitKind

from . import values
from .reader import Column, FileError, Row, rows
from .report import Report


class DryRun(Exception):
    """Raised inside the transaction of a dry run, so that nothing it wrote stays."""


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    run: Callable[[list[tuple[Row, dict[str, Any]]], Report], None]
    cells: Callable[[Row, Report, dict[str, Column]], dict[str, Any] | None]


def run_import(kind: Kind, path: Path, *, dry_run: bool = False) -> Report:
    """Validate every row of the file; write them all, or (on any refusal) none."""
    report = Report()
    by_field = {c.field: c for c in kind.columns}
    valid: list[tuple[Row, dict[str, Any]]] = []
    first_row: dict[str, int] = {}  # natural key → the row that first gave it
    try:
        for row in rows(path, kind.columns):
            code = values.text(row.values.get("code"))
            if code in first_row:
                report.add(
                    row.number,
                    by_field["code"].header,
                    _("Mã {code} trùng với dòng {row}.").format(code=code, row=first_row[code]),
                )
                continue
            first_row[code] = row.number
            data = kind.cells(row, report, by_field)
            if data is not None:
                valid.append((row, data))
    except FileError as e:
        report.add(0, "", str(e))
        return report
    if not valid and report.ok:
        report.add(0, "", _("Tệp không có dòng dữ liệu nào."))
        return report
    try:
        with transaction.atomic():
            kind.run(valid, report)
            if not report.ok or dry_run:
                raise DryRun
    except DryRun:
        pass
    return report


class UnitRowForm(UnitForm):
    def validate_unique(self) -> None:
        """An existing code is an update, not a clash: the import judges codes itself."""


class MemberRowForm(MemberForm):
    def validate_unique(self) -> None:
        """An existing code is an update; citizen ids are checked across the whole file."""


def _form_errors(form: forms.BaseForm, row: Row, report: Report, headers: dict[str, str]) -> None:
    for field, messages in form.errors.items():
        for message in messages:
            report.add(row.number, headers.get(field, ""), str(message))


def _parse(
    row: Row,
    report: Report,
    by_field: dict[str, Column],
    parsers: dict[str, Callable[[object], Any]],
) -> dict[str, Any] | None:
    """Each cell through its parser; a cell that cannot be read is reported by its column."""
    data: dict[str, Any] = {}
    ok = True
    for field, raw in row.values.items():
        try:
            data[field] = parsers.get(field, values.text)(raw)
        except values.ValueProblem as e:
            report.add(row.number, by_field[field].header, str(e))
            ok = False
    return data if ok else None


# --- Units ------------------------------------------------------------------------------------

UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", ("Mã tổ chức", "Mã TCĐ")),
    Column("name", "Tên đơn vị", ("Tên tổ chức", "Tên tổ chức đảng")),
    Column("kind", "Loại", ("Loại tổ chức", "Loại đơn vị")),
    Column("parent_code", "Mã đơn vị cấp trên", ("Mã cấp trên",), required=False),
    Column("field_type", "Loại hình", required=False),
    Column("founded", "Ngày thành lập"),
    Column("closed", "Ngày giải thể", required=False),
)
_UNIT_HEADERS = {c.field: c.header for c in UNIT_COLUMNS}


def _unit_cells(row: Row, report: Report, by_field: dict[str, Column]) -> dict[str, Any] | None:
    data = _parse(
        row,
        report,
        by_field,
        {
            "kind": lambda v: values.choice(v, UnitKind.choices),
            "field_type": lambda v: (
                values.choice(v, FieldType.choices) if values.text(v) else "OTHER"
            ),
            "founded": values.date,
            "closed": values.date,
        },
    )
    if data is None:
        return None
    data = {"field_type": FieldType.OTHER, "closed": None, "parent_code": ""} | data
    form = UnitRowForm({k: v for k, v in data.items() if v is not None})
    if not form.is_valid():
        _form_errors(form, row, report, _UNIT_HEADERS)
        return None
    return data


def _run_units(valid: list[tuple[Row, dict[str, Any]]], report: Report) -> None:
    header = _UNIT_HEADERS
    by_code = {data["code"]: (row, data) for row, data in valid}
    existing = {u.code: u for u in Unit.objects.filter(code__in=list(by_code))}
    parents = {
        u.code: u
        for u in Unit.objects.filter(
            code__in={d["parent_code"] for _r, d in valid if d.get("parent_code")}
        )
    }
    for row, data in by_code.values():
        parent = data.get("parent_code") or ""
        if parent and parent not in by_code and parent not in parents:
            report.add(
                row.number,
                header["parent_code"],
                _("Không có đơn vị mã {code}.").format(code=parent),
            )
        unit = existing.get(data["code"])
        if unit is not None and (unit.parent.code if unit.parent else "") != parent:
            report.add(
                row.number,
                header["parent_code"],
                _(
                    "Đơn vị đã có với cấp trên khác; nhập tệp không chuyển đơn vị"
                    " sang cấp trên khác."
                ),
            )
    order = _parents_first(by_code, report)
    if not report.ok:
        return
    for code in order:
        row, data = by_code[code]
        fields = {k: data.get(k) for k in ("name", "kind", "field_type", "founded", "closed")}
        unit = existing.get(code)
        if unit is None:
            parent_code = data.get("parent_code")
            parent = Unit.objects.get(code=parent_code) if parent_code else None
            create_unit(parent, code=code, **fields)
            report.created += 1
        elif any(getattr(unit, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(unit, k, v)
            unit.save()
            report.updated += 1
        else:
            report.unchanged += 1


def _parents_first(by_code: dict[str, tuple[Row, dict[str, Any]]], report: Report) -> list[str]:
    """The file's codes, each after its parent; a cycle is refused with its rows named."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed
    for start in by_code:
        path: list[str] = []
        code: str | None = start
        while code is not None and code in by_code and state.get(code) != 2:
            if state.get(code) == 1:
                cycle = path[path.index(code) :]
                rows_ = ", ".join(str(by_code[c][0].number) for c in cycle)
                report.add(
                    by_code[code][0].number,
                    _UNIT_HEADERS["parent_code"],
                    _("Vòng lặp cấp trên giữa các dòng {rows}.").format(rows=rows_),
                )
                for c in cycle:
                    state[c] = 2
                break
            state[code] = 1
            path.append(code)
            code = by_code[code][1].get("parent_code") or None
        for c in reversed(path):
            if state.get(c) == 1:
                state[c] = 2
                order.append(c)
    return order


UNITS = Kind("units", UNIT_COLUMNS, _run_units, _unit_cells)


# --- Members ----------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    Column("code", "Mã đảng viên", ("Số lý lịch", "Mã ĐV")),
    Column("full_name", "Họ và tên", ("Họ tên",)),
    Column("birth_date", "Ngày sinh"),
    Column("gender", "Giới tính"),
    Column("citizen_id", "Số CCCD", ("CCCD", "Số căn cước công dân"), required=False),
    Column("cell_code", "Mã chi bộ"),
    Column("admitted", "Ngày vào Đảng"),
    Column("full_member_since", "Ngày chính thức", required=False),
    Column(
        "in_political_system",
        "Làm việc trong hệ thống chính trị",
        ("Trong hệ thống chính trị",),
        required=False,
    ),
    Column("civil_servant", "Cán bộ, công chức, viên chức", ("CBCCVC",), required=False),
)
_MEMBER_HEADERS = {c.field: c.header for c in MEMBER_COLUMNS}
_GENDER_ALIASES = (("M", "Nam"), ("F", "Nữ"), ("M", "male"), ("F", "female"))


def _member_cells(row: Row, report: Report, by_field: dict[str, Column]) -> dict[str, Any] | None:
    data = _parse(
        row,
        report,
        by_field,
        {
            "gender": lambda v: values.choice(v, Gender.choices, *_GENDER_ALIASES),
            "birth_date": values.date,
            "admitted": values.date,
            "full_member_since": values.date,
            "in_political_system": values.yes_no,
            "civil_servant": values.yes_no,
        },
    )
    if data is None:
        return None
    # Optional columns the file leaves out take their defaults.
    data = {"in_political_system": False, "civil_servant": False, "full_member_since": None} | data
    form = MemberRowForm({k: v for k, v in data.items() if v not in (None, False)})
    if not form.is_valid():
        _form_errors(form, row, report, _MEMBER_HEADERS)
        return None
    return {**data, "citizen_id": data.get("citizen_id") or None}


MEMBER_FIELDS = (
    "full_name",
    "birth_date",
    "gender",
    "citizen_id",
    "admitted",
    "full_member_since",
    "in_political_system",
    "civil_servant",
)


def _run_members(valid: list[tuple[Row, dict[str, Any]]], report: Report) -> None:
    header = _MEMBER_HEADERS
    ids: dict[str, int] = {}
    cells = {u.code: u for u in Unit.objects.filter(code__in={d["cell_code"] for _r, d in valid})}
    existing = {m.code: m for m in Member.objects.filter(code__in=[d["code"] for _r, d in valid])}
    taken_ids = dict(
        Member.objects.filter(
            citizen_id__in=[d["citizen_id"] for _r, d in valid if d["citizen_id"]]
        ).values_list("citizen_id", "code")
    )
    new: list[Member] = []
    changed: list[Member] = []
    for row, data in valid:
        code = data["code"]
        citizen_id = data["citizen_id"]
        if citizen_id:
            if citizen_id in ids:
                report.add(
                    row.number,
                    header["citizen_id"],
                    _("Số CCCD trùng với dòng {row}.").format(row=ids[citizen_id]),
                )
            elif taken_ids.get(citizen_id, code) != code:
                report.add(
                    row.number,
                    header["citizen_id"],
                    _("Số CCCD đã thuộc đảng viên mã {code}.").format(code=taken_ids[citizen_id]),
                )
            ids[citizen_id] = row.number
        cell = cells.get(data["cell_code"])
        if cell is None:
            report.add(
                row.number,
                header["cell_code"],
                _("Không có đơn vị mã {code}.").format(code=data["cell_code"]),
            )
            continue
        if cell.kind not in CELL_KINDS:
            report.add(
                row.number,
                header["cell_code"],
                _("{name} không phải chi bộ: đảng viên phải thuộc một chi bộ.").format(
                    name=cell.name
                ),
            )
            continue
        fields = {k: data.get(k) for k in MEMBER_FIELDS}
        member = existing.get(code)
        if member is None:
            new.append(Member(code=code, cell=cell, **fields))
        elif member.cell_id != cell.pk or any(getattr(member, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(member, k, v)
            member.cell = cell
            changed.append(member)
        else:
            report.unchanged += 1
    if not report.ok:
        return
    for member in new + changed:
        member.search_key = search_key(member.full_name)
    Member.objects.bulk_create(new, batch_size=2000)
    Member.objects.bulk_update(changed, [*MEMBER_FIELDS, "cell", "search_key"], batch_size=2000)
    report.created += len(new)
    report.updated += len(changed)


MEMBERS = Kind("members", MEMBER_COLUMNS, _run_members, _member_cells)

KINDS = {kind.name: kind for kind in (UNITS, MEMBERS)}
