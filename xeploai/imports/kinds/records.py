"""The dated facts about members: status periods, transfers, discipline, posts and the state
evaluation of civil servants. Each row names its member by code, and units by theirs; a record
is known by its natural key."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.core.text import search_key
from xeploai.cycles.models import Cycle
from xeploai.members import state
from xeploai.members.forms import (
    DisciplineRecordForm,
    PostForm,
    StateResultForm,
    StatusPeriodForm,
    TransferForm,
)
from xeploai.members.models import (
    Discipline,
    DisciplineForm,
    Member,
    Post,
    PostKind,
    PostTitle,
    StateLevel,
    StateResult,
    StatusKind,
    StatusPeriod,
    Transfer,
)
from xeploai.units.models import Unit

from .. import values
from ..base import CHUNK, Item, Kind, Run, by_code, not_a_cell, unknown_unit, upsert
from ..reader import Column, Row
from ..report import Report

MEMBER = Column("member_code", "Mã đảng viên", ("Số lý lịch", "Mã ĐV"), example="DV000001")


@dataclasses.dataclass(frozen=True)
class Link:
    """A unit a record refers to, given in the file by its code."""

    field: str  # the model's field
    code_field: str  # the form's field
    cell: bool = False  # it must be a cell


Extra = Callable[[Item, dict[str, Any], Report, Run], bool]


def _writer(
    model: type[models.Model],
    key: tuple[str, ...],
    fields: tuple[str, ...],
    links: tuple[Link, ...],
    headers: dict[str, str],
    extra: Extra | None = None,
) -> Callable[[list[Item], Report, Run], None]:
    def write(items: list[Item], report: Report, run: Run) -> None:
        members = by_code(Member, (d["member_code"] for _r, d, _v in items))
        units = by_code(Unit, (d[link.code_field] for _r, d, _v in items for link in links))
        valid: list[tuple[Row, dict[str, Any]]] = []
        for item in items:
            row, data = item.row, item.data
            member = members.get(data["member_code"]) if data["member_code"] else None
            ok = item.valid
            if data["member_code"] and member is None:
                report.add(
                    row.number,
                    headers["member_code"],
                    _("Không có đảng viên mã {code}.").format(code=data["member_code"]),
                )
                ok = False
            record: dict[str, Any] = {"member": member, **{f: data[f] for f in fields}}
            for link in links:
                code = data[link.code_field]
                unit = units.get(code) if code else None
                if code and unit is None:
                    unknown_unit(report, row, headers[link.code_field], code)
                    ok = False
                elif unit is not None and link.cell and not unit.is_cell:
                    not_a_cell(report, row, headers[link.code_field], unit)
                    ok = False
                record[link.field] = unit
            if extra is not None:
                ok = extra(item, record, report, run) and ok
            if ok:
                valid.append((row, record))
        existing = model._default_manager.filter(member__in=list(members.values()))
        upsert(model, valid, existing, key, report, run)

    return write


def _of_members(
    model: type[models.Model], root: Unit | None, related: tuple[str, ...], order: tuple[str, ...]
) -> Iterator[Any]:
    """The model's records of members under `root` (or all), in `order`, read in chunks."""
    rows = model._default_manager.select_related("member", *related)
    if root:
        rows = rows.filter(member__cell__path__startswith=root.path)
    return rows.order_by("member__code", *order).iterator(chunk_size=CHUNK)


# --- Status periods ---------------------------------------------------------------------------

STATUS_COLUMNS = (
    MEMBER,
    Column(
        "kind",
        "Tình trạng",
        parse=lambda v: values.choice(v, StatusKind.choices),
        note=values.one_of(StatusKind.choices),
        example="Miễn công tác và sinh hoạt đảng",
    ),
    Column("start", "Từ ngày", parse=values.date, example="01/03/2024"),
    Column("end", "Đến ngày", required=False, parse=values.date),
    Column("reason", "Lý do", required=False, example="Tuổi cao, sức yếu"),
    Column(
        "temporary_cell_code",
        "Mã chi bộ sinh hoạt tạm thời",
        required=False,
        note=gettext_lazy("Chỉ ghi khi tình trạng là sinh hoạt tạm thời."),
    ),
)


