"""The tables every format prints: ranks of a distribution with their own shares, the unit's
own part only where it has something, and figures printed the Vietnamese way."""

from __future__ import annotations

from xeploai.reports.tables import Percent, printed, ranks
from xeploai.rules import Level


def block(levels: dict[Level, int], labels: list[tuple[str, int, int]]) -> dict[str, object]:
    return {
        "levels": {level.name: {"count": levels.get(level, 0), "percent": "-"} for level in Level},
        "labels": [{"label": w, "ordinal": o, "count": n, "percent": "-"} for w, o, n in labels],
    }


def test_labels_of_one_rank_share_one_percentage_adding_up_to_100() -> None:
    legacy = [
        ("Trong sạch vững mạnh", 1, 1),
        ("Trong sạch vững mạnh tiêu biểu", 1, 1),
        ("Hoàn thành tốt nhiệm vụ", 2, 4),
    ]
    found = ranks(block({}, legacy), 1)
    assert [(r["label"], r["count"], r["percent"]) for r in found] == [
        ("Trong sạch vững mạnh; Trong sạch vững mạnh tiêu biểu", 2, "33,3 %"),
        ("Hoàn thành tốt nhiệm vụ", 4, "66,7 %"),  # its own words, not the level (R34)
        ("", 0, "0,0 %"),
        ("", 0, "0,0 %"),
    ]


def test_a_current_year_is_ranked_by_its_levels() -> None:
    found = ranks(block({Level.EXCELLENT: 1, Level.GOOD: 2}, []), 2)
    assert [(r["label"], r["percent"]) for r in found][:2] == [
        ("Hoàn thành xuất sắc nhiệm vụ", "33,33 %"),
        ("Hoàn thành tốt nhiệm vụ", "66,67 %"),
    ]


def test_figures_are_printed_the_vietnamese_way() -> None:
    assert printed(5299) == "5.299"
    assert printed("2017") == "2017"
    assert printed(Percent("92,8 %")) == "92,8 %"
    assert str(Percent("92,8 %").value) == "0.928"
