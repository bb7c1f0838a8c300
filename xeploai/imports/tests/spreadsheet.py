"""An .xlsx file's cells as a spreadsheet program would take them: text, formula, or text
shown with Excel's quote prefix (the tests of exports against formula injection)."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

from defusedxml import ElementTree

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel writes a control character


@dataclasses.dataclass(frozen=True)
class Cell:
    text: str  # a number's as written in the file
    formula: bool  # computed by the spreadsheet when opened
    quote_prefix: bool  # shown and kept as text, even once edited
    number: bool = False


def cells(content: bytes) -> list[Cell]:
    """Every non-empty cell of every sheet of the workbook."""
    book = zipfile.ZipFile(io.BytesIO(content))
    strings = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        strings = ["".join(t.text or "" for t in si.iter(f"{NS}t")) for si in root]
    styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    xfs = styles.find(f"{NS}cellXfs")
    prefixed = [xf.get("quotePrefix") == "1" for xf in (xfs if xfs is not None else [])]
    found = []
    for name in book.namelist():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        for c in ElementTree.fromstring(book.read(name)).iter(f"{NS}c"):
            v, f = c.find(f"{NS}v"), c.find(f"{NS}f")
            kind = c.get("t", "n")
            if kind == "s" and v is not None:
                text = strings[int(v.text or "0")]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{NS}t"))
            else:
                text = (f.text if f is not None else v.text if v is not None else "") or ""
            text = _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
            found.append(
                Cell(text, f is not None, prefixed[int(c.get("s", "0"))], kind == "n" and f is None)
            )
    return found