def _export_statuses(root: Unit | None) -> Iterator[dict[str, object]]:
    for p in _of_members(StatusPeriod, root, ("temporary_cell",), ("start", "kind")):
        yield {
            "member_code": p.member.code,
            "kind": values.label(p.kind, StatusKind.choices),
            "start": p.start,
            "end": p.end,
            "reason": p.reason,
            "temporary_cell_code": p.temporary_cell.code if p.temporary_cell else "",
        }


STATUSES = Kind(
    "statuses",
    gettext_lazy("Tình trạng"),
    STATUS_COLUMNS,
    ("member_code", "kind", "start"),
    StatusPeriodForm,
    _writer(
        StatusPeriod,
        ("member", "kind", "start"),
        ("kind", "start", "end", "reason"),
        (Link("temporary_cell", "temporary_cell_code", cell=True),),
        {c.field: c.header for c in STATUS_COLUMNS},
    ),
    _export_statuses,
)


# --- Transfers --------------------------------------------------------------------------------

TRANSFER_COLUMNS = (
    MEMBER,
    Column("from_cell_code", "Mã chi bộ đi", ("Từ chi bộ",), required=False, example="CB01"),
    Column(
        "from_outside",
        "Từ đảng bộ ngoài hệ thống",
        required=False,
        note=gettext_lazy(
            "Khi chuyển đến từ nơi chưa có trong hệ thống; khi đó để trống mã chi bộ đi."
        ),
    ),
    Column("to_cell_code", "Mã chi bộ đến", ("Đến chi bộ",), example="CB02"),
    Column("date", "Ngày chuyển", parse=values.date, example="01/07/2025"),
    Column("reason", "Lý do", required=False, example="Chuyển nơi cư trú"),
)


def _export_transfers(root: Unit | None) -> Iterator[dict[str, object]]:
    for t in _of_members(Transfer, root, ("from_cell", "to_cell"), ("date",)):
        yield {
            "member_code": t.member.code,
            "from_cell_code": t.from_cell.code if t.from_cell else "",
            "from_outside": t.from_outside,
            "to_cell_code": t.to_cell.code,
            "date": t.date,
            "reason": t.reason,
        }


TRANSFERS = Kind(
    "transfers",
    gettext_lazy("Chuyển sinh hoạt"),
    TRANSFER_COLUMNS,
    ("member_code", "date"),
    TransferForm,
    _writer(
        Transfer,
        ("member", "date"),
        ("from_outside", "date", "reason"),
        (
            Link("from_cell", "from_cell_code", cell=True),
            Link("to_cell", "to_cell_code", cell=True),
        ),
        {c.field: c.header for c in TRANSFER_COLUMNS},
    ),
    _export_transfers,
)


# --- Discipline -------------------------------------------------------------------------------

DISCIPLINE_COLUMNS = (
    MEMBER,
    Column(
        "form",
        "Hình thức",
        parse=lambda v: values.choice(v, DisciplineForm.choices),
        note=values.one_of(DisciplineForm.choices),
        example="Khiển trách",
    ),
    Column("decided", "Ngày quyết định", parse=values.date, example="20/09/2025"),
    Column("decision_number", "Số quyết định", required=False, example="45-QĐ/ĐU"),
    Column("violated", "Ngày vi phạm", parse=values.date, example="10/06/2025"),
    Column("violation_unit_code", "Mã đơn vị khi vi phạm", example="CB01"),
    Column("reason", "Nội dung vi phạm", required=False),
    Column(
        "counted_in_year",
        "Đã tính khi xếp loại năm",
        required=False,
        parse=values.year,
        note=gettext_lazy("Năm đánh giá đã tính kỷ luật này khi xếp loại; để trống nếu chưa."),
    ),
    Column(
        "self_remedied",
        "Tự phát hiện, đã khắc phục",
        required=False,
        parse=values.yes_no,
        note=values.YES_NO_NOTE,
    ),
)


DISCIPLINE_HEADERS = {c.field: c.header for c in DISCIPLINE_COLUMNS}


