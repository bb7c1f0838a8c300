"""Reading offices' files: .xlsx and .csv (UTF-8 with or without BOM, comma or semicolon),
row by row, with headers matched however they are written."""

from __future__ import annotations

import codecs
import csv
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from xeploai.core.text import fold
from xeploai.formats_safe import unquoted
from xeploai.rules import reasons

from . import values
from .xlsx import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    Range,
    Workbook,
    XlsxError,
    column_letters,
)


class FileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Vietnamese."""


class _NoHeader(FileError):
    """A sheet without the kind's columns: another sheet of the workbook may have them."""


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the template
    aliases: tuple[str, ...] = ()
    required: bool = True
    parse: Callable[[object], Any] = values.text  # cell → value; raises values.ValueProblem
    absent: object = ""  # the cell of every row when the file has no such column
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
Narrow = Callable[[int], None]  # told how many columns the header uses, once it is found

CSV_BLOCK = 1 << 20  # bytes read at a time when a .csv file is checked
# A line of a .csv file at most, and a row (its lines, when a quoted cell holds line breaks):
# room for every column at Excel's longest cell, never the whole file at once.
MAX_CSV_ROW = 16 * MAX_CELL_CHARS


def open_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str] = ()) -> Table:
    """The data rows of the file, or of the workbook's sheet for this kind: the sheet named
    like one of `sheet_names`, else the only sheet, else the first one with the columns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        total = _checked_csv(path)
        return _table(_csv_lines(path), columns, total=total, merged=list)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path, columns, sheet_names)
    if suffix in (".xls", ".ods"):
        # Read whole by any library that reads them, in memory that the file does not bound
        # (an .ods repeats a row as often as it says): the page takes neither, nor does this.
        raise FileError(
            _(
                "Không đọc được tệp {name}: hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại"
                " dưới dạng .xlsx (Excel Workbook) rồi nhập tệp .xlsx."
            ).format(name=path.name)
        )
    raise FileError(
        _("Không đọc được tệp {name}: chỉ nhận tệp .xlsx hoặc .csv.").format(name=path.name)
    )


def _table(
    lines: Iterator[Line],
    columns: Sequence[Column],
    *,
    total: int,
    merged: Merged,
    narrow: Narrow | None = None,
) -> Table:
    """Find the header among the first lines, then yield the rows below it."""
    best: tuple[int, list[str]] | None = None  # the most complete header seen, its misses
    searched = 0
    for number, line in lines:
        if all(_blank(v) for v in line):
            continue
        index, missing = _match(line, columns)
        if not missing:
            _refuse_repeated(number, line, columns)
            if narrow is not None:
                narrow(max(index.values(), default=0) + 1)
            return Table(_data_rows(lines, index, number, merged), total)
        if best is None or len(index) > best[0]:
            best = (len(index), missing)
        searched += 1
        if searched >= HEADER_SEARCH:
            break
    if best is None:
        raise _NoHeader(_("Tệp không có dữ liệu."))
    raise _NoHeader(
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
        # A text the export quoted against formulas reads back as it was.
        yield Row(number, {f: unquoted(raw[i]) if i < len(raw) else "" for f, i in index.items()})
    _refuse_merged_data(merged(), header_row)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match(header: Sequence[object], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Where each column is in a header line (its first place), and the required columns it
    lacks."""
    places = _places(header)
    index: dict[str, int] = {}
    missing = []
    for column in columns:
        hits = _hits(column, places)
        if hits:
            index[column.field] = hits[0]
        elif column.required:
            missing.append(column.header)
    return index, missing


def _places(header: Sequence[object]) -> dict[str, list[int]]:
    """The places of each heading of a line, by its folded text."""
    places: dict[str, list[int]] = {}
    for i, heading in enumerate(header):
        if not _blank(heading):
            places.setdefault(fold(str(heading)), []).append(i)
    return places


def _hits(column: Column, places: dict[str, list[int]]) -> list[int]:
    return sorted(i for name in column.names() for i in places.get(name, []))


def _refuse_repeated(number: int, header: Sequence[object], columns: Sequence[Column]) -> None:
    """Two headings naming one column (twice the same, or its name and an alias) would leave
    one of them unread: refuse the file, naming both."""
    places = _places(header)
    for column in columns:
        hits = _hits(column, places)
        if len(hits) > 1:
            first, second = hits[:2]
            raise FileError(
                _(
                    "Cột “{column}” có hai lần ở dòng tên cột (dòng {row}): cột {first}"
                    " (“{a}”) và cột {second} (“{b}”). Hãy xoá hoặc đổi tên một cột."
                ).format(
                    column=column.header,
                    row=number,
                    first=column_letters(first),
                    a=values.text(header[first]),
                    second=column_letters(second),
                    b=values.text(header[second]),
                )
            )


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
    return f"{column_letters(col)}{row + 1}"


