"""A report's charts, drawn once from its data (data.py) by matplotlib: SVG for the page and
the PDF, PNG for the Word document. Ranks, not levels, on the axes: a year of earlier rules
shows its own labels (R34)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from xeploai.rules import Level

from .percent import parse
from .tables import ranks

matplotlib.use("Agg")  # no screen; figures are only ever written to files

COLOURS = ("#b71c1c", "#ef6c00", "#fbc02d", "#757575")  # ranks 1-4
STYLE: dict[str, Any] = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}


def charts(data: dict[str, Any]) -> Iterator[tuple[str, Figure]]:
    """(title, figure) for each chart the report has data for."""
    if data["members"]["classified"]:
        yield _("Cơ cấu xếp loại đảng viên"), _levels(data)
    if any(c["members"]["classified"] for c in data["children"]):
        yield _("Xếp loại đảng viên theo đơn vị trực thuộc"), _children(data)
    if len(data["trend"]) > 1:
        yield _("Xếp loại đảng viên qua các năm"), _years(data)


def _style() -> contextlib.AbstractContextManager[Any]:
    return matplotlib.rc_context(STYLE)  # type: ignore[arg-type]  # the stubs list every key


def svg(figure: Figure) -> str:
    with _style():
        out = io.StringIO()
        figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg") :]  # without the XML prolog, to sit inside a page


def png(figure: Figure) -> bytes:
    with _style():
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def _figure(width: float, height: float) -> Figure:
    with _style():
        return Figure(figsize=(width, height), layout="constrained")


def _levels(data: dict[str, Any]) -> Figure:
    found = ranks(data, data["decimals"])
    figure = _figure(7, 2.6)
    with _style():
        ax = figure.subplots()
        names = [r["label"] or Level(i + 1).short for i, r in enumerate(found)]
        counts = [r["count"] for r in found]
        bars = ax.barh(names[::-1], counts[::-1], color=COLOURS[::-1])
        ax.bar_label(bars, labels=[f"{r['count']} ({r['percent']})" for r in found][::-1])
        ax.set_xlabel(_("Số đảng viên"))
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.2)
    return figure


def _stacked(
    figure: Figure,
    names: list[str],
    blocks: list[dict[str, Any]],
    decimals: int,
    *,
    horizontal: bool,
) -> None:
    """Bars of 100 %, one per name, split by rank."""
    with _style():
        ax = figure.subplots()
        left = [0.0] * len(names)
        for rank in range(4):
            shares = [float(parse(ranks(b, decimals)[rank]["percent"])) for b in blocks]
            label = _("Hạng {n}").format(n=rank + 1)
            if horizontal:
                ax.barh(names, shares, left=left, color=COLOURS[rank], label=label)
            else:
                ax.bar(names, shares, bottom=left, color=COLOURS[rank], label=label)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        (ax.set_xlabel if horizontal else ax.set_ylabel)("%")
        if horizontal:
            ax.invert_yaxis()
        figure.legend(loc="outside lower center", ncols=4, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)


def _children(data: dict[str, Any]) -> Figure:
    shown = [c for c in data["children"] if c["members"]["classified"]]
    names = [_("Đảng viên trực tiếp") if c["own"] else c["unit"]["name"] for c in shown]
    figure = _figure(7, 1.2 + 0.22 * len(shown))
    _stacked(figure, names, shown, data["decimals"], horizontal=True)
    return figure


def _years(data: dict[str, Any]) -> Figure:
    years = data["trend"]
    figure = _figure(7, 3.4)
    names = [str(y["year"]) for y in years]
    _stacked(figure, names, years, data["decimals"], horizontal=False)
    return figure
