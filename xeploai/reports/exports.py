"""A report as the files offices keep: `.xlsx` (figures as numbers), `.docx` and `.pdf` (a
titled statistical report with the unit, cycle, date, tables and charts). Every format prints
the same tables (tables.py) and charts (charts.py) from the same data (data.py) as the page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
from typing import Any

import xlsxwriter
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table as WordTable

from xeploai.core.text import printable
from xeploai.formats_safe import WORKBOOK_OPTIONS, text_style, write_text

from .tables import Percent, Table, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CONTENT_TYPES = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF}


def title(data: dict[str, Any]) -> str:
    return _("Kết quả đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {year}").format(
        year=data["cycle"]["year"]
    )


def dated(data: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(data["date"])
    return _("ngày {d:02d} tháng {m:02d} năm {y}").format(d=day.day, m=day.month, y=day.year)


def context(data: dict[str, Any], *, with_charts: bool = True) -> dict[str, Any]:
    """What the page and the PDF print; the page fetches its charts after it shows."""
    return {
        "data": data,
        "title": title(data),
        "dated": dated(data),
        "tables": tables(data),
        "charts": chart_svgs(data) if with_charts else [],
    }


def digest(data: dict[str, Any]) -> str:
    """A fingerprint of the report's figures in the language shown, whatever day it is read:
    what a chart or a kept file of the same report can be served again for."""
    figures = {k: v for k, v in data.items() if k != "date"}
    figures["language"] = translation.get_language()
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()


def chart_svgs(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's charts as SVG, drawn once for the same figures (a day in the cache)."""
    from . import charts  # loads matplotlib: only when a chart is drawn

    key = f"report-charts:{charts.VERSION}:{digest(data)}"
    drawn: list[tuple[str, str]] | None = cache.get(key)
    if drawn is None:
        drawn = [(name, charts.svg(figure)) for name, figure in charts.charts(data)]
        cache.set(key, drawn, timeout=24 * 3600)
    return drawn


def pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    page = context(data)
    # Charts as images: each keeps its own styles and element ids.
    page["charts"] = [
        (name, "data:image/svg+xml;base64," + base64.b64encode(chart.encode()).decode())
        for name, chart in page["charts"]
    ]
    html = render_to_string("reports/print.html", {**page, "for_print": True})
    out: bytes = HTML(string=html).write_pdf()
    return out


def xlsx(data: dict[str, Any]) -> bytes:
    """Figures as numbers; every text (names of units among them) as a string cell, never a
    formula, with Excel's quote prefix where a spreadsheet would compute it."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **WORKBOOK_OPTIONS})
    bold = text_style(book, bold=True)
    plain = text_style(book)
    heading = text_style(book, bold=True, text_wrap=True, valign="top", border=1)
    number = book.add_format({"num_format": "#,##0", "border": 1})
    percent = book.add_format({"num_format": "0." + "0" * data["decimals"] + "%", "border": 1})
    text = text_style(book, border=1)
    cover = book.add_worksheet(_("Thông tin"))
    cover.set_column(0, 0, 100)
    lines = [
        data["superior"].upper(),
        data["unit"]["name"].upper(),
        "",
        _("BÁO CÁO THỐNG KÊ"),
        title(data),
        _("Đơn vị: {name} (mã {code})").format(**data["unit"]),
        _("Kỳ đánh giá: {name}").format(name=data["cycle"]["name"]),
        _("Lập {dated}").format(dated=dated(data)),
        _("Số liệu khớp.") if data["reconciled"] else _("SỐ LIỆU KHÔNG KHỚP:"),
        *data["problems"],
    ]
    for i, line in enumerate(lines):
        write_text(cover, i, 0, line, bold if 3 <= i <= 4 else plain)
    for table in tables(data):
        sheet = book.add_worksheet(table.sheet[:31])
        write_text(sheet, 0, 0, table.title, bold)
        if table.note:
            write_text(sheet, 1, 0, table.note, plain)
        sheet.set_row(2, 45)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(table.headers) - 1, 11)
        for c, header in enumerate(table.headers):
            write_text(sheet, 2, c, header, heading)
        for r, row in enumerate(table.rows, start=3):
            for c, cell in enumerate(row):
                if isinstance(cell, Percent):
                    sheet.write_number(r, c, cell.value, percent)
                elif isinstance(cell, int):
                    sheet.write_number(r, c, cell, number)
                else:
                    write_text(sheet, r, c, cell, text)
        sheet.freeze_panes(3, 1)
    book.close()
    return out.getvalue()


def docx(data: dict[str, Any]) -> bytes:
    """The report as a Word document; its texts with what prints nothing taken out, which
    Word cannot read (python-docx refuses to write it)."""
    data = _printable(data)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    _letterhead(document, data)
    for line, size in ((_("BÁO CÁO THỐNG KÊ"), 14), (title(data), 12)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold, run.font.size = True, Pt(size)
    document.add_paragraph(_("Kỳ đánh giá: {name}").format(name=data["cycle"]["name"]))
    document.add_paragraph(
        _("Số liệu khớp.") if data["reconciled"] else _("SỐ LIỆU KHÔNG KHỚP:")
    ).runs[0].bold = not data["reconciled"]
    for problem in data["problems"]:
        document.add_paragraph(problem, style="List Bullet")
    from . import charts  # loads matplotlib: only when a chart is drawn

    figures = list(charts.charts(data))
    for i, table in enumerate(tables(data), start=1):
        document.add_heading(f"{i}. {table.title}", level=2)
        if table.note:
            document.add_paragraph(table.note)
        _word_table(document, table)
        if table.key == "members":
            for name, figure in figures:
                document.add_paragraph(name).runs[0].italic = True
                _picture(document, charts.png(figure))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _printable(value: Any) -> Any:
    """The report's data with each text printable (xeploai.core.text.printable)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _picture(document: Any, image: bytes) -> None:
    """A chart at the size it was drawn, made smaller where it would not fit on a page."""
    shape = document.add_picture(io.BytesIO(image))
    page = document.sections[-1]
    across = page.page_width - page.left_margin - page.right_margin
    down = (page.page_height - page.top_margin - page.bottom_margin) * 0.9  # and its title
    scale = min(1.0, across / shape.width, down / shape.height)
    shape.width, shape.height = int(shape.width * scale), int(shape.height * scale)


def _letterhead(document: Any, data: dict[str, Any]) -> None:
    """The party office's heading: the unit and its superior left, the Party right, then the
    place and date."""
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.paragraphs[0].add_run(data["superior"].upper())
    left.add_paragraph().add_run(data["unit"]["name"].upper()).bold = True
    right.paragraphs[0].add_run(_("ĐẢNG CỘNG SẢN VIỆT NAM")).bold = True
    right.add_paragraph().add_run(dated(data).capitalize()).italic = True
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _word_table(document: Any, table: Table) -> None:
    word: WordTable = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(word.rows[0].cells, table.headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold, run.font.size = True, Pt(7)
    for line, (total, row) in zip(word.rows[1:], table.printed(), strict=True):
        for cell, (value, figure) in zip(line.cells, row, strict=True):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.bold, run.font.size = total, Pt(7)
            if figure:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