def _checked_csv(path: Path) -> int:
    """The number of lines of a .csv file, once all of it is known to be UTF-8 text: a file
    in another encoding is refused before any row is read, naming its first bad line."""
    count, last = 0, b"\n"
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as raw:
        block = raw.read(CSV_BLOCK)
        _refuse_binary(path, block)
        while block:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as e:  # `e.object`: the block, after a letter it cut
                _refuse_encoding(path, count + e.object.count(b"\n", 0, e.start) + 1)
            if b"\x00" in block:
                _refuse_encoding(path, count + block.count(b"\n", 0, block.index(b"\x00")) + 1)
            count += block.count(b"\n")
            last = block[-1:]
            block = raw.read(CSV_BLOCK)
    try:
        decoder.decode(b"", final=True)  # a letter cut by the end of the file
    except UnicodeDecodeError:
        _refuse_encoding(path, count + 1)
    return count + (last != b"\n")


def _refuse_binary(path: Path, head: bytes) -> None:
    """UTF-16 (Excel's "Unicode text") and files that are no text at all, told apart from
    a CSV file in another 8-bit encoding."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError(
            _(
                "Tệp {name} ở bảng mã UTF-16, không phải UTF-8. Hãy mở tệp bằng Excel và lưu"
                " lại dạng “CSV UTF-8 (Comma delimited)”, hoặc nhập tệp .xlsx."
            ).format(name=path.name)
        )
    if b"\x00" in head[: 64 * 1024]:
        raise FileError(_("Tệp {name} không phải tệp văn bản CSV.").format(name=path.name))


def _refuse_encoding(path: Path, line: int) -> None:
    raise FileError(
        _(
            "Tệp {name} không ở bảng mã UTF-8 (dòng {line} có ký tự không đọc được). Hãy mở"
            " tệp bằng Excel và lưu lại dạng “CSV UTF-8 (Comma delimited)”, hoặc nhập tệp .xlsx."
        ).format(name=path.name, line=line)
    )


class _CsvSource:
    """The lines of a .csv file as csv.reader takes them, refused as soon as a line, or the
    lines of one row, grow past MAX_CSV_ROW characters: memory stays bounded whatever the
    file holds."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.row_chars = 0  # of the row being read; reset by the reader at each row

    def __iter__(self) -> _CsvSource:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_CSV_ROW + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > MAX_CSV_ROW:
            raise _CsvTooLong
        return line


class _CsvTooLong(Exception):
    pass


def _csv_lines(path: Path) -> Iterator[Line]:
    """The rows of a .csv file already checked by `_checked_csv`, numbered as a spreadsheet
    shows them."""
    with path.open("rb") as raw:
        first_line = raw.readline(MAX_CSV_ROW).decode("utf-8-sig", "replace")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    line = 0
    with path.open(encoding="utf-8-sig", newline="") as text:
        source = _CsvSource(text)
        reader = csv.reader(source, delimiter=delimiter)
        try:
            for line, row in enumerate(reader, start=1):
                source.row_chars = 0
                yield line, row
        except (_CsvTooLong, csv.Error) as e:
            # csv.Error: a cell past csv.field_size_limit(); nothing else, with these options
            limit = MAX_CSV_ROW if isinstance(e, _CsvTooLong) else csv.field_size_limit()
            raise FileError(
                _(
                    "Tệp {name}, dòng {row}: dòng hoặc ô dài quá {n} ký tự; tệp hỏng hoặc không"
                    " phải tệp CSV."
                ).format(name=path.name, row=line + 1, n=reasons.number(limit))
            ) from None
        except UnicodeDecodeError:  # the file changed after it was checked
            _refuse_encoding(path, line + 1)


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
        except _NoHeader:
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


def _unreadable(path: Path, reason: object = None) -> FileError:
    return FileError(
        _("Không đọc được tệp Excel {name}: {reason}.").format(
            name=path.name, reason=str(reason or "") or _("tệp hỏng hoặc sai định dạng")
        )
    )


def _xlsx_table(path: Path, columns: Sequence[Column], sheet_names: Sequence[str]) -> Table:
    """An .xlsx sheet, streamed: memory stays bounded whatever its length and whatever it
    holds (see xlsx.py)."""
    try:
        book = Workbook(str(path))
    except XlsxError as e:
        raise _unreadable(path, e) from e

    def table(name: str) -> Table:
        book.merged = []
        book.width = MAX_COLUMNS
        try:
            total = book.height(name)
        except XlsxError as e:
            raise _unreadable(path, e) from e
        return _table(
            _guarded(book.rows(name), path),
            columns,
            total=total,
            merged=lambda: book.merged,
            narrow=book.narrow,
        )

    return _first_table(path, columns, _choose_sheet(book.sheet_names, sheet_names), table)


def _guarded(lines: Iterator[Line], path: Path) -> Iterator[Line]:
    try:
        yield from lines
    except XlsxError as e:
        raise _unreadable(path, e) from e
