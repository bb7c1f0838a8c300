"""Hostile and faulty import files for `bench/attack.py`, each small on disk.

Every file is built here with the standard library (and XlsxWriter for the well-formed
workbooks), streamed to disk, so that building even the zip bomb holds only a block at a
time. No Django: the caller passes the codes of a real cell and its district.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from import_members import HEADER

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
WORKBOOK = (
    f'<?xml version="1.0"?><workbook {NS} xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Đảng viên" sheetId="1"'
    ' r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET = "xl/worksheets/sheet1.xml"
BOMB_BLOCK = b"<row/>" * (1 << 17)  # 768 KiB of XML that deflates to almost nothing
BOMB_BLOCKS = 48  # 36 MiB unpacked: past the first MiB, over a hundred times its packed size
LAUGHS = 10  # nested entities of ten each: 10^10 "lol" if a parser expanded them
UNITS_ROWS = 1_200  # a units file past 64 KiB whose types of field are short names
LONG_LINE = 1 << 20  # one .csv cell of 1 MiB, no line break


@dataclasses.dataclass(frozen=True)
class BadFile:
    """A file to import as `kind`; `expect` is what a careful importer does with it."""

    name: str
    kind: str
    path: Path
    expect: str  # "refused", or "either" for a file that is odd but may well be read


@dataclasses.dataclass(frozen=True)
class Place:
    """Codes of the demo the rows name, so that a file fails for its fault alone."""

    cell: str
    district: str


def build_all(directory: Path, place: Place) -> list[BadFile]:
    """Write every hostile or faulty file into `directory`; the list says what each is."""
    builders: list[tuple[str, str, str, str, Callable[[Path, Place], None]]] = [
        ("zip bomb (sheet unpacks 36 MiB, >100x)", "members", "bomb.xlsx", "refused", _bomb),
        ("dimension A1:XFD1048576", "members", "dimension.xlsx", "either", _huge_dimension),
        ("XML entities (billion laughs)", "members", "laughs.xlsx", "refused", _laughs),
        (".csv in Windows-1258", "members", "cp1258.csv", "refused", _cp1258),
        (".csv in UTF-16", "members", "utf16.csv", "refused", _utf16),
        (".xls (OLE2 header)", "members", "old.xls", "refused", _xls),
        (".ods (OpenDocument)", "members", "sheet.ods", "refused", _ods),
        ("empty .csv", "members", "empty.csv", "refused", _empty),
        ("empty .xlsx", "members", "empty.xlsx", "refused", _empty),
        ("title row only", "members", "title.csv", "refused", _title_only),
        ("a column named twice", "members", "twice.csv", "refused", _duplicate_header),
        ("rows with several faults each", "members", "faults.csv", "refused", _faulty_rows),
        ("truncated .xlsx", "members", "truncated.xlsx", "refused", _truncated),
        ("not a zip, named .xlsx", "members", "text.xlsx", "refused", _not_zip),
        ("64+ KiB of units, types as Xã", "units", "units.csv", "either", _short_types),
        ("merged title above the header", "members", "title.xlsx", "either", _merged_title),
        ("merged cells in the table", "members", "merged.xlsx", "refused", _merged_rows),
        ("a 1 MiB line", "members", "long.csv", "refused", _long_line),
        ("NUL bytes named .csv", "members", "binary.csv", "refused", _binary),
    ]
    files = []
    for name, kind, filename, expect, build in builders:
        path = directory / filename
        build(path, place)
        files.append(BadFile(name, kind, path, expect))
    return files


def member_row(n: int, place: Place, **changes: str) -> list[str]:
    """A valid member row (nobody the demo has), with `changes` by header."""
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Mã đảng viên": f"DVTC{n:05d}",
            "Họ và tên": "Nguyễn Văn Thử",
            "Ngày sinh": "01/02/1980",
            "Giới tính": "Nam",
            "Mã chi bộ": place.cell,
            "Ngày vào Đảng": "19/05/2010",
            "Ngày chính thức": "19/05/2011",
            "Làm việc trong hệ thống chính trị": "Không",
        }
    )
    row.update(changes)
    return list(row.values())


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _members_csv(place: Place) -> str:
    return _csv_text([HEADER, member_row(1, place), member_row(2, place)])


def _write_book(path: Path, sheet_xml: Callable[[zipfile.ZipFile], None]) -> None:
    """A minimal workbook whose one sheet `sheet_xml` writes, as the reader's tests build."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        sheet_xml(book)


