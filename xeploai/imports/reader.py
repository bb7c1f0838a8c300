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
    """A file's data rows, read lazily; `total` is the count of lines below the header (blank
    ones included), for progress bars."""

    rows: Iterator[Row]
    total: int


HEADER_SEARCH = 10  # offices put a title above the header: look for it in the first rows


def open_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str] = ()) -> Table:
    """The data rows of the file, or of the workbook's sheet for this kind: the sheet named
    like one of `sheet_names`, else the only sheet, else the first one with the columns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        lines, total = _csv_lines(path), _count_lines(path)
        return _table(lines, columns, first_row=1, total=total)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _sheet_table(path, columns, sheet_names)
    raise FileError(
        _("Không đọc được tệp {name}: chỉ nhận tệp .xlsx hoặc .csv.").format(name=path.name)
    )


def _table(
    lines: Iterator[Sequence[object]],
    columns: Sequence[Column],
    *,
    first_row: int,
    total: int,
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> Table:
    """Find the header among the first lines, then yield the rows below it."""
    best: tuple[int, list[str]] | None = None  # the most complete header seen, its misses
    number = first_row - 1
    for number, line in enumerate(lines, start=first_row):  # noqa: B007  (used after the loop)
        if all(_blank(v) for v in line):
            continue
        index, missing = _match(line, columns)
        if not missing:
            _refuse_merged_data(merged, header_row=number)
            return Table(_data_rows(lines, index, number + 1), max(0, total - number))
        if best is None or len(index) > best[0]:
            best = (len(index), missing)
        if number - first_row >= HEADER_SEARCH:
            break
    if best is None:
        raise FileError(_("Tệp không có dữ liệu."))
    raise FileError(
        _("Thiếu cột: {columns}. Dòng tên các cột phải nằm trong {n} dòng đầu của tệp.").format(
            columns=", ".join(best[1]), n=HEADER_SEARCH
        )
    )


def _data_rows(
    lines: Iterator[Sequence[object]], index: dict[str, int], start: int
) -> Iterator[Row]:
    for number, raw in enumerate(lines, start=start):
        if all(_blank(v) for v in raw):
            continue
        yield Row(number, {f: raw[i] if i < len(raw) else "" for f, i in index.items()})


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


def _refuse_merged_data(
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], header_row: int
) -> None:
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
    count = 0
    with path.open("rb") as raw:
        while block := raw.read(1 << 20):
            count += block.count(b"\n")
    return count + 1


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


def _sheet_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str]) -> Table:
    try:
        book = CalamineWorkbook.from_path(str(path))
        wanted = {fold(n) for n in sheet_names}
        named = [n for n in book.sheet_names if fold(n) in wanted]
        candidates = named or book.sheet_names
        for name in candidates:
            sheet = book.get_sheet_by_name(name)
            start = sheet.start or (0, 0)
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
            try:
                return _table(
                    iter(sheet.iter_rows()),
                    columns,
                    first_row=start[0] + 1,
                    total=sheet.height + start[0],
                    merged=merged,
                )
            except FileError:
                if len(candidates) == 1:
                    raise
    except (CalamineError, OSError, ValueError) as e:
        raise FileError(
            _("Không đọc được tệp Excel {name}: tệp hỏng hoặc sai định dạng.").format(
                name=path.name
            )
        ) from e
    raise FileError(
        _(
            "Không trang tính nào có đủ các cột ({columns}). Các trang tính của tệp: {sheets}."
        ).format(
            columns=", ".join(c.header for c in columns if c.required),
            sheets=", ".join(book.sheet_names),
        )
    )
