"""A report as plain text, for the terminal: the same figures as the JSON."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xeploai.rules import Level

_COLUMNS = ("total", "exempt", "pending", "not_classified_new", "classified")


def render(data: dict[str, Any]) -> str:
    headers = [
        _("Đơn vị"),
        _("Tổng số"),
        _("Miễn"),
        _("Chưa ĐG"),
        _("Không XL"),
        _("Đã XL"),
        *(level.short for level in Level),
    ]
    rows = [_row(data["unit"]["name"], data)]
    rows += [
        _row(("  " if not c["own"] else "  * ") + c["unit"]["name"], c) for c in data["children"]
    ]
    table: list[list[object]] = [list(headers), *rows]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(headers))]
    lines = [
        _("Thống kê xếp loại đảng viên — {unit} — {cycle}").format(
            unit=data["unit"]["name"], cycle=data["cycle"]["name"]
        ),
        "",
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        ),
    ]
    for r in rows:
        lines.append(
            "  ".join(
                str(v).ljust(w) if i == 0 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    for label in data["labels"]:
        lines.append(
            _("  Kết quả theo quy định cũ: {label} (hạng {ordinal}): {count} ({percent})").format(
                **label
            )
        )
    lines.append("")
    breaches = [g for g in data["quota_groups"] if g["breach"]]
    lines.append(
        _("Tỷ lệ xuất sắc: {n} nhóm, {breaches} nhóm vượt.").format(
            n=len(data["quota_groups"]), breaches=len(breaches)
        )
    )
    for g in breaches:
        lines.append(
            _("  {name}: {excellent} xuất sắc / được {allowed} (vượt {breach})").format(**g)
        )
    lines.append(_("Số liệu khớp.") if data["reconciled"] else _("SỐ LIỆU KHÔNG KHỚP:"))
    lines += [f"  {p}" for p in data["problems"]]
    return "\n".join(lines) + "\n"


def _row(name: str, block: dict[str, Any]) -> list[object]:
    members = block["members"]
    levels = [
        f"{block['levels'][level.name]['count']} ({block['levels'][level.name]['percent']})"
        for level in Level
    ]
    return [name, *(members[c] for c in _COLUMNS), *levels]