def _header_xml() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'


def _bomb(path: Path, place: Place) -> None:
    def sheet(book: zipfile.ZipFile) -> None:
        with book.open(SHEET, "w") as part:
            part.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode())
            part.write(_header_xml().encode())
            for _block in range(BOMB_BLOCKS):
                part.write(BOMB_BLOCK)
            part.write(b"</sheetData></worksheet>")

    _write_book(path, sheet)


def _huge_dimension(path: Path, place: Place) -> None:
    row = "".join(
        f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(member_row(1, place))
        if v
    )
    xml = (
        f'<?xml version="1.0"?><worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>'
        f'{_header_xml()}<row r="2">{row}</row></sheetData></worksheet>'
    )
    _write_book(path, lambda book: book.writestr(SHEET, xml))


def _laughs(path: Path, place: Place) -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, LAUGHS)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet {NS}><sheetData>'
        f'{_header_xml()}<row r="2"><c r="B2" t="inlineStr"><is><t>&l{LAUGHS - 1};</t></is>'
        "</c></row></sheetData></worksheet>"
    )
    _write_book(path, lambda book: book.writestr(SHEET, xml))


def _cp1258(path: Path, place: Place) -> None:
    path.write_bytes(_members_csv(place).encode("cp1258", "replace"))


def _utf16(path: Path, place: Place) -> None:
    path.write_bytes(_members_csv(place).encode("utf-16"))


def _xls(path: Path, place: Place) -> None:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4088))


def _ods(path: Path, place: Place) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0"><office:body><office:spreadsheet/></office:body>'
            "</office:document-content>",
        )


def _empty(path: Path, place: Place) -> None:
    path.write_bytes(b"")


def _title_only(path: Path, place: Place) -> None:
    path.write_text("DANH SÁCH ĐẢNG VIÊN CHI BỘ\n", encoding="utf-8")


def _duplicate_header(path: Path, place: Place) -> None:
    rows = [[*HEADER, "Họ và tên"], [*member_row(1, place), "Trần Thị Hai"]]
    path.write_text(_csv_text(rows), encoding="utf-8")


def _faulty_rows(path: Path, place: Place) -> None:
    faults = {
        "Ngày sinh": "31/02/1980",
        "Giới tính": "Không rõ",
        "Mã chi bộ": "KHONG-CO-CHI-BO",
        "Ngày vào Đảng": "hôm qua",
    }
    rows = [HEADER, *(member_row(n, place, **faults, **{"Họ và tên": ""}) for n in range(3))]
    path.write_text(_csv_text(rows), encoding="utf-8")


def _valid_book(path: Path, place: Place) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Đảng viên")
    for r, row in enumerate([HEADER, *(member_row(n, place) for n in range(200))]):
        sheet.write_row(r, 0, row)
    book.close()


def _truncated(path: Path, place: Place) -> None:
    _valid_book(path, place)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def _not_zip(path: Path, place: Place) -> None:
    path.write_text(_members_csv(place), encoding="utf-8")


def _short_types(path: Path, place: Place) -> None:
    header = [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại",
        "Mã đơn vị cấp trên",
        "Loại hình",
        "Ngày thành lập",
    ]
    rows = [
        [f"XT{n:05d}", f"Đảng bộ xã Thử {n}", "Đảng bộ cơ sở", place.district, "Xã", "01/01/1990"]
        for n in range(UNITS_ROWS)
    ]
    path.write_text(_csv_text([header, *rows]), encoding="utf-8")


def _merged_title(path: Path, place: Place) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Đảng viên")
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "DANH SÁCH ĐẢNG VIÊN")
    sheet.merge_range(1, 0, 1, len(HEADER) - 1, "Chi bộ thử")
    for r, row in enumerate([HEADER, member_row(1, place), member_row(2, place)], start=2):
        sheet.write_row(r, 0, row)
    book.close()


def _merged_rows(path: Path, place: Place) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Đảng viên")
    for r, row in enumerate([HEADER, member_row(1, place), member_row(2, place)]):
        sheet.write_row(r, 0, row)
    sheet.merge_range(1, 5, 2, 5, place.cell)  # one cell code for both members
    book.close()


def _long_line(path: Path, place: Place) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(",".join(HEADER) + "\n")
        f.write("DVTC00001," + "x" * LONG_LINE)


def _binary(path: Path, place: Place) -> None:
    path.write_bytes(",".join(HEADER).encode() + b"\n" + bytes(range(256)) * 16)
