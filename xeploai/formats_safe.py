"""Text cells that no spreadsheet takes for a formula (OWASP, "CSV injection").

A name typed as `=HYPERLINK("http://…")` or `+1+cmd|' /C calc'!A0` is only text to this
system, but a spreadsheet opening an exported file would compute it: a link that sends data
away, a command run on the office's computer. Exports therefore write such text so that it
stays text: in a .csv file with a single quote before it, as OWASP advises; in an .xlsx file
as a string cell with Excel's own quote prefix (the value unchanged, kept as text even when
the cell is edited), never as a formula. The importer takes the quote off again, so that what
was exported imports back as it was.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP's list), and the
# full-width signs an East Asian keyboard types, which some of them read the same way.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
QUOTE = "'"
# Every workbook an export writes: text is never turned into a formula or a link.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read the text as a formula: a formula sign first, also
    after spaces (which spreadsheets skip)."""
    return text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS


def quoted(text: str) -> str:
    """The text as a .csv cell: a quote before it when it would be read as a formula, or
    would lose its own quote on the way back in (`'=1` is written `''=1`)."""
    return QUOTE + text if _quotable(text) else text


def unquoted(value: object) -> object:
    """A cell as read from a file: the quote `quoted` added taken off again; anything else,
    a number, a date or another text, as it is."""
    if isinstance(value, str) and value[:1] == QUOTE and _quotable(value[1:]):
        return value[1:]
    return value


def _quotable(text: str) -> bool:
    return formula_like(text.lstrip(QUOTE))


@dataclasses.dataclass(frozen=True)
class TextStyle:
    """A cell format, and the same with Excel's quote prefix for formula-like text."""

    plain: Any  # XlsxWriter's Format (untyped), or None
    prefixed: Any


def text_style(book: Any, **properties: object) -> TextStyle:
    """A format of the workbook `book` (XlsxWriter), and its quote-prefixed twin."""
    return TextStyle(
        book.add_format(properties) if properties else None,
        book.add_format({**properties, "quote_prefix": True}),
    )


def write_text(sheet: Any, row: int, col: int, text: str, style: TextStyle) -> None:
    """Write a string cell, never a formula; formula-like text gets the quote prefix."""
    sheet.write_string(row, col, text, style.prefixed if formula_like(text) else style.plain)
