"""Documents offices print and sign: the minutes (biên bản) of a cell's review meeting.

The layout is a Word template with Jinja tags (docxtpl), so that an office can adapt it in
Word without touching the code.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from docxtpl import DocxTemplate

from xeploai.core.db import vietnamese
from xeploai.cycles.models import Level, MemberEvaluation

from .models import Meeting
from .rules import grassroots_of

TEMPLATES = Path(__file__).with_name("documents")
SHORT = {1: "HTXSNV", 2: "HTTNV", 3: "HTNV", 4: "KHTNV"}


def minutes(meeting: Meeting) -> bytes:
    """The meeting's minutes as a .docx, with each member's conclusion, vote and proposal."""
    template = DocxTemplate(TEMPLATES / "bien_ban_hop_kiem_diem.docx")
    template.render(_minutes_context(meeting))
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _minutes_context(meeting: Meeting) -> dict[str, Any]:
    cell, cycle = meeting.cell, meeting.cycle
    evaluations = (
        MemberEvaluation.objects.filter(cycle=cycle, cell=cell, proposal__meeting=meeting)
        .select_related("member", "proposal")
        .order_by(vietnamese("member__full_name"))
    )
    members = []
    for e in evaluations:
        votes = {int(k): n for k, n in e.proposal.votes.items()}
        members.append(
            {
                "name": e.member.full_name,
                "self_level": e.get_level_self_display() or "—",
                "comments": e.proposal.comments or _("không có ý kiến khác"),
                "conclusion": e.proposal.conclusion,
                "votes": "; ".join(
                    f"{Level(level).label}: {votes[level]}"
                    for level in sorted(votes)
                    if votes[level]
                ),
                "vote_counts": " / ".join(str(votes.get(level, 0)) for level in SHORT),
                "level": e.proposal.get_level_display(),
                "note": "",
            }
        )
    day, grassroots = meeting.held_on, grassroots_of(cell)
    return {
        "grassroots_upper": grassroots.name.upper(),
        "cell_upper": cell.name.upper(),
        "cell": cell.name,
        # "Đảng bộ xã Hoa Thành" → "Xã Hoa Thành": where the minutes are dated.
        "place": _place(grassroots.name),
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}",
        "year": day.year,
        "held_on": day.strftime("%d/%m/%Y"),
        "cycle_year": cycle.year,
        "regime": cycle.get_regime_display(),
        "chair": meeting.chair,
        "minutes_taker": meeting.minutes_taker or "…",
        "summoned": meeting.summoned,
        "present": meeting.present,
        "absent": meeting.summoned - meeting.present,
        "absences": meeting.absences,
        "ballot": _(" (bỏ phiếu kín)") if meeting.secret_ballot else "",
        "members": members,
    }


def _place(name: str) -> str:
    for prefix in ("Đảng bộ ", "Chi bộ "):
        name = name.removeprefix(prefix)
    return name[:1].upper() + name[1:]
