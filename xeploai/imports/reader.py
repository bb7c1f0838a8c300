"""Reading offices' files: .xlsx and .csv (UTF-8 with or without BOM, comma or semicolon),
row by row, with headers matched however they are written."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise
from python_calamine import CalamineError, CalamineWorkbook

from xeploai.core.text import fold

from . import values
from .xlsx import Range, Workbook, XlsxError


class FileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Vietnamese."""


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the template
    aliases: tuple[str, ...] = ()
    required: bool = True
    parse: Callable[[object], Any] = values.text  # cell → value; raises values.ValueProblem
    note: StrOrPromise = ""  # for the template's notes sheet
    example: object = ""  # for the template's example row

    def names(self) -> set[str]:
        return {fold(self.header), *(fold(a) for a in self.aliases)}


@dataclasses.dataclass(frozen=True)
class Row:
    number: int  # as the office sees it in its spreadsheet (1-based)
    values: Mapping[str, object]  # by field


@dataclasses.dataclass
class Table:
    """A file's data rows, read lazily; `total` is the number of its last line, against which
    a row's number measures progress."""

    rows: Iterator[Row]
    total: int


HEADER_SEARCH = 10  # offices put a title above the header: look for it in the first rows


Line = tuple[int, Sequence[object]]  # a line of the file: its number (1-based), its cells
Merged = Callable[[], Sequence[Range]]  # the merged ranges, known once the lines are read


def open_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str] = ()) -> Table:
    """The data rows of the file, or of the workbook's sheet for this kind: the sheet named
    like one of `sheet_names`, else the only sheet, else the first one with the columns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        lines = enumerate(_csv_lines(path), start=1)
        return _table(lines, columns, total=_count_lines(path), merged=list)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path, columns, sheet_names)
    if suffix in (".xls", ".ods"):
        return _calamine_table(path, columns, sheet_names)
    raise FileError(
        _("Không đọc được tệp {name}: chỉ nhận tệp .xlsx hoặc .csv.").format(name=path.name)
    )


def _table(
    lines: Iterator[Line], columns: Sequence[Column], *, total: int, merged: Merged
) -> Table:
    """Find the header among the first lines, then yield the rows below it."""
    best: tuple[int, list[str]] | None = None  # the most complete header seen, its misses
    searched = 0
    for number, line in lines:
        if all(_blank(v) for v in line):
            continue
        index, missing = _match(line, columns)
        if not missing:
            return Table(_data_rows(lines, index, number, merged), total)
        if best is None or len(index) > best[0]:
            best = (len(index), missing)
        searched += 1
        if searched >= HEADER_SEARCH:
            break
    if best is None:
        raise FileError(_("Tệp không có dữ liệu."))
    raise FileError(
        _("Thiếu cột: {columns}. Dòng tên các cột phải nằm trong {n} dòng đầu của tệp.").format(
            columns=", ".join(best[1]), n=HEADER_SEARCH
        )
    )


def _data_rows(
    lines: Iterator[Line], index: dict[str, int], header_row: int, merged: Merged
) -> Iterator[Row]:
    for number, raw in lines:
        if all(_blank(v) for v in raw):
            continue
        yield Row(number, {f: raw[i] if i < len(raw) else "" for f, i in index.items()})
    _refuse_merged_data(merged(), header_row)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match(header: Sequence[object], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Where each column is in a header line, and the required columns it lacks."""
    found = {fold(str(h)): i for i, h in enumerate(header) if not _blank(h)}
    index: dict[str, int] = {}
    missing = []
    for column in columns:
        hit = next((found[k] for k in column.names() if k in found), None)
        if hit is not None:
            index[column.field] = hit
        elif column.required:
            missing.append(column.header)
    return index, missing


def _refuse_merged_data(merged: Sequence[Range], header_row: int) -> None:
    """Merged cells below the header hide values from every row but the first: refuse them,
    naming where they are, rather than read the other rows as empty."""
    below = [(a, b) for a, b in merged if b[0] + 1 > header_row]
    if below:
        names = ", ".join(f"{_cell_name(*a)}:{_cell_name(*b)}" for a, b in below[:5])
        raise FileError(
            _(
                "Bảng có ô gộp ({cells}). Hãy bỏ gộp ô và ghi giá trị vào từng dòng trước khi nhập."
            ).format(cells=names)
        )


def _cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _csv_lines(path: Path) -> Iterator[Sequence[object]]:
    try:
        with path.open("rb") as raw:
            sample = raw.read(64 * 1024)
            sample.decode("utf-8-sig")  # fails early on a file that is not UTF-8
    except UnicodeDecodeError:
        if b"\x00" in sample:
            raise FileError(
                _("Tệp {name} không phải tệp văn bản CSV.").format(name=path.name)
            ) from None
        raise FileError(_("Tệp {name} không ở bảng mã UTF-8.").format(name=path.name)) from None
    first_line = sample.decode("utf-8-sig").splitlines()[0] if sample.strip() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    with path.open(encoding="utf-8-sig", newline="") as text:
        try:
            yield from (list(r) for r in csv.reader(text, delimiter=delimiter))
        except (UnicodeDecodeError, csv.Error) as e:
            raise FileError(
                _("Tệp {name} hỏng hoặc không phải tệp CSV: {error}").format(
                    name=path.name, error=e
                )
            ) from None


def _choose_sheet(names: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The sheets to try, in order: those named for the kind, else all of them."""
    folded = {fold(n) for n in wanted}
    return [n for n in names if fold(n) in folded] or list(names)


def _first_table(
    path: Path, columns: Sequence[Column], candidates: Sequence[str], table: Callable[[str], Table]
) -> Table:
    for name in candidates:
        try:
            return table(name)
        except FileError:
            if len(candidates) == 1:
                raise
    raise FileError(
        _(
            "Không trang tính nào có đủ các cột ({columns}). Các trang tính của tệp: {sheets}."
        ).format(
            columns=", ".join(c.header for c in columns if c.required),
            sheets=", ".join(candidates),
        )
    )


def _unreadable(path: Path) -> FileError:
    return FileError(
        _("Không đọc được tệp Excel {name}: tệp hỏng hoặc sai định dạng.").format(name=path.name)
    )


def _xlsx_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str]) -> Table:
    """An .xlsx sheet, streamed: memory stays bounded whatever its length."""
    try:
        book = Workbook(str(path))
    except XlsxError as e:
        raise _unreadable(path) from e

    def table(name: str) -> Table:
        book.merged = []
        return _table(
            _guarded(book.rows(name), path),
            columns,
            total=book.height(name),
            merged=lambda: book.merged,
        )

    return _first_table(path, columns, _choose_sheet(book.sheet_names, sheet_names), table)


def _guarded(lines: Iterator[Line], path: Path) -> Iterator[Line]:
    try:
        yield from lines
    except XlsxError as e:
        raise _unreadable(path) from e


def _calamine_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str]) -> Table:
    """An .xls or .ods sheet, read whole (an .xls holds at most 65,536 rows)."""
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as e:
        raise _unreadable(path) from e

    def table(name: str) -> Table:
        try:
            sheet = book.get_sheet_by_name(name)
            first = (sheet.start or (0, 0))[0]
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in sheet.merged_cell_ranges or []]
            lines = enumerate(sheet.iter_rows(), start=first + 1)
            return _table(lines, columns, total=first + sheet.height, merged=lambda: merged)
        except (CalamineError, ValueError) as e:
            raise _unreadable(path) from e

    return _first_table(path, columns, _choose_sheet(book.sheet_names, sheet_names), table)
