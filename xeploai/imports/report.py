"""What an import found: the rows refused, with row, column and a Vietnamese message."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from xeploai.formats_safe import WORKBOOK_OPTIONS, text_style, write_text


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # 0 for a problem of the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Dòng {row}").format(row=self.row) if self.row else _("Tệp")
        return (
            _("{where}, cột “{column}”: {message}").format(
                where=where, column=self.column, message=self.message
            )
            if self.column
            else f"{where}: {self.message}"
        )


MAX_ERRORS = 10_000  # kept and shown; beyond it only counted


@dataclasses.dataclass
class Report:
    errors: list[RowError] = dataclasses.field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def add(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def summary(self) -> str:
        return (
            _("{created} dòng thêm mới, {updated} dòng cập nhật, {unchanged} dòng không đổi.")
        ).format(created=self.created, updated=self.updated, unchanged=self.unchanged)

    def write_xlsx(self, path: Path) -> None:
        path.write_bytes(self.xlsx())

    def xlsx(self) -> bytes:
        """The refused rows as a spreadsheet an office can work through; built in memory (at
        most MAX_ERRORS rows), so that no copy is left on the server's disk. A message may
        quote a cell of the file: it is written as text, never as a formula."""
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, **WORKBOOK_OPTIONS})
        sheet = book.add_worksheet(_("Lỗi"))
        bold = text_style(book, bold=True)
        text = text_style(book)
        for col, title in enumerate((_("Dòng"), _("Cột"), _("Lỗi"))):
            write_text(sheet, 0, col, title, bold)
        for n, error in enumerate(self.errors, start=1):
            sheet.write_number(n, 0, error.row)
            write_text(sheet, n, 1, error.column, text)
            write_text(sheet, n, 2, error.message, text)
        if self.error_count > len(self.errors):
            more = _("… và {n} lỗi nữa: sửa các lỗi trên rồi nhập lại để xem tiếp.")
            n = self.error_count - len(self.errors)
            write_text(sheet, len(self.errors) + 1, 2, more.format(n=n), text)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 2, 80)
        book.close()
        return out.getvalue()
