"""Units: the tree, written parents first whatever the order of the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.core.text import search_key
from xeploai.units.actions import next_child_path
from xeploai.units.forms import UnitForm
from xeploai.units.models import SEGMENT, FieldType, Unit, UnitKind, segment

from .. import values
from ..base import CHUNK, Item, Kind, Run, insert, unknown_unit, update
from ..reader import Column
from ..report import Report

# How offices write each type of field, besides its label; matched like labels (case, accents,
# spaces and punctuation aside). Never two types for one spelling.
FIELD_TYPE_NAMES: dict[FieldType, tuple[str, ...]] = {
    FieldType.COMMUNE: (
        "Xã",
        "Phường",
        "Thị trấn",
        "Đặc khu",
        "Xã, phường, thị trấn",
        "Xã, phường, thị trấn, đặc khu",
        "Đảng bộ xã, phường, thị trấn",
    ),
    FieldType.PARTY_AGENCY: (
        "Cơ quan Đảng",
        "Mặt trận",
        "Mặt trận Tổ quốc",
        "MTTQ",
        "Đoàn thể",
        "Mặt trận, đoàn thể",
        "Cơ quan Đảng, đoàn thể",
        "Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể",
        "Khối Đảng, đoàn thể",
    ),
    FieldType.ADMINISTRATION: (
        "Cơ quan",
        "Hành chính",
        "Cơ quan nhà nước",
        "Cơ quan hành chính nhà nước",
        "Cơ quan quản lý nhà nước",
        "Cơ quan chính quyền",
        "Chính quyền",
        "Khối chính quyền",
    ),
    FieldType.PUBLIC_SERVICE: (
        "Sự nghiệp",
        "ĐVSN",
        "Đơn vị sự nghiệp công lập",
        "Sự nghiệp công lập",
        "Trường học",
        "Trường",
        "Giáo dục",
        "Bệnh viện",
        "Y tế",
    ),
    FieldType.ENTERPRISE: (
        "DN",
        "Công ty",
        "Doanh nghiệp nhà nước",
        "DNNN",
        "Doanh nghiệp ngoài nhà nước",
        "Doanh nghiệp tư nhân",
        "Doanh nghiệp có vốn đầu tư nước ngoài",
    ),
    FieldType.MILITARY: (
        "Quân sự",
        "Quân đội nhân dân",
        "QĐND",
        "Ban chỉ huy quân sự",
        "Biên phòng",
        "Bộ đội biên phòng",
    ),
    FieldType.POLICE: ("CA", "Công an nhân dân", "CAND"),
    FieldType.RESIDENTIAL: (
        "Thôn",
        "Tổ dân phố",
        "Xóm",
        "Ấp",
        "Buôn",
        "Làng",
        "Khu phố",
        "Khối phố",
        "Khu dân cư",
        "Thôn, xóm",
        "Thôn, bản",
        "Thôn, tổ",
    ),
    FieldType.OTHER: ("Loại khác",),
}
FIELD_TYPE_ALIASES = tuple((t.value, n) for t, names in FIELD_TYPE_NAMES.items() for n in names)


def _field_type(value: object) -> str:
    """A type of field however offices write it; blank is left for the form to judge."""
    if not values.text(value):
        return ""
    return str(values.choice(value, FieldType.choices, *FIELD_TYPE_ALIASES))


COLUMNS = (
    Column("code", "Mã đơn vị", ("Mã tổ chức", "Mã TCĐ"), example="CB01"),
    Column("name", "Tên đơn vị", ("Tên tổ chức", "Tên tổ chức đảng"), example="Chi bộ thôn 1"),
    Column(
        "kind",
        "Loại",
        ("Loại tổ chức", "Loại đơn vị"),
        parse=lambda v: values.choice(v, UnitKind.choices),
        note=values.one_of(UnitKind.choices),
        example="Chi bộ trực thuộc",
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        ("Mã cấp trên",),
        required=False,
        note=gettext_lazy("Để trống cho đơn vị cao nhất; cấp trên có thể ở dòng sau."),
        example="X01",
    ),
    Column(
        "field_type",
        "Loại hình",
        required=False,
        parse=_field_type,
        absent=FieldType.OTHER,  # a file that says nothing of types: "Khác", as it always was
        note=format_lazy(
            "{choices} {short}",
            choices=values.one_of(FieldType.choices),
            short=gettext_lazy(
                "Ghi tắt cũng được (Xã, Phường, Thị trấn, Đặc khu, Cơ quan, Sự nghiệp, Trường"
                " học, DN, Quân sự, Công an, Thôn, Tổ dân phố...). Bắt buộc với tổ chức cơ sở"
                " đảng và các tổ chức trực thuộc; để trống với cấp trên cơ sở."
            ),
        ),
        example="Thôn, tổ dân phố",
    ),
    Column("founded", "Ngày thành lập", parse=values.date, example="03/02/1975"),
    Column("closed", "Ngày giải thể", required=False, parse=values.date),
)
HEADERS = {c.field: c.header for c in COLUMNS}
FIELDS = ("name", "kind", "field_type", "founded", "closed")


class UnitRowForm(UnitForm):
    def validate_unique(self) -> None:
        """An existing code is an update, not a clash: the import judges codes itself."""


def write(items: list[Item], report: Report, run: Run) -> None:
    # Each code's first row, refused or not: its parent is checked, and its children find it.
    rows: dict[str, tuple[Any, dict[str, Any]]] = {}
    for row, data, _valid in items:
        if data["code"]:
            rows.setdefault(data["code"], (row, _fields(data)))
    existing = {u.code: u for u in Unit.objects.filter(code__in=list(rows))}
    parents = {
        u.code: u
        for u in Unit.objects.filter(code__in={d["parent_code"] for _r, d in rows.values()})
    }
    for code, (row, data) in rows.items():
        parent = data["parent_code"]
        if parent and parent not in rows and parent not in parents:
            unknown_unit(report, row, HEADERS["parent_code"], parent)
        unit = existing.get(code)
        if unit is not None and (unit.parent.code if unit.parent else "") != parent:
            report.add(
                row.number,
                HEADERS["parent_code"],
                _(
                    "Đơn vị đã có với cấp trên khác; nhập tệp không chuyển đơn vị"
                    " sang cấp trên khác."
                ),
            )
    order = _parents_first(rows, report)
    if not report.ok:
        return
    new: list[Unit] = []
    changed: list[Unit] = []
    placed = _Placer(parents | existing)
    for code in order:
        data = rows[code][1]
        fields = {k: data[k] for k in FIELDS}
        unit = existing.get(code)
        if unit is None:
            new.append(placed.new(code, data["parent_code"], fields))
        elif any(getattr(unit, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(unit, k, v)
            unit.search_key = search_key(unit.name, unit.code)
            changed.append(unit)
        else:
            report.unchanged += 1
    for depth in sorted({u.depth for u in new}):  # parents get their ids before children
        insert(Unit, [u for u in new if u.depth == depth], run)
    update(Unit, changed, [*FIELDS, "search_key"], run)
    report.created += len(new)
    report.updated += len(changed)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": data["code"],
        "name": data["name"],
        "kind": data["kind"],
        "parent_code": data.get("parent_code") or "",
        "field_type": data.get("field_type") or FieldType.OTHER,
        "founded": data["founded"],
        "closed": data.get("closed"),
    }


class _Placer:
    """Paths for new units: each goes last under its parent, as `create_unit` would put it."""

    def __init__(self, known: dict[str, Unit]) -> None:
        self.units = dict(known)
        self.next_index: dict[str, int] = {}

    def new(self, code: str, parent_code: str, fields: dict[str, Any]) -> Unit:
        parent = self.units[parent_code] if parent_code else None
        unit = Unit(
            parent=parent,
            code=code,
            path=(parent.path if parent else "") + segment(self._take(parent)),
            depth=parent.depth + 1 if parent else 0,
            search_key=search_key(fields["name"], code),
            **fields,
        )
        self.units[code] = unit
        return unit

    def _take(self, parent: Unit | None) -> int:
        key = parent.path if parent else ""
        if key not in self.next_index:  # a parent new in this file has no children yet
            stored = parent is None or parent.pk is not None
            self.next_index[key] = int(next_child_path(parent)[-SEGMENT:], 36) if stored else 0
        index = self.next_index[key]
        self.next_index[key] = index + 1
        return index


def _parents_first(rows: dict[str, tuple[Any, dict[str, Any]]], report: Report) -> list[str]:
    """The file's codes, each after its parent; a cycle is refused with its rows named."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed
    for start in rows:
        path: list[str] = []
        code: str | None = start
        while code is not None and code in rows and state.get(code) != 2:
            if state.get(code) == 1:
                cycle = path[path.index(code) :]
                numbers = ", ".join(str(rows[c][0].number) for c in cycle)
                report.add(
                    rows[code][0].number,
                    HEADERS["parent_code"],
                    _("Vòng lặp cấp trên giữa các dòng {rows}.").format(rows=numbers),
                )
                for c in cycle:
                    state[c] = 2
                break
            state[code] = 1
            path.append(code)
            code = rows[code][1]["parent_code"] or None
        for c in reversed(path):
            if state.get(c) == 1:
                state[c] = 2
                order.append(c)
    return order


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    units = Unit.objects.in_subtree(root) if root else Unit.objects.all()
    for u in units.select_related("parent").order_by("path").iterator(chunk_size=CHUNK):
        yield {
            "code": u.code,
            "name": u.name,
            "kind": values.label(u.kind, UnitKind.choices),
            "parent_code": u.parent.code if u.parent and u != root else "",
            "field_type": values.label(u.field_type, FieldType.choices),
            "founded": u.founded,
            "closed": u.closed,
        }


UNITS = Kind(
    "units",
    gettext_lazy("Tổ chức đảng"),
    COLUMNS,
    ("code",),
    UnitRowForm,
    write,
    export,
    whole_file=True,
)
