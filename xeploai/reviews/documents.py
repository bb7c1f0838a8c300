"""Documents offices print and sign: the minutes (biên bản) of a cell's review meeting.

The layout is a Word template with Jinja tags (docxtpl), so that an office can adapt it in
Word without touching the code.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from markupsafe import Markup, escape

from xeploai.core.db import vietnamese
from xeploai.core.text import printable
from xeploai.cycles.models import Level, MemberEvaluation

from .models import Meeting
from .rules import grassroots_of

TEMPLATES = Path(__file__).with_name("documents")
SHORT = {1: "HTXSNV", 2: "HTTNV", 3: "HTNV", 4: "KHTNV"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as a browser sends a text area's lines, or a file


def minutes(meeting: Meeting) -> bytes:
    """The meeting's minutes as a .docx, with each member's conclusion, vote and proposal.
    Every value is escaped (autoescape): what people typed is printed as typed, and never
    read as the document's own markup."""
    template = DocxTemplate(TEMPLATES / "bien_ban_hop_kiem_diem.docx")
    template.render(_minutes_context(meeting), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _text(value: object, *, lines: bool = False) -> Markup:
    """A typed value as the document's XML. What prints nothing is taken out: a control
    character makes the file unreadable to Word, and docxtpl turns a bell, a tab and a form
    feed into new paragraphs, tabs and pages. Line breaks are kept where `lines` (docxtpl
    writes each as a break in the same paragraph). Then the text is escaped, underscores
    too, so that docxtpl's own markers ("{_{", "%_}") typed in a value are not turned into
    "{{", "%}"."""
    text = str(value)
    parts = _LINE_BREAK.split(text) if lines else [text]
    escaped = str(escape("\n".join(printable(part) for part in parts)))
    return Markup(escaped.replace("_", "&#95;"))  # noqa: S704  (escaped just above)


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
                "name": _text(e.member.full_name),
                "self_level": _text(e.get_level_self_display() or "—"),
                "comments": _text(e.proposal.comments or _("không có ý kiến khác"), lines=True),
                "conclusion": _text(e.proposal.conclusion, lines=True),
                "votes": _text(
                    "; ".join(
                        f"{Level(level).label}: {votes[level]}"
                        for level in sorted(votes)
                        if votes[level]
                    )
                ),
                "vote_counts": " / ".join(str(votes.get(level, 0)) for level in SHORT),
                "level": _text(e.proposal.get_level_display()),
                "note": "",
            }
        )
    day, grassroots = meeting.held_on, grassroots_of(cell)
    return {
        "grassroots_upper": _text(grassroots.name.upper()),
        "cell_upper": _text(cell.name.upper()),
        "cell": _text(cell.name),
        # "Đảng bộ xã Hoa Thành" → "Xã Hoa Thành": where the minutes are dated.
        "place": _text(_place(grassroots.name)),
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}",
        "year": day.year,
        "held_on": day.strftime("%d/%m/%Y"),
        "cycle_year": cycle.year,
        "regime": _text(cycle.get_regime_display()),
        "chair": _text(meeting.chair),
        "minutes_taker": _text(meeting.minutes_taker or "…"),
        "summoned": meeting.summoned,
        "present": meeting.present,
        "absent": meeting.summoned - meeting.present,
        "absences": [
            {"name": _text(a.get("name", "")), "reason": _text(a.get("reason", ""))}
            for a in meeting.absences
        ],
        "ballot": _(" (bỏ phiếu kín)") if meeting.secret_ballot else "",
        "members": members,
    }


def _place(name: str) -> str:
    for prefix in ("Đảng bộ ", "Chi bộ "):
        name = name.removeprefix(prefix)
    return name[:1].upper() + name[1:]