def _counted_in(item: Item, record: dict[str, Any], report: Report, run: Run) -> bool:
    row, data = item.row, item.data
    year = data["counted_in_year"]
    record["counted_in"] = None
    if year is None:
        return True
    cycles: dict[int, Cycle | None] = run.cache.setdefault("cycles", {})
    if year not in cycles:
        cycles[year] = Cycle.objects.of_year(year)
    record["counted_in"] = cycles[year]
    if cycles[year] is None:
        report.add(
            row.number,
            DISCIPLINE_HEADERS["counted_in_year"],
            _("Không có kỳ đánh giá năm {year}.").format(year=year),
        )
        return False
    return True


def _export_discipline(root: Unit | None) -> Iterator[dict[str, object]]:
    for d in _of_members(Discipline, root, ("violation_unit", "counted_in"), ("decided", "form")):
        yield {
            "member_code": d.member.code,
            "form": values.label(d.form, DisciplineForm.choices),
            "decided": d.decided,
            "decision_number": d.decision_number,
            "violated": d.violated,
            "violation_unit_code": d.violation_unit.code,
            "reason": d.reason,
            "counted_in_year": d.counted_in.year if d.counted_in else "",
            "self_remedied": values.yes_no_text(d.self_remedied),
        }


DISCIPLINE = Kind(
    "discipline",
    gettext_lazy("Kỷ luật"),
    DISCIPLINE_COLUMNS,
    ("member_code", "form", "decided"),
    DisciplineRecordForm,
    _writer(
        Discipline,
        ("member", "form", "decided"),
        ("form", "decided", "decision_number", "violated", "reason", "self_remedied"),
        (Link("violation_unit", "violation_unit_code"),),
        DISCIPLINE_HEADERS,
        extra=_counted_in,
    ),
    _export_discipline,
)


# --- Posts ------------------------------------------------------------------------------------

POST_COLUMNS = (
    MEMBER,
    Column(
        "kind",
        "Loại chức vụ",
        parse=lambda v: values.choice(v, PostKind.choices),
        note=values.one_of(PostKind.choices),
        example="Đảng",
    ),
    Column("title", "Chức vụ", example="Bí thư chi bộ"),
    Column(
        "post_title_name",
        "Chức danh",
        required=False,
        note=gettext_lazy(
            "Chức danh trong danh mục chức danh lãnh đạo, quản lý (ví dụ: Bí thư, Phó Bí thư"
            " chi bộ, Chủ tịch Ủy ban nhân dân): cho biết vị trí và thứ bậc của chức vụ."
        ),
        example="Bí thư chi bộ",
    ),
    Column("unit_code", "Mã đơn vị", example="CB01"),
    Column("organisation", "Cơ quan, tổ chức", required=False),
    Column(
        "leader",
        "Cán bộ lãnh đạo, quản lý",
        required=False,
        parse=lambda v: values.yes_no(v) if values.text(v) else True,
        note=gettext_lazy("Có hoặc Không; để trống là Có."),
        example="Có",
    ),
    Column(
        "head",
        "Người đứng đầu",
        required=False,
        parse=values.yes_no,
        note=values.YES_NO_NOTE,
        example="Có",
    ),
    Column("start", "Từ ngày", parse=values.date, example="01/10/2025"),
    Column("end", "Đến ngày", required=False, parse=values.date),
)


POST_HEADERS = {c.field: c.header for c in POST_COLUMNS}


def _post_title(item: Item, record: dict[str, Any], report: Report, run: Run) -> bool:
    """The post's title (chức danh) from the list offices keep, by its name: of the post's
    kind."""
    name = record.pop("post_title_name")
    record["post_title"] = None
    if not name:
        return True
    titles: dict[str, PostTitle] = run.cache.setdefault(
        "post_titles", {search_key(t.name): t for t in PostTitle.objects.all()}
    )
    title = titles.get(search_key(name))
    if title is None:
        report.add(
            item.row.number,
            POST_HEADERS["post_title_name"],
            _("Chức danh “{name}” không có trong danh mục chức danh lãnh đạo, quản lý.").format(
                name=name
            ),
        )
        return False
    if record["kind"] and title.kind != record["kind"]:
        report.add(
            item.row.number,
            POST_HEADERS["post_title_name"],
            _("Chức danh “{name}” là chức vụ {kind}, không cùng loại chức vụ của dòng.").format(
                name=title.name, kind=title.get_kind_display().lower()
            ),
        )
        return False
    record["post_title"] = title
    return True


