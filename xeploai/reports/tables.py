"""A report's tables, laid out as a party office's statistical report: the one layout the
page, the spreadsheet, the Word document and the PDF all print, built from the report's data
(data.py) and nothing else, so that every format shows the same figures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from xeploai.cycles.models import RegimeChoice, Status
from xeploai.reviews.models import Action
from xeploai.rules import Level

from .percent import parse, shares, vietnamese
from .stats import GRASSROOTS


@dataclasses.dataclass(frozen=True)
class Percent:
    """A printed share ("92,8 %"); a spreadsheet stores it as the number it shows."""

    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def value(self) -> Decimal:
        return parse(self.text) / 100


Cell = int | str | Percent


@dataclasses.dataclass
class Table:
    key: str
    sheet: str  # its short name: a spreadsheet's tab (at most 31 characters)
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    total_rows: int = 1  # the first rows are the whole subtree's, printed in bold
    sums: frozenset[int] = frozenset()  # further rows that add up others, in bold too
    note: str = ""  # a sentence printed under the title, saying the figures in words

    def printed(self) -> list[tuple[bool, list[tuple[str, bool]]]]:
        """Each row as printed: whether it is a total, then each cell's text and whether it
        is a figure (set to the right)."""
        return [
            (
                i < self.total_rows or i in self.sums,
                [(printed(cell), not isinstance(cell, str)) for cell in row],
            )
            for i, row in enumerate(self.rows)
        ]


def printed(cell: Cell) -> str:
    """A cell as the reports print it: whole numbers grouped by dots ("5.299")."""
    return f"{cell:,}".replace(",", ".") if isinstance(cell, int) else str(cell)


_STATUS_HEADERS = ("total", "exempt", "pending", "not_classified_new", "classified")


def tables(data: dict[str, Any]) -> list[Table]:
    found = [_members(data), _labels(data), _reasons(data), _kinds(data)]
    found += [t for t in (_organisations(data, kind) for kind in data["units"]) if t is not None]
    found += [_unit_labels(data), _leaders(data), _leader_posts(data)]
    found += [_quota(data), _state(data), _changes(data), _oversight(data)]
    found += _trends(data)
    return [t for t in found if t.rows]


def _status_headers(organisations: bool = False, leaders: bool = False) -> list[str]:
    """A member is too new to classify when admitted lately (R4), an organisation when
    founded lately (R5); a leader is not classified for other reasons (R3)."""
    if leaders:
        not_classified = _("Không xếp loại")
    elif organisations:
        not_classified = _("Không xếp loại (mới thành lập)")
    else:
        not_classified = _("Không xếp loại (mới kết nạp)")
    return [
        _("Tổng số"),
        _("Miễn đánh giá"),
        _("Chưa đánh giá"),
        not_classified,
        _("Đã xếp loại"),
    ]


def _level_headers(exemplary: bool = False) -> list[str]:
    """Each level's count and share; with `exemplary`, how many EXCELLENT organisations are
    "tiêu biểu" (R38) beside them."""
    headers = []
    for level in Level:
        headers += [
            _("{level}: số lượng").format(level=level.short),
            _("{level}: %").format(level=level.short),
        ]
        if exemplary and level == Level.EXCELLENT:
            headers.append(_("{level}: trong đó tiêu biểu").format(level=level.short))
    return headers


def _statuses(counts: dict[str, Any]) -> list[Cell]:
    return [counts[k] for k in _STATUS_HEADERS]


def _levels(block: dict[str, Any], exemplary: bool = False) -> list[Cell]:
    cells: list[Cell] = []
    for level in Level:
        figure = block["levels"][level.name]
        cells += [figure["count"], Percent(figure["percent"])]
        if exemplary and level == Level.EXCELLENT:
            cells.append(figure["exemplary"])
    return cells


def _any_exemplary(blocks: Iterable[dict[str, Any]]) -> bool:
    """Whether any of these organisations' blocks has an exemplary EXCELLENT result: only
    then do its tables print the column."""
    return any(b["levels"][Level.EXCELLENT.name].get("exemplary", 0) for b in blocks)


def _rows(data: dict[str, Any], own: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """The whole subtree, then each direct child and the unit's own part, named `own`."""
    yield _("Tổng cộng: {unit}").format(unit=data["unit"]["name"]), data
    for child in data["children"]:
        yield (own if child["own"] else child["unit"]["name"]), child


