"""Writing kinds as files an office can open and import back: exports, and templates with an
example row and a sheet of notes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from xeploai.formats_safe import WORKBOOK_OPTIONS, quoted, text_style, write_text
from xeploai.units.models import Unit

from . import values
from .base import Kind
from .kinds import KINDS


def export(kind: Kind, path: Path, root: Unit | None = None) -> int:
    """Write the kind's records (under `root`, or all) in the import's own columns."""
    return write_rows(kind, kind.export(root), path)


def export_all(directory: Path, root: Unit | None = None, suffix: str = ".xlsx") -> list[Path]:
    """Every kind as its own file, numbered in the order they are imported."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, kind in enumerate(KINDS.values(), start=1):
        path = directory / f"{n:02}-{kind.name}{suffix}"  # sorted by name as by number
        export(kind, path, root)
        paths.append(path)
    return paths


def write_rows(kind: Kind, rows: Iterable[dict[str, object]], path: Path) -> int:
    if path.suffix.lower() == ".csv":
        return _write_csv(kind, rows, path)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, **WORKBOOK_OPTIONS})
    count = _write_sheet(book, kind, rows)
    book.close()
    return count


def _write_csv(kind: Kind, rows: Iterable[dict[str, object]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # the BOM tells Excel: UTF-8
        writer = csv.writer(f)
        writer.writerow(c.header for c in kind.columns)
        for row in rows:
            writer.writerow(_csv_cell(row.get(c.field)) for c in kind.columns)
            count += 1
    return count


def _csv_cell(value: object) -> str:
    """A value as a .csv cell: a date the Vietnamese way; a text a spreadsheet would take for
    a formula quoted (the importer takes the quote off); numbers as they are."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return quoted(value)
    return "" if value is None else str(value)


def _write_sheet(book: xlsxwriter.Workbook, kind: Kind, rows: Iterable[dict[str, object]]) -> int:
    sheet = book.add_worksheet(str(kind.title)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = text_style(book)
    for col, column in enumerate(kind.columns):
        sheet.write_string(0, col, column.header, bold)
        sheet.set_column(col, col, max(14, len(column.header) + 2))
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007  (the count is returned)
        for col, column in enumerate(kind.columns):
            value = row.get(column.field)
            if isinstance(value, dt.date):
                sheet.write_datetime(count, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(count, col, value)
            elif value not in (None, ""):
                write_text(sheet, count, col, str(value), text)  # codes keep leading zeros
    return count


def write_template(kind: Kind, path: Path) -> None:
    path.write_bytes(template(kind))


def template(kind: Kind) -> bytes:
    """An empty file of the kind with one example row, and a sheet explaining each column;
    built in memory (it is small), so that no copy is left on the server's disk."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **WORKBOOK_OPTIONS})
    _write_sheet(book, kind, [{c.field: c.example for c in kind.columns}])
    notes = book.add_worksheet(_("Hướng dẫn"))
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, title in enumerate((_("Cột"), _("Bắt buộc"), _("Cách ghi"))):
        notes.write_string(0, col, title, bold)
    for n, column in enumerate(kind.columns, start=1):
        notes.write_string(n, 0, column.header, wrap)
        notes.write_string(n, 1, _("Có") if column.required else _("Không"), wrap)
        note = str(column.note) or (
            _("Ngày dạng dd/mm/yyyy.") if column.parse is values.date else ""
        )
        notes.write_string(n, 2, note, wrap)
    last = len(kind.columns) + 2
    for line in (
        _("Dòng đầu tiên là tên các cột; có thể có dòng tiêu đề phía trên (trong 10 dòng đầu)."),
        _("Tên cột, loại, giới tính, Có/Không không phân biệt hoa thường và dấu."),
        _("Dòng ví dụ ở trang đầu cần xoá trước khi nhập."),
        _("Không gộp ô trong bảng; mỗi dòng một bản ghi."),
        _("Tệp có dòng lỗi sẽ không được ghi dòng nào; sửa theo báo cáo lỗi rồi nhập lại."),
    ):
        notes.write_string(last, 0, line)
        last += 1
    notes.set_column(0, 0, 34)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 90)
    book.close()
    return out.getvalue()
