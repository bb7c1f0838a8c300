"""What an import found: the rows refused, with row, column and a Vietnamese message."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _


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
        """The refused rows as a spreadsheet an office can work through."""
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet(_("Lỗi"))
        bold = book.add_format({"bold": True})
        for col, title in enumerate((_("Dòng"), _("Cột"), _("Lỗi"))):
            sheet.write(0, col, title, bold)
        for n, error in enumerate(self.errors, start=1):
            sheet.write_number(n, 0, error.row)
            sheet.write(n, 1, error.column)
            sheet.write(n, 2, error.message)
        if self.error_count > len(self.errors):
            more = _("… và {n} lỗi nữa: sửa các lỗi trên rồi nhập lại để xem tiếp.")
            sheet.write(len(self.errors) + 1, 2, more.format(n=self.error_count - len(self.errors)))
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 2, 80)
        book.close()