def _member_rows(data: dict[str, Any], key: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """The rows of a table of members: the unit's own part only when it has members."""
    for i, (name, block) in enumerate(_rows(data, _("Đảng viên trực tiếp"))):
        counts = block[key]["members"] if key else block["members"]
        if i == 0 or not block.get("own") or counts["total"]:
            yield name, block


def _members(data: dict[str, Any]) -> Table:
    headers = [
        _("Đơn vị"),
        *_status_headers()[:1],
        _("Chính thức"),
        _("Dự bị"),
        *_status_headers()[1:],
        *_level_headers(),
        _("HTTNV trở lên: số lượng"),
        _("HTTNV trở lên: %"),
    ]
    rows = []
    for name, block in _member_rows(data, ""):
        m = block["members"]
        rows.append(
            [
                name,
                m["total"],
                m["full"],
                m["probationary"],
                *_statuses(m)[1:],
                *_levels(block),
                m["good_or_better"],
                Percent(m["good_or_better_percent"]),
            ]
        )
    return Table("members", _("Đảng viên"), _("Xếp loại đảng viên"), headers, rows)


def _labels(data: dict[str, Any]) -> Table:
    """Results imported under earlier rules: their own words and rank, never a level (R34)."""
    rows: list[list[Cell]] = []
    for name, block in _member_rows(data, ""):
        for label in block["labels"]:
            rows.append(
                [name, label["label"], label["ordinal"], label["count"], Percent(label["percent"])]
            )
    headers = [_("Đơn vị"), _("Kết quả (tên gọi gốc)"), _("Hạng"), _("Số lượng"), _("Tỷ lệ")]
    title = _("Kết quả xếp loại theo quy định trước đây (giữ nguyên tên gọi)")
    whole = len(data["labels"])
    return Table("labels", _("Kết quả theo quy định cũ"), title, headers, rows, total_rows=whole)


def _reasons(data: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = []
    for status, key in ((Status.EXEMPT, "exempt_by_reason"), (Status.PENDING, "pending_by_reason")):
        for reason, n in data["members"][key].items():
            rows.append([str(status.label), reason or _("(không ghi lý do)"), n])
    headers = [_("Tình trạng"), _("Lý do"), _("Số lượng")]
    title = _("Đảng viên miễn đánh giá, chưa đánh giá, theo lý do")
    return Table("reasons", _("Miễn, chưa đánh giá"), title, headers, rows, total_rows=0)


def _kinds(data: dict[str, Any]) -> Table:
    """The subtree's organisations, a row per kind that has any; the grassroots organisations
    together (TCCSĐ) right after their two kinds, in bold: the figure offices report."""
    shown = [(kind, block) for kind, block in data["units"].items() if block["total"]]
    exemplary = _any_exemplary(block for _kind, block in shown)
    rows = [
        [block["label"], *_statuses(block), *_levels(block, exemplary)] for _kind, block in shown
    ]
    sums = frozenset(i for i, (kind, _block) in enumerate(shown) if kind == GRASSROOTS)
    headers = [_("Loại tổ chức"), *_status_headers(True), *_level_headers(exemplary)]
    title = _("Xếp loại tổ chức đảng theo loại tổ chức")
    return Table("units", _("Tổ chức đảng"), title, headers, rows, total_rows=0, sums=sums)


def _organisations(data: dict[str, Any], kind: str) -> Table | None:
    whole = data["units"][kind]
    if not whole["total"]:
        return None
    exemplary = _any_exemplary([whole])
    rows = [
        [name, *_statuses(block["units"][kind]), *_levels(block["units"][kind], exemplary)]
        for i, (name, block) in enumerate(_rows(data, data["unit"]["name"]))
        if i == 0 or block["units"][kind]["total"]  # children that have units of this kind
    ]
    headers = [_("Đơn vị"), *_status_headers(True), *_level_headers(exemplary)]
    title = _("Xếp loại tổ chức đảng: {kind}").format(kind=whole["label"])
    return Table(f"units-{kind}", whole["label"][:31], title, headers, rows)


def _unit_labels(data: dict[str, Any]) -> Table:
    """Organisations' results imported under earlier rules, by kind: their own words and rank
    (R34), the exemplary ones counted inside their rank's plain label and told apart."""
    rows: list[list[Cell]] = []
    sums = set()
    for kind, whole in data["units"].items():
        if not whole["labels"]:
            continue
        for i, (name, block) in enumerate(_rows(data, data["unit"]["name"])):
            for label in block["units"][kind]["labels"]:
                if i == 0:
                    sums.add(len(rows))
                rows.append(
                    [
                        name,
                        whole["label"],
                        label["label"],
                        label["ordinal"],
                        label["count"],
                        Percent(label["percent"]),
                        label["exemplary"],
                    ]
                )
    headers = [
        _("Đơn vị"),
        _("Loại tổ chức"),
        _("Kết quả (tên gọi gốc)"),
        _("Hạng"),
        _("Số lượng"),
        _("Tỷ lệ"),
        _("Trong đó tiêu biểu"),
    ]
    title = _("Kết quả xếp loại tổ chức đảng theo quy định trước đây (giữ nguyên tên gọi)")
    sheet = _("Tổ chức đảng theo quy định cũ")
    return Table("unit-labels", sheet, title, headers, rows, total_rows=0, sums=frozenset(sums))


def _leader_headers() -> list[str]:
    """Leaders by their level as leaders, with the same people's level as members beside:
    how many at each level, and how many not classified as members (yet)."""
    as_members = [_("Xếp loại đảng viên: {level}").format(level=level.short) for level in Level]
    return [
        *_status_headers(leaders=True),
        *_level_headers(),
        *as_members,
        _("Xếp loại đảng viên: chưa có kết quả"),
    ]


def _leader_cells(block: dict[str, Any]) -> list[Cell]:
    members = block["as_members"]
    levels = [members["levels"][level.name]["count"] for level in Level]
    ranked = sum(levels) + sum(label["count"] for label in members["labels"])
    return [
        *_statuses(block["members"]),
        *_levels(block),
        *levels,
        members["members"]["total"] - ranked,
    ]


def _leaders(data: dict[str, Any]) -> Table:
    """Leaders classified at posts under the unit (R32), by their level as leaders; none
    where nobody was reviewed as a leader in the cycle (earlier years, imported)."""
    title = _("Xếp loại cán bộ lãnh đạo, quản lý (mức xếp loại đảng viên bên cạnh)")
    headers = [_("Đơn vị"), *_leader_headers()]
    if data["leaders"] is None or not data["leaders"]["members"]["total"]:
        return Table("leaders", _("Cán bộ lãnh đạo"), title, headers, [])
    # The leaders at posts of the unit itself under its own name, as its own organisation.
    rows = [
        [name, *_leader_cells(block["leaders"])]
        for i, (name, block) in enumerate(_rows(data, data["unit"]["name"]))
        if i == 0 or not block["own"] or block["leaders"]["members"]["total"]
    ]
    return Table("leaders", _("Cán bộ lãnh đạo"), title, headers, rows)


def _leader_posts(data: dict[str, Any]) -> Table:
    """The same leaders by the level of their post's unit, each level's sum in bold above
    its tiers: heads, deputies, members of the collective."""
    title = _("Xếp loại cán bộ lãnh đạo, quản lý theo cấp và vị trí chức vụ")
    headers = [_("Cấp"), _("Vị trí"), *_leader_headers()]
    if data["leaders"] is None or not data["leaders"]["members"]["total"]:
        return Table("leader-posts", _("Cán bộ theo cấp"), title, headers, [])
    whole = _("Tổng cộng: {unit}").format(unit=data["unit"]["name"])
    rows: list[list[Cell]] = [[whole, "", *_leader_cells(data["leaders"])]]
    sums = set()
    for level in data["leader_posts"]:
        sums.add(len(rows))
        rows.append([level["label"], _("Tất cả"), *_leader_cells(level["leaders"])])
        rows += [
            [level["label"], tier["label"], *_leader_cells(tier["leaders"])]
            for tier in level["tiers"]
        ]
    return Table("leader-posts", _("Cán bộ theo cấp"), title, headers, rows, sums=frozenset(sums))


def _quota(data: dict[str, Any]) -> Table:
    headers = [
        _("Mã"),
        _("Đối tượng"),
        _("Nhóm"),
        _("HTTNV"),
        _("HTXSNV"),
        _("HTXSNV được tối đa"),
        _("Vượt"),
        _("Ngoại lệ (số quyết định)"),
    ]
    subjects = {
        "members": _("Đảng viên"),
        "units": _("Tổ chức, tập thể"),
        "leaders": _("Cán bộ lãnh đạo, quản lý"),
    }
    rows: list[list[Cell]] = [
        [
            g["group"],
            subjects[g["subject"]],
            g["name"],
            g["good"],
            g["excellent"],
            g["allowed"],
            g["breach"],
            ", ".join(g["exceptions"]),
        ]
        for g in data["quota_groups"]
    ]
    title = _("Tỷ lệ hoàn thành xuất sắc nhiệm vụ theo nhóm (vượt tỷ lệ trước)")
    return Table("quota", _("Tỷ lệ xuất sắc"), title, headers, rows, total_rows=0)


def _state(data: dict[str, Any]) -> Table:
    headers = [
        _("Mã"),
        _("Đơn vị"),
        _("Công chức, viên chức"),
        _("Đã có kết quả đánh giá công chức"),
        _("HTXSNV (đánh giá công chức)"),
        _("Tỷ lệ"),
        _("Đảng viên đã xếp loại"),
        _("HTXSNV (xếp loại đảng viên)"),
        _("Tỷ lệ"),
        _("Tỷ lệ công chức cao hơn"),
    ]
    rows: list[list[Cell]] = [
        [
            r["group"],
            r["name"],
            r["civil_servants"],
            r["rated"],
            r["state_excellent"],
            _percent(r["state_share"]),
            r["classified"],
            r["party_excellent"],
            _percent(r["party_share"]),
            _("Có") if r["exceeds"] else "",
        ]
        for r in data.get("state_shares", [])
    ]
    title = _(
        "Tỷ lệ công chức, viên chức hoàn thành xuất sắc nhiệm vụ so với tỷ lệ đảng viên"
        " hoàn thành xuất sắc nhiệm vụ, theo đơn vị (cao hơn trước)"
    )
    return Table("state", _("Công chức xuất sắc"), title, headers, rows, total_rows=0)


def _percent(text: str) -> Cell:
    return Percent(text) if text.endswith("%") else text


def _changes(data: dict[str, Any]) -> Table:
    headers = [
        _("Cấp điều chỉnh"),
        _("Bước"),
        _("Từ mức"),
        _("Thành mức"),
        _("Số kết quả"),
        _("Lý do"),
    ]
    changes = data["changes"]
    rows: list[list[Cell]] = [
        [
            r["unit"]["name"],
            str(Action(r["action"]).label),
            Level[r["from"]].label,
            Level[r["to"]].label,
            r["count"],
            "; ".join(r["reasons"]),
        ]
        for r in changes["rows"]
    ]
    if rows:
        rows.insert(
            0, [_("Tổng số kết quả đã thay đổi"), "", "", "", changes["results_changed"], ""]
        )
    title = _("Kết quả được cấp trên quyết định, thẩm định khác với đề xuất")
    return Table("changes", _("Cấp trên điều chỉnh"), title, headers, rows)


def _oversight(data: dict[str, Any]) -> Table:
    """The reviews of the level below that the subtree's committees directed or attended, and
    the suggestions they sent, under the sentence a written report uses; no rows where none
    is recorded (earlier years among them)."""
    found = data.get("oversight") or {}
    rows: list[list[Cell]] = [
        [name, found[key]["collectives"], found[key]["individuals"], sum(found[key].values())]
        for key, name in (
            ("directed", _("Thành lập tổ công tác chỉ đạo kiểm điểm")),
            ("attended", _("Dự kiểm điểm (ngoài các cuộc đã chỉ đạo)")),
            ("suggestions", _("Được gợi ý kiểm điểm")),
            ("points", _("Vấn đề gợi ý")),
            ("explained", _("Vấn đề đã giải trình")),
        )
        if found
    ]
    headers = [_("Nội dung"), _("Tập thể"), _("Cá nhân"), _("Tổng số")]
    title = _("Cấp ủy dự, chỉ đạo kiểm điểm và gợi ý kiểm điểm cấp dưới")
    return Table(
        "oversight",
        _("Dự, chỉ đạo, gợi ý kiểm điểm"),
        title,
        headers,
        rows if any(row[-1] for row in rows) else [],
        total_rows=0,
        note=found.get("text", ""),
    )


def _trends(data: dict[str, Any]) -> list[Table]:
    """Each year by rank: a level of current rules is its own rank; a label of earlier rules
    keeps its words beside its rank (R34)."""
    found = []
    for key, sheet, title, part in (
        ("trend-members", _("Đảng viên qua các năm"), _("Xếp loại đảng viên qua các năm"), None),
        (
            "trend-units",
            _("Tổ chức đảng qua các năm"),
            _("Xếp loại tổ chức đảng qua các năm"),
            "organisations",
        ),
    ):
        headers = [_("Năm"), _("Quy định"), _("Tổng số"), _("Đã xếp loại")]
        for ordinal in range(1, 5):
            headers += [_("Hạng {n}").format(n=ordinal), _("Số lượng"), "%"]
        rows: list[list[Cell]] = []
        for year in data["trend"]:
            block = year[part] if part else year
            if not block["members"]["total"]:
                continue
            row: list[Cell] = [
                str(year["year"]),
                str(RegimeChoice(year["regime"]).label),
                block["members"]["total"],
                block["members"]["classified"],
            ]
            for rank in ranks(block, data["decimals"]):
                row += [rank["label"], rank["count"], Percent(rank["percent"])]
            rows.append(row)
        found.append(Table(key, sheet, title, headers, rows, total_rows=0))
    return found


def ranks(block: dict[str, Any], decimals: int) -> list[dict[str, Any]]:
    """The four ranks of a distribution: the level's name under current rules, the labels'
    own words under earlier ones, and each rank's share (adding up to exactly 100). Where
    organisations are "tiêu biểu", each name says how many."""
    names, counts = [], []
    for ordinal in range(1, 5):
        level = block["levels"][Level(ordinal).name]
        labels = [x for x in block["labels"] if x["ordinal"] == ordinal]
        named = [(str(Level(ordinal).label), level)] * bool(level["count"])
        named += [(x["label"], x) for x in labels]
        names.append([_exemplary(name, figure) for name, figure in named])
        counts.append(level["count"] + sum(x["count"] for x in labels))
    return [
        {"label": "; ".join(n), "count": c, "percent": vietnamese(share, decimals)}
        for n, c, share in zip(names, counts, shares(counts, decimals), strict=True)
    ]


def _exemplary(name: str, figure: dict[str, Any]) -> str:
    """A rank's name, with how many of it are exemplary when any are."""
    if not figure.get("exemplary"):
        return name
    return _("{name} (trong đó {n} tiêu biểu)").format(name=name, n=printed(figure["exemplary"]))
