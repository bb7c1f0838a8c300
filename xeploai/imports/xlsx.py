"""Reading an .xlsx sheet row by row in bounded memory.

A workbook is a zip of XML parts. The sheet's XML is parsed as a stream and each row is
dropped once read, so a sheet of a million rows never sits in memory; only the table of shared
strings is loaded (Excel stores each distinct text once). Cells come back as Python values:
text, numbers, booleans, and dates for numbers whose style is a date format. A formula's value
is the one Excel last computed and saved with the file.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates (ECMA-376 18.8.30).
DATE_FORMAT_IDS = {*range(14, 23), *range(45, 48)}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_CELL = re.compile(r"([A-Z]+)(\d+)")

Range = tuple[tuple[int, int], tuple[int, int]]  # 0-based (row, column) of two corners


class XlsxError(Exception):
    """The file is not a readable .xlsx workbook."""


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell(ref: str) -> tuple[int, int]:
    match = _CELL.fullmatch(ref)
    if match is None:
        raise XlsxError(ref)
    return int(match[2]) - 1, _column(match[1])


class Workbook:
    def __init__(self, path: str) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            self.paths = self._sheet_paths()
            self.dates = self._date_styles()
            self.epoch = self._epoch()
        except (zipfile.BadZipFile, KeyError, SyntaxError, ValueError) as e:
            raise XlsxError(str(e)) from e
        self._strings: list[str] | None = None
        self.merged: list[Range] = []  # filled as the sheet is read: they follow the rows

    @property
    def sheet_names(self) -> list[str]:
        return list(self.paths)

    def _sheet_paths(self) -> dict[str, str]:
        rels = _parse_part(self.zip, "xl/_rels/workbook.xml.rels")
        targets = {
            r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PACKAGE_REL}Relationship")
        }
        book = _parse_part(self.zip, "xl/workbook.xml")
        paths = {}
        for sheet in book.iter(f"{NS}sheet"):
            target = targets[sheet.get(f"{REL}id")].lstrip("/")
            paths[sheet.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
        return paths

    def _epoch(self) -> dt.datetime:
        book = _parse_part(self.zip, "xl/workbook.xml")
        pr = book.find(f"{NS}workbookPr")
        if pr is not None and pr.get("date1904") in ("1", "true"):
            return dt.datetime(1904, 1, 1)  # noqa: DTZ001  (a calendar date)
        return dt.datetime(1899, 12, 30)  # noqa: DTZ001  (Excel's day 0, its 1900 leap bug included)

    def _date_styles(self) -> set[int]:
        """The indexes of cell styles whose number format shows a date."""
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        styles = _parse_part(self.zip, "xl/styles.xml")
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in styles.iter(f"{NS}numFmt")
        }
        dates = set()
        xfs = styles.find(f"{NS}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            fmt = int(xf.get("numFmtId", "0"))
            code = _QUOTED.sub("", custom.get(fmt, ""))
            if fmt in DATE_FORMAT_IDS or (fmt in custom and _DATE_CODE.search(code)):
                dates.add(index)
        return dates

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.zip.namelist():
                with self.zip.open("xl/sharedStrings.xml") as f:
                    for _event, el in iterparse(f):
                        if el.tag == f"{NS}si":
                            self._strings.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
                            el.clear()
        return self._strings

    def height(self, name: str) -> int:
        """The sheet's last row as its <dimension> says (0 when the file does not say)."""
        with self.zip.open(self.paths[name]) as f:
            for _event, el in iterparse(f, events=("start",)):
                if el.tag == f"{NS}dimension":
                    ref = el.get("ref", "").split(":")[-1]
                    return _cell(ref)[0] + 1 if _CELL.fullmatch(ref) else 0
                if el.tag == f"{NS}sheetData":
                    return 0
        return 0

    def rows(self, name: str) -> Iterator[tuple[int, list[object]]]:
        """(row number, its values by column) for each row the sheet stores; merged ranges
        are in `merged` once the rows are exhausted."""
        strings = self._shared_strings()
        try:
            with self.zip.open(self.paths[name]) as f:
                for _event, el in iterparse(f):
                    if el.tag == f"{NS}row":
                        yield int(el.get("r", "0")), self._values(el, strings)
                        el.clear()
                    elif el.tag == f"{NS}mergeCell":
                        first, _, last = el.get("ref", "").partition(":")
                        self.merged.append((_cell(first), _cell(last or first)))
        except (zipfile.BadZipFile, SyntaxError, KeyError, ValueError) as e:
            raise XlsxError(str(e)) from e

    def _values(self, row: Element, strings: list[str]) -> list[object]:
        values: list[object] = []
        for c in row.iter(f"{NS}c"):
            column = _cell(c.get("r", ""))[1] if c.get("r") else len(values)
            values.extend([None] * (column - len(values)))
            values.append(self._value(c, strings))
        return values

    def _value(self, c: Element, strings: list[str]) -> object:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{NS}t"))
        v = c.find(f"{NS}v")
        if v is None or v.text is None:
            return None
        if kind == "s":
            return strings[int(v.text)]
        if kind == "b":
            return v.text == "1"
        if kind in ("str", "e"):
            return v.text
        number = float(v.text)
        if int(c.get("s", "0")) in self.dates:
            return self.epoch + dt.timedelta(days=number)
        return number

    def close(self) -> None:
        self.zip.close()


def _parse_part(archive: zipfile.ZipFile, name: str) -> Element:
    """A small part of the workbook (its list of sheets, their links, its styles), whole."""
    root: Element | None = None
    with archive.open(name) as f:
        for _event, el in iterparse(f):
            root = el  # the last element to end is the root
    if root is None:
        raise XlsxError(name)
    return root
