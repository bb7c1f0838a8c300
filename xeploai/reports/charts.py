"""A report's charts, drawn once from its data (data.py) by matplotlib: SVG for the page and
the PDF, PNG for the Word document. Every chart names the four ranks alike: by their levels
under current rules, by their labels' own words in a year of earlier rules (R34).

Drawn at about a phone's width, each name above its bar and the bars across the whole width:
a phone shrinks them little and their text stays legible; a larger screen shows them at the
size they were drawn."""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from xeploai.rules import Level, Regime

from .percent import parse
from .tables import printed, ranks

matplotlib.use("Agg")  # no screen; figures are only ever written to files

VERSION = 2  # part of the cache key of drawn charts (exports.chart_svgs): raise it on a change
COLOURS = ("#b71c1c", "#ef6c00", "#fbc02d", "#757575")  # ranks 1-4
EARLIER_RULES = "////"  # hatching of the years classified under earlier rules
WIDTH = 4.6  # inches (442 CSS pixels): a 390-pixel phone shows an 11-point text at 12 pixels
NAME_WIDTH = 48  # characters of a name on one line above its bar
ROW = 0.5  # inches from a bar to the next, its name's line between them
BAR = 0.45  # of a row
EXTRA_LINE = 0.4  # of a row: a name's second line
ROWS_PER_CHART = 15  # children in one chart: more would print too small on one page
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "hatch.color": "white",
    "hatch.linewidth": 1.5,
}


def charts(data: dict[str, Any]) -> Iterator[tuple[str, Figure]]:
    """(title, figure) for each chart the report has data for."""
    if data["members"]["classified"]:
        yield _("Cơ cấu xếp loại đảng viên"), _levels(data)
    shown = [c for c in data["children"] if c["members"]["classified"]]
    parts = [shown[i : i + ROWS_PER_CHART] for i in range(0, len(shown), ROWS_PER_CHART)]
    for i, part in enumerate(parts, start=1):
        title = _("Xếp loại đảng viên theo đơn vị trực thuộc")
        yield title + (f" ({i}/{len(parts)})" if len(parts) > 1 else ""), _children(data, part)
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


def _figure(height: float) -> Figure:
    with _style():
        return Figure(figsize=(WIDTH, height), layout="constrained")


def _level_names() -> list[str]:
    return [Level(rank).label for rank in range(1, 5)]


def _rank_names(regime: str, block: dict[str, Any], decimals: int) -> list[str]:
    """Each rank's name, the same for the four of them: its level's under current rules, the
    labels' own words under earlier ones (R34); empty for a rank no such label has."""
    if regime != Regime.LEGACY:
        return _level_names()
    return [r["label"] for r in ranks(block, decimals)]


def _wrapped(name: str) -> list[str]:
    return textwrap.wrap(name, NAME_WIDTH) or [name]


def _rows(names: Sequence[str]) -> list[float]:
    """Where each bar goes, in rows from the top, leaving room above it for its name."""
    found, y = [], 0.0
    for name in names:
        y += EXTRA_LINE * (len(_wrapped(name)) - 1)
        found.append(y)
        y += 1
    return found


def _named_bars(ax: Axes, names: Sequence[str]) -> list[float]:
    """The rows of bars named above them: their places, the names written, the axis set."""
    rows = _rows(names)
    for y, name in zip(rows, names, strict=True):
        ax.annotate(
            "\n".join(_wrapped(name)),
            (0, y - BAR / 2),
            xycoords=("axes fraction", "data"),
            va="bottom",
        )
    ax.set_ylim(rows[-1] + 0.5, -(1 - BAR / 2))
    ax.set_yticks([])
    return rows


def _height(names: Sequence[str]) -> float:
    """Inches for the rows of bars named above them."""
    return ROW * (_rows(names)[-1] + 1)


