"""A report as plain text, for the terminal: the same tables as every other format."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .exports import title
from .tables import tables


def render(data: dict[str, Any]) -> str:
    lines = [
        _("{title} — {unit}").format(title=title(data), unit=data["unit"]["name"]),
        _("Số liệu khớp.") if data["reconciled"] else _("SỐ LIỆU KHÔNG KHỚP:"),
        *(f"  {p}" for p in data["problems"]),
    ]
    for i, table in enumerate(tables(data), start=1):
        printed = [(False, [(h, False) for h in table.headers]), *table.printed()]
        widths = [max(len(row[c][0]) for _total, row in printed) for c in range(len(table.headers))]
        lines += ["", f"{i}. {table.title}"]
        if table.note:
            lines.append(table.note)
        for _total, row in printed:
            cells = [
                text.rjust(w) if figure else text.ljust(w)
                for (text, figure), w in zip(row, widths, strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
