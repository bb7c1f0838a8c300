"""Reading an .xlsx sheet row by row in bounded memory, whatever the file says.

A workbook is a zip of XML parts. The sheet's XML is parsed as a stream and each row is
dropped once read, so a sheet of a million rows never sits in memory; only the table of shared
strings is loaded (Excel stores each distinct text once). Cells come back as Python values:
text, numbers, booleans, and dates for numbers whose style is a date format. A formula's value
is the one Excel last computed and saved with the file.

A file may also be built to harm: a cell placed in column ten million, a part that unpacks to
gigabytes of blanks, one text of a billion letters, entities that expand or read the server's
files. Every part is read through `_Bounded`, which refuses it as soon as it unpacks past its
limit or holds a run the parser would keep whole (a text, a tag, a comment) past `MAX_RUN`;
the parser refuses DTDs and entities; only the columns Excel itself can have, and then only
those up to the header's last, are kept; a row or a shared string, held whole until its end,
has at most `MAX_ELEMENTS` elements and `MAX_ITEM_BYTES` of XML, and a cell's text at most
Excel's 32,767 characters.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse
from django.utils.translation import gettext as _

from xeploai.rules.reasons import number

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates (ECMA-376 18.8.30).
DATE_FORMAT_IDS = {*range(14, 23), *range(45, 48)}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")

# Excel's own limits (a sheet's size, a cell's text).
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
# What a part may unpack to: a sheet is streamed, so its size only costs time; the shared
# strings are held in memory; the other parts (sheets' list, links, styles) are small.
MAX_SHEET_BYTES = 2 << 30
MAX_STRINGS_BYTES = 128 << 20
MAX_STRINGS = 4_000_000
MAX_PART_BYTES = 16 << 20
# The longest run of XML the parser may have to hold at once: a text (Excel's longest, with
# every letter written as an entity), a tag with its attributes, a comment.
MAX_RUN = 256 << 10
# Apache POI's ratio: Excel's own parts pack ten to thirty times; a part unpacking a hundred
# times its packed size, past its first MiB, is made to tie up the reader.
MAX_INFLATE = 100
INFLATE_FREE = 1 << 20
# One row or one shared string, held whole until its end: every cell of a full row, styled,
# and the longest texts a row of an office's table can have.
MAX_ELEMENTS = 100_000
MAX_ITEM_BYTES = 16 << 20
PREAMBLE = 100  # elements before a sheet's rows: a dozen in Excel's files
MAX_MERGED = 10_000  # merged ranges kept: a table with any below its header is refused anyway
READ_BLOCK = 64 << 10

Range = tuple[tuple[int, int], tuple[int, int]]  # 0-based (row, column) of two corners


class XlsxError(Exception):
    """The file is not a readable .xlsx workbook; the message says why, for the user."""


def column_letters(column: int) -> str:
    """The letters of a 0-based column: 0 → A, 27 → AB."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell(ref: str) -> tuple[int, int]:
    """0-based (row, column) of a reference like "B7", within Excel's limits."""
    match = _CELL.fullmatch(ref)
    row, column = (int(match[2]) - 1, _column(match[1])) if match else (MAX_ROWS, MAX_COLUMNS)
    if row >= MAX_ROWS or column >= MAX_COLUMNS:
        raise _outside(ref)
    return row, column


_COLUMNS: dict[str, int] = {}  # the column of a cell's letters, once seen valid


def _column_of(ref: str) -> int:
    """0-based column of a cell's reference; each column's letters are parsed only once."""
    letters = ref.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        column = _COLUMNS[letters] = _cell(ref)[1]
    return column


def _outside(ref: str) -> XlsxError:
    return XlsxError(
        _("ô “{ref}” nằm ngoài giới hạn của Excel ({columns} cột, {rows} dòng)").format(
            ref=ref[:20], columns=number(MAX_COLUMNS), rows=number(MAX_ROWS)
        )
    )