def _levels(data: dict[str, Any]) -> Figure:
    found = ranks(data, data["decimals"])
    names = _rank_names(data["cycle"]["regime"], data, data["decimals"])
    shown = [rank for rank in range(4) if names[rank]]
    figure = _figure(0.2 + _height([names[rank] for rank in shown]))
    with _style():
        ax = figure.subplots()
        rows = _named_bars(ax, [names[rank] for rank in shown])
        counts = [found[rank]["count"] for rank in shown]
        bars = ax.barh(rows, counts, height=BAR, color=[COLOURS[rank] for rank in shown])
        values = [f"{printed(found[rank]['count'])} ({found[rank]['percent']})" for rank in shown]
        ax.bar_label(bars, labels=values, padding=4)
        ax.set_xlim(0, max(counts) * 1.45 or 1)
        ax.spines[:].set_visible(False)
        ax.set_xticks([])
    return figure


def _shares(block: dict[str, Any], decimals: int) -> list[float]:
    return [float(parse(r["percent"])) for r in ranks(block, decimals)]


def _legend(names: Sequence[str], hatch: str = "") -> list[Patch]:
    return [
        Patch(facecolor=COLOURS[rank], hatch=hatch, label="\n".join(_wrapped(name)))
        for rank, name in enumerate(names)
        if name
    ]


def _children(data: dict[str, Any], shown: list[dict[str, Any]]) -> Figure:
    """Bars of 100 %, one per child, split by rank, each child's name above its bar."""
    decimals = data["decimals"]
    names = [_("Đảng viên trực tiếp") if c["own"] else c["unit"]["name"] for c in shown]
    figure = _figure(1.6 + _height(names))
    with _style():
        ax = figure.subplots()
        rows = _named_bars(ax, names)
        left = [0.0] * len(shown)
        shares = [_shares(c, decimals) for c in shown]
        for rank in range(4):
            part = [s[rank] for s in shares]
            ax.barh(rows, part, left=left, height=BAR, color=COLOURS[rank])
            left = [a + b for a, b in zip(left, part, strict=True)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
        ax.spines[["top", "right", "left"]].set_visible(False)
        handles = _legend(_rank_names(data["cycle"]["regime"], data, decimals))
        figure.legend(handles=handles, loc="outside upper left", frameon=False)
    return figure


def _years(data: dict[str, Any]) -> Figure:
    """Bars of 100 %, one per year, split by rank; the years of earlier rules hatched, their
    labels in their own words in the legend (R34)."""
    years, decimals = data["trend"], data["decimals"]
    figure = _figure(5)
    with _style():
        ax = figure.subplots()
        names = [str(y["year"]) for y in years]
        bottom = [0.0] * len(years)
        shares = [_shares(y, decimals) for y in years]
        hatches = [EARLIER_RULES if y["regime"] == Regime.LEGACY else "" for y in years]
        for rank in range(4):
            part = [s[rank] for s in shares]
            ax.bar(names, part, bottom=bottom, color=COLOURS[rank], hatch=hatches)
            bottom = [a + b for a, b in zip(bottom, part, strict=True)]
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.spines[["top", "right"]].set_visible(False)
        if len(years) > 6:
            ax.tick_params(axis="x", labelrotation=90)
        figure.legend(handles=_year_legend(years), loc="outside upper left", frameon=False)
    return figure


def _year_legend(years: list[dict[str, Any]]) -> list[Patch]:
    """The levels, when a year is of current rules; then each label of earlier rules."""
    handles = []
    if any(y["regime"] != Regime.LEGACY for y in years):
        handles += _legend(_level_names())
    earlier: list[list[str]] = [[], [], [], []]
    for year in (y for y in years if y["regime"] == Regime.LEGACY):
        for label in year["labels"]:
            if label["count"] and label["label"] not in earlier[label["ordinal"] - 1]:
                earlier[label["ordinal"] - 1].append(label["label"])
    return handles + _legend(["; ".join(n) for n in earlier], EARLIER_RULES)
