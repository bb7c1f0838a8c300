"""The signals as an .xlsx sheet: one row each, as the page and the JSON list them. Every
text, what members wrote among it, is a string cell, never a formula."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from xeploai.formats_safe import WORKBOOK_OPTIONS, text_style, write_text

from .signals import KINDS, Signal


def xlsx(found: list[Signal]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **WORKBOOK_OPTIONS})
    heading = text_style(book, bold=True, border=1)
    text = text_style(book, border=1, text_wrap=True, valign="top")
    score = book.add_format({"num_format": "0.000", "border": 1, "valign": "top"})
    sheet = book.add_worksheet(_("Dấu hiệu cần xem lại"))
    headers = (_("Loại"), _("Mã"), _("Mức"), _("Lý do"), _("Liên quan"), _("Năm"))
    for c, header in enumerate(headers):
        write_text(sheet, 0, c, header, heading)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 16)
    sheet.set_column(3, 3, 80)
    sheet.set_column(4, 5, 14)
    for r, signal in enumerate(found, start=1):
        write_text(sheet, r, 0, str(KINDS[signal.kind]), text)
        write_text(sheet, r, 1, signal.subject, text)
        sheet.write_number(r, 2, signal.score, score)
        write_text(sheet, r, 3, signal.text, text)
        write_text(sheet, r, 4, str(signal.evidence.get("other", "")), text)
        write_text(sheet, r, 5, str(signal.evidence.get("year", "")), text)
    book.close()
    return out.getvalue()