def _integer(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        raise XlsxError(_("tệp hỏng hoặc sai định dạng")) from None


class Workbook:
    def __init__(self, path: str) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            self.paths, self.epoch = self._sheets()
            self.dates = self._date_styles()
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError) as e:
            raise XlsxError(_("tệp hỏng hoặc sai định dạng")) from e
        self._strings: list[str] | None = None
        self.merged: list[Range] = []  # filled as the sheet is read: they follow the rows
        self.width = MAX_COLUMNS  # the columns kept: narrowed once the header is known

    @property
    def sheet_names(self) -> list[str]:
        return list(self.paths)

    def narrow(self, width: int) -> None:
        """Keep only the first `width` columns of the rows still to be read."""
        self.width = min(width, MAX_COLUMNS)

    def _sheets(self) -> tuple[dict[str, str], dt.datetime]:
        """The sheets' parts by name, and the day Excel counts dates from."""
        rels = _elements(self.zip, "xl/_rels/workbook.xml.rels", MAX_PART_BYTES, depth=1)
        targets = {
            r.get("Id"): r.get("Target", "")
            for r, _parent in rels
            if r.tag == f"{PACKAGE_REL}Relationship"
        }
        paths: dict[str, str] = {}
        epoch = dt.datetime(1899, 12, 30)  # noqa: DTZ001  (Excel's day 0, its 1900 leap bug included)
        for el, _parent in _elements(self.zip, "xl/workbook.xml", MAX_PART_BYTES, depth=2):
            if el.tag == f"{NS}sheet":
                target = targets[el.get(f"{REL}id")].lstrip("/")
                paths[el.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
            elif el.tag == f"{NS}workbookPr" and el.get("date1904") in ("1", "true"):
                epoch = dt.datetime(1904, 1, 1)  # noqa: DTZ001  (a calendar date)
        return paths, epoch

    def _date_styles(self) -> set[str]:
        """The indexes of cell styles whose number format shows a date, as cells name them."""
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        custom: dict[int, str] = {}
        dates = set()
        index = 0
        for el, parent in _elements(self.zip, "xl/styles.xml", MAX_PART_BYTES, depth=2):
            if el.tag == f"{NS}numFmt":
                custom[_integer(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif el.tag == f"{NS}xf" and parent.tag == f"{NS}cellXfs":
                fmt = _integer(el.get("numFmtId", "0"))
                code = _QUOTED.sub("", custom.get(fmt, ""))
                if fmt in DATE_FORMAT_IDS or (fmt in custom and _DATE_CODE.search(code)):
                    dates.add(str(index))
                index += 1
        return dates

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.zip.namelist():
                part = _elements(self.zip, "xl/sharedStrings.xml", MAX_STRINGS_BYTES, depth=1)
                for el, _parent in part:
                    if el.tag == f"{NS}si":
                        if len(self._strings) >= MAX_STRINGS:
                            raise XlsxError(
                                _("bảng chuỗi dùng chung có quá {n} chuỗi").format(
                                    n=number(MAX_STRINGS)
                                )
                            )
                        text = _text(el)
                        if len(text) > MAX_CELL_CHARS:
                            where = _("chuỗi dùng chung số {n}").format(n=len(self._strings))
                            raise _too_long(where)
                        self._strings.append(text)
        return self._strings

    def height(self, name: str) -> int:
        """The sheet's last row as its <dimension> says (0 when the file does not say), read
        from the few elements before the rows, where Excel writes it."""
        elements = _elements(self.zip, self.paths[name], MAX_SHEET_BYTES, depth=2)
        for seen, (el, _parent) in enumerate(elements):
            if seen > PREAMBLE:
                return 0
            if el.tag == f"{NS}dimension":
                match = _CELL.fullmatch(el.get("ref", "").split(":")[-1])
                return min(int(match[2]), MAX_ROWS) if match else 0
            if el.tag == f"{NS}row":  # the rows come after the dimension, if it is given
                return 0
        return 0

    def rows(self, name: str) -> Iterator[tuple[int, list[object]]]:
        """(row number, its values by column) for each row the sheet stores; merged ranges
        are in `merged` once the rows are exhausted."""
        strings = self._shared_strings()
        line = others = 0
        for el, _parent in _elements(self.zip, self.paths[name], MAX_SHEET_BYTES, depth=2):
            if el.tag == f"{NS}row":
                given = el.get("r")
                line = _integer(given) if given is not None else line + 1
                if not 0 < line <= MAX_ROWS:
                    raise _outside(f"A{line}")
                yield line, self._values(el, strings)
                continue
            if el.tag == f"{NS}mergeCell" and len(self.merged) < MAX_MERGED:
                first, _sep, last = el.get("ref", "").partition(":")
                self.merged.append((_cell(first), _cell(last or first)))
            others += 1
            if others > MAX_ELEMENTS:  # a sheet holds rows, and a little beside them
                raise XlsxError(
                    _("trang tính có quá {n} phần tử không phải dòng dữ liệu").format(
                        n=number(MAX_ELEMENTS)
                    )
                )

    def _values(self, row: Element, strings: list[str]) -> list[object]:
        values: list[object] = []
        column = -1
        for c in row.iter(f"{NS}c"):
            ref = c.get("r")
            column = _column_of(ref) if ref else column + 1
            if column >= MAX_COLUMNS:
                raise _outside(column_letters(column))
            if column >= self.width:
                continue
            value = self._value(c, strings, ref or column_letters(column))
            if column < len(values):  # cells out of order
                values[column] = value
            else:
                values.extend([None] * (column - len(values)))
                values.append(value)
        return values

    def _value(self, c: Element, strings: list[str], ref: str) -> object:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            inline = c.find(f"{NS}is")
            return _cell_text(_text(inline), ref) if inline is not None else None
        v = c.find(f"{NS}v")
        if v is None or v.text is None:
            return None
        if kind == "s":
            index = _integer(v.text)
            if not 0 <= index < len(strings):
                raise XlsxError(
                    _(
                        "ô {ref} trỏ tới chuỗi dùng chung số {index}, tệp chỉ có {count} chuỗi"
                    ).format(ref=ref, index=index, count=len(strings))
                )
            return strings[index]
        if kind == "b":
            return v.text == "1"
        if kind in ("str", "e"):
            return _cell_text(v.text, ref)
        try:
            number = float(v.text)
        except ValueError:
            raise XlsxError(_("ô {ref} không phải số: tệp hỏng").format(ref=ref)) from None
        if c.get("s", "0") in self.dates:
            return self._date(number)
        return number

    def _date(self, number: float) -> object:
        """The day of an Excel date serial; a serial no date has (past 9999, negative, not a
        number) stays a number, which the column refuses as a date."""
        if not number >= 0:
            return number
        try:
            return self.epoch + dt.timedelta(days=number)
        except OverflowError:
            return number

    def close(self) -> None:
        self.zip.close()


_T = f"{NS}t"
_RUN_TEXT = f"{NS}r/{NS}t"


def _text(el: Element) -> str:
    """A string item's text: its own, or its runs'; phonetic guides are not part of it."""
    if len(el) == 1 and el[0].tag == _T:  # the usual plain text, read fast
        return el[0].text or ""
    parts = [t.text or "" for t in el.findall(_T)] + [t.text or "" for t in el.findall(_RUN_TEXT)]
    return "".join(parts)


def _cell_text(text: str, ref: str) -> str:
    if len(text) > MAX_CELL_CHARS:
        raise _too_long(_("ô {ref}").format(ref=ref))
    return text


def _too_long(where: str) -> XlsxError:
    return XlsxError(
        _("{where} dài quá {n} ký tự, giới hạn của Excel").format(
            where=where, n=number(MAX_CELL_CHARS)
        )
    )


def _check_member(info: zipfile.ZipInfo, limit: int) -> None:
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
        # Excel only deflates; other methods unpack a whole block at once, and a password
        # means the file must be saved again without it.
        raise XlsxError(_("tệp nén hoặc mã hoá theo cách Excel không dùng"))
    if info.file_size > limit:
        raise XlsxError(
            _(
                "phần {part} của tệp giải nén ra {size} MB, quá giới hạn {limit} MB: tệp hỏng"
                " hoặc được tạo để làm quá tải máy chủ"
            ).format(
                part=info.filename[:80],
                size=number(-(-info.file_size >> 20)),  # rounded up
                limit=number(limit >> 20),
            )
        )
    if info.file_size > _unpacked_limit(info, limit):
        raise XlsxError(
            _(
                "phần {part} của tệp giải nén ra gấp hơn {n} lần kích thước nén: tệp hỏng hoặc"
                " được tạo để làm quá tải máy chủ"
            ).format(part=info.filename[:80], n=number(MAX_INFLATE))
        )


def _unpacked_limit(info: zipfile.ZipInfo, limit: int) -> int:
    """How far a part may unpack: within its kind's limit, and to no more than MAX_INFLATE
    times its packed size past the first MiB (what a zip bomb does, and no workbook)."""
    return min(limit, max(INFLATE_FREE, info.compress_size * MAX_INFLATE))


def _elements(
    archive: zipfile.ZipFile, part: str, limit: int, *, depth: int
) -> Iterator[tuple[Element, Element]]:
    """Each element of a part down to `depth` below its root, with its parent, once its end
    is read; it is then dropped, with what it holds. Deeper elements are held by their
    ancestor at `depth` until it ends: at most `MAX_ELEMENTS` of them, in `MAX_ITEM_BYTES`."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        raise XlsxError(_("tệp thiếu phần {part}").format(part=part[:80])) from None
    _check_member(info, limit)
    try:
        with archive.open(info) as raw:
            parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=True)
            source = _Bounded(raw, part, _unpacked_limit(info, limit))
            events = iterparse(source, ("start", "end"), parser=parser)
            yield from _drop_as_read(events, depth, source)
    except DefusedXmlException as e:
        raise XlsxError(
            _(
                "tệp có khai báo DOCTYPE hoặc thực thể XML, điều tệp Excel không có; vì an toàn,"
                " tệp không được đọc"
            )
        ) from e
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise XlsxError(_("tệp hỏng hoặc sai định dạng")) from e


def _drop_as_read(
    events: Iterator[tuple[str, Element]], depth: int, source: _Bounded
) -> Iterator[tuple[Element, Element]]:
    path: list[Element] = []  # the elements open, from the root
    held = 0  # elements started below `depth` since an element at `depth` or above ended
    since = 0  # the offset in the part where that element ended
    for event, el in events:
        if event == "start":
            path.append(el)
            if len(path) > depth + 1:
                held += 1
        else:
            path.pop()
            if 0 < len(path) <= depth:
                parent = path[-1]
                yield el, parent
                parent.remove(el)  # its earlier siblings are gone: this is its only child
                held, since = 0, source.offset
                continue
        if held > MAX_ELEMENTS or source.offset - since > MAX_ITEM_BYTES:
            raise XlsxError(
                _(
                    "một dòng hoặc một chuỗi của tệp quá lớn (quá {n} phần tử hoặc quá {size} MB)"
                ).format(n=number(MAX_ELEMENTS), size=number(MAX_ITEM_BYTES >> 20))
            )


class _Bounded:
    """A part of the zip as the parser reads it: refused as soon as it unpacks past `limit`,
    or holds a run the parser keeps whole past MAX_RUN bytes. A run is what lies between two
    tags: a text, or a tag itself with its attributes, or a comment, CDATA section or
    processing instruction, inside which "<" does not start a tag."""

    _CLOSERS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
    _OPENER = re.compile(rb"<[!?]")

    def __init__(self, raw: IO[bytes], part: str, limit: int) -> None:
        self.raw, self.part, self.limit = raw, part, limit
        self.offset = 0  # bytes read so far
        self.start = 0  # where the current run began
        self.closer: bytes | None = None  # the end of the comment, CDATA or PI we are in
        self.carry = b""  # the last bytes read, when a marker may go on in the next block

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(READ_BLOCK if size < 0 else min(size, READ_BLOCK))
        if self.offset + len(data) > self.limit:
            raise XlsxError(
                _("phần {part} của tệp giải nén ra quá {limit} MB").format(
                    part=self.part[:80], limit=number(self.limit >> 20)
                )
            )
        self._scan(self.carry + data, self.offset - len(self.carry))
        self.offset += len(data)
        self._run_ends(self.offset)
        return data

    def _scan(self, block: bytes, base: int) -> None:
        """Follow the runs of `block`, which starts at offset `base` of the part."""
        i = 0
        self.carry = b""
        while i < len(block):
            if self.closer is not None:
                end = block.find(self.closer, i)
                if end < 0:
                    self.carry = block[max(i, len(block) - len(self.closer) + 1) :]
                    return
                i = end + len(self.closer)
                self._run_ends(base + i)
                self.start = base + i
                self.closer = None
                continue
            opener = self._OPENER.search(block, i)
            stop = opener.start() if opener else len(block)
            first = block.find(b"<", i, stop)
            if first >= 0:
                self._run_ends(base + first)
                self.start = base + block.rfind(b"<", i, stop)
            if opener is None:
                if block.endswith(b"<"):
                    self.carry = b"<"  # it may open a comment: see it again with what follows
                return
            i = self._enter(block, base, opener.start())
            if i < 0:
                return

    def _enter(self, block: bytes, base: int, at: int) -> int:
        """Where scanning goes on after the marker at `at`, inside what it opens; -1 when the
        marker may go on in the next block."""
        self._run_ends(base + at)
        self.start = base + at
        for opener, closer in self._CLOSERS:
            if block.startswith(opener, at):
                self.closer = closer
                return at + len(opener)
        if len(block) - at < len(self._CLOSERS[1][0]):  # "<!-" or "<![CDA": wait for more
            self.carry = block[at:]
            return -1
        return at + 2  # a declaration (DOCTYPE...), which the parser refuses

    def _run_ends(self, offset: int) -> None:
        if offset - self.start > MAX_RUN:
            raise XlsxError(
                _(
                    "phần {part} của tệp có một đoạn dài quá {n} KB không ngắt (một ô, một thẻ"
                    " hay khoảng trắng): tệp hỏng hoặc được tạo để làm quá tải máy chủ"
                ).format(part=self.part[:80], n=number(MAX_RUN >> 10))
            )