def _export_posts(root: Unit | None) -> Iterator[dict[str, object]]:
    for p in _of_members(Post, root, ("unit", "post_title"), ("start", "title")):
        yield {
            "member_code": p.member.code,
            "kind": values.label(p.kind, PostKind.choices),
            "title": p.title,
            "post_title_name": p.post_title.name if p.post_title else "",
            "unit_code": p.unit.code,
            "organisation": p.organisation,
            "leader": values.yes_no_text(p.leader),
            "head": values.yes_no_text(p.head),
            "start": p.start,
            "end": p.end,
        }


POSTS = Kind(
    "posts",
    gettext_lazy("Chức vụ"),
    POST_COLUMNS,
    ("member_code", "title", "unit_code", "start"),
    PostForm,
    _writer(
        Post,
        ("member", "title", "unit", "start"),
        ("kind", "title", "post_title_name", "organisation", "leader", "head", "start", "end"),
        (Link("unit", "unit_code"),),
        POST_HEADERS,
        extra=_post_title,
    ),
    _export_posts,
)


# --- The state evaluation of civil servants (R12, R17, R28) -------------------------------------

STATE_COLUMNS = (
    MEMBER,
    Column(
        "year",
        "Năm đánh giá",
        parse=values.year,
        note=gettext_lazy("Năm được đánh giá, xếp loại công chức, viên chức."),
        example="2026",
    ),
    Column(
        "level",
        "Mức xếp loại",
        ("Xếp loại", "Kết quả xếp loại"),
        parse=lambda v: values.choice(
            v,
            StateLevel.choices,
            ("EXCELLENT", "HTXSNV"),
            ("GOOD", "HTTNV"),
            ("COMPLETED", "HTNV"),
            ("NOT_COMPLETED", "KHTNV"),
        ),
        note=values.one_of(StateLevel.choices),
        example="Hoàn thành tốt nhiệm vụ",
    ),
    Column("decision_number", "Số quyết định", example="125/QĐ-UBND"),
    Column("decision_date", "Ngày quyết định", parse=values.date, example="25/12/2026"),
)
STATE_HEADERS = {c.field: c.header for c in STATE_COLUMNS}


def _write_state_results(items: list[Item], report: Report, run: Run) -> None:
    """Check each row against the member's record and their party result of the year (a
    decided result keeps the state result it was decided on), then create or update."""
    members = by_code(Member, (d["member_code"] for _r, d, _v in items if d["member_code"]))
    years = {d["year"] for _r, d, _v in items if d["year"]}
    closed = state.decided(members.values(), years)
    valid: list[tuple[Row, dict[str, Any]]] = []
    for row, data, ok in items:
        member = members.get(data["member_code"]) if data["member_code"] else None
        if data["member_code"] and member is None:
            report.add(
                row.number,
                STATE_HEADERS["member_code"],
                _("Không có đảng viên mã {code}.").format(code=data["member_code"]),
            )
            ok = False
        elif member is not None and data["year"]:
            reason = state.refusal(member, data["year"], closed)
            if reason:
                report.add(row.number, STATE_HEADERS["member_code"], reason)
                ok = False
        if ok:
            record = {f: data[f] for f in ("year", "level", "decision_number", "decision_date")}
            valid.append((row, {"member": member, **record}))
    existing = StateResult.objects.filter(member__in=list(members.values()))
    upsert(StateResult, valid, existing, ("member", "year"), report, run)


def _export_state_results(root: Unit | None) -> Iterator[dict[str, object]]:
    for r in _of_members(StateResult, root, (), ("year",)):
        yield {
            "member_code": r.member.code,
            "year": r.year,
            "level": values.label(r.level, StateLevel.choices),
            "decision_number": r.decision_number,
            "decision_date": r.decision_date,
        }


STATE_RESULTS = Kind(
    "state_results",
    gettext_lazy("Đánh giá công chức, viên chức"),
    STATE_COLUMNS,
    ("member_code", "year"),
    StateResultForm,
    _write_state_results,
    _export_state_results,
)
