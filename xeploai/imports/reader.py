"""Reading offices' files: .xlsx and .csv (UTF-8 with or without BOM, comma or semicolon),
row by row, with headers matched however they are written."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from xeploai.core.text import fold


class FileError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Vietnamese."""


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the template
    aliases: tuple[str, ...] = ()
    required: bool = True

    def names(self) -> set[str]:
        return {fold(self.header), *(fold(a) for a in self.aliases)}


@dataclasses.dataclass(frozen=True)
class Row:
    number: int  # as the office sees it: the header is row 1
    values: Mapping[str, object]  # by field


def rows(path: Path, columns: Sequence[Column]) -> Iterator[Row]:
    """The file's data rows, each as {field: raw value}; blank rows are skipped."""
    cells = _cells(path)
    try:
        header = next(cells)
    except StopIteration:
        raise FileError(_("Tệp không có dữ liệu.")) from None
    index = _match(header, columns)
    for number, raw in enumerate(cells, start=2):
        if all(_blank(v) for v in raw):
            continue
        yield Row(number, {f: raw[i] if i < len(raw) else "" for f, i in index.items()})


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match(header: Sequence[object], columns: Sequence[Column]) -> dict[str, int]:
    found = {fold(str(h)): i for i, h in enumerate(header) if not _blank(h)}
    index: dict[str, int] = {}
    missing = []
    for column in columns:
        hit = next((found[k] for k in column.names() if k in found), None)
        if hit is not None:
            index[column.field] = hit
        elif column.required:
            missing.append(column.header)
    if missing:
        raise FileError(
            _("Thiếu cột: {columns}. Dòng đầu tiên của tệp phải là tên các cột.").format(
                columns=", ".join(missing)
            )
        )
    return index


def _cells(path: Path) -> Iterator[Sequence[object]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_cells(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _sheet_cells(path)
    raise FileError(
        _("Không đọc được tệp {name}: chỉ nhận tệp .xlsx hoặc .csv.").format(name=path.name)
    )


def _csv_cells(path: Path) -> Iterator[Sequence[object]]:
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


def _sheet_cells(path: Path) -> Iterator[Sequence[object]]:
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as e:
        raise FileError(
            _("Không đọc được tệp Excel {name}: tệp hỏng hoặc sai định dạng.").format(
                name=path.name
            )
        ) from e
    yield from sheet.iter_rows()
