"""The superior's hand in the demo, done with the same actions the pages use: the board's
unit sends a member two points to explain, which the member explains, and directs the review
of the leadership collective above the member's cell through a working group; it also sends
the head of that collective a point about their review as a leader, still to explain.

The demo loader calls `seed(current_cycle, board=dung, member=an)` once its cycle is
advanced; the member's review must still be open (before the decision)."""

from __future__ import annotations

import datetime as dt

from xeploai.accounts.models import User
from xeploai.accounts.policy import POWERS, Power
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    MemberEvaluation,
    UnitEvaluation,
    UnitEvaluationKind,
)

from . import actions
from .access import OPEN_STEPS
from .models import AttendanceKind, Suggestion

POINTS = (
    "Việc thực hiện những điều đảng viên không được làm trong quan hệ với doanh nghiệp"
    " trên địa bàn, theo phản ánh của Nhân dân nơi cư trú.",
    "Trách nhiệm cá nhân trong việc chậm giải quyết hồ sơ đất đai được giao năm {year}.",
)
EXPLANATIONS = (
    "Đồng chí không có quan hệ kinh tế với doanh nghiệp nào trên địa bàn; phản ánh đã được"
    " Ủy ban kiểm tra Đảng ủy xác minh, kết luận không có cơ sở.",
    "Có 3 hồ sơ chậm do thiếu giấy tờ của người dân; đồng chí nhận trách nhiệm chưa hướng dẫn"
    " kịp thời và đã khắc phục trong quý IV.",
)
HEAD_POINTS = (
    "Trách nhiệm của người đứng đầu trong việc để xảy ra chậm trễ thực hiện các chỉ tiêu"
    " phát triển kinh tế - xã hội năm {year} của xã.",
)
GROUP = (
    "{name} — Cán bộ Ban Tổ chức Huyện ủy",
    "Đại diện Ủy ban Kiểm tra Huyện ủy — thành viên tổ công tác",
)


def seed(cycle: Cycle, *, board: User, member: User) -> Suggestion:
    """Issue, send and explain one suggestion, and record one review directed; returns the
    suggestion."""
    overseeing = [kind for kind, powers in POWERS.items() if Power.OVERSEE in powers]
    role = board.roles.filter(kind__in=overseeing).select_related("unit").first()
    if role is None or member.member_id is None:
        raise ValueError("the demo's board must oversee a unit, its member be a member")
    superior = role.unit
    evaluation = MemberEvaluation.objects.select_related("member", "cycle", "cell").get(
        cycle=cycle, member_id=member.member_id
    )
    data = actions.SuggestionData(
        points=[p.format(year=cycle.year) for p in POINTS],
        issued_on=dt.date(cycle.year, 11, 2),
        number=f"{cycle.year % 100:02d}-CV/BTCHU",
    )
    suggestion = actions.issue_suggestion(
        superior, cycle=cycle, subject=evaluation, data=data, by=board
    )
    suggestion = actions.release_suggestion(suggestion, by=board)
    points = suggestion.points.order_by("number")
    texts = {p.pk: text for p, text in zip(points, EXPLANATIONS, strict=True)}
    actions.explain(suggestion, texts=texts, by=member)
    collective = _collective_above(evaluation)
    actions.record_attendance(
        superior,
        cycle=cycle,
        subject=collective,
        data=actions.AttendanceData(
            kind=AttendanceKind.DIRECTED,
            held_on=dt.date(cycle.year, 12, 5),
            group="\n".join(g.format(name=board.get_full_name() or board.username) for g in GROUP),
            conclusions="Hội nghị kiểm điểm nghiêm túc, đúng quy trình; tập thể và từng cá"
            " nhân nhận rõ hạn chế, có biện pháp khắc phục.",
        ),
        by=board,
    )
    head = _head_of(collective)
    if head is not None:
        data = actions.SuggestionData(
            points=[p.format(year=cycle.year) for p in HEAD_POINTS],
            issued_on=dt.date(cycle.year, 11, 3),
            number=f"{cycle.year % 100 + 1:02d}-CV/BTCHU",
        )
        to_head = actions.issue_suggestion(superior, cycle=cycle, subject=head, data=data, by=board)
        actions.release_suggestion(to_head, by=board)
    return suggestion


def _head_of(collective: UnitEvaluation) -> LeaderEvaluation | None:
    """The head of the collective's unit, in their review as a leader there, if it is open."""
    return (
        LeaderEvaluation.objects.filter(
            cycle=collective.cycle,
            unit=collective.unit,
            head=True,
            classified=True,
            step__in=OPEN_STEPS,
        )
        .select_related("member", "post", "unit", "cycle")
        .first()
    )


def _collective_above(evaluation: MemberEvaluation) -> UnitEvaluation:
    """The leadership collective nearest above the member's cell: the grassroots committee's,
    or the grassroots cell's own."""
    return (
        UnitEvaluation.objects.filter(
            cycle=evaluation.cycle,
            kind=UnitEvaluationKind.COLLECTIVE,
            unit__path__in=evaluation.cell.ancestor_paths(),
        )
        .select_related("unit", "cycle")
        .order_by("-unit__depth")
        .first()
    ) or _missing(evaluation)


def _missing(evaluation: MemberEvaluation) -> UnitEvaluation:
    raise LookupError(f"no leadership collective above {evaluation.cell} in {evaluation.cycle}")
