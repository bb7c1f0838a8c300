"""The personas' district with the 2026 cycle open in the commune, a standing committee, and
quick ways to issue, send and answer suggestions, for the tests of this app."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from xeploai.accounts.models import RoleKind, User
from xeploai.core.testing import Personas, make_cycle, make_personas, make_user
from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.oversight import actions
from xeploai.oversight.models import Attendance, AttendanceKind, Evaluation, Suggestion
from xeploai.reviews import actions as reviews
from xeploai.units.models import Unit

POINTS = (
    "Việc chấp hành chế độ sinh hoạt chi bộ trong năm",
    "Trách nhiệm trong việc chậm hoàn thành chỉ tiêu được giao",
)
ISSUED_ON = dt.date(2026, 11, 2)


@dataclasses.dataclass
class Scene:
    """The personas (core.testing), and Thương of the district's standing committee, who
    oversees the whole district like Dũng of its organisation board."""

    p: Personas
    cycle: Cycle
    thuong: User
    an: MemberEvaluation  # An's evaluation, at her self-review
    cell_a: UnitEvaluation  # cell A as an organisation: Bình drafts its report
    cell_b: UnitEvaluation  # cell B: Em drafts its report
    commune: UnitEvaluation  # the commune's leadership collective: Chi drafts its report

    def users(self) -> dict[str, User | None]:
        return self.p.users(thuong=self.thuong)


def make_scene() -> Scene:
    p = make_personas()
    cycle = make_cycle(2026)
    thuong = make_user("thuong", roles=((RoleKind.STANDING_COMMITTEE, p.district),))
    reviews.open_cycle(p.commune, cycle=cycle, by=p.chi)
    units = UnitEvaluation.objects.filter(cycle=cycle).select_related("unit", "cycle")
    return Scene(
        p=p,
        cycle=cycle,
        thuong=thuong,
        an=MemberEvaluation.objects.select_related("member", "cycle").get(
            cycle=cycle, member=p.an_member
        ),
        cell_a=units.get(unit=p.cell_a),
        cell_b=units.get(unit=p.cell_b),
        commune=units.get(unit=p.commune, kind=UnitEvaluationKind.COLLECTIVE),
    )


def suggest(
    scene: Scene,
    subject: Evaluation,
    *,
    points: Sequence[str] = POINTS,
    by: User | None = None,
    superior: Unit | None = None,
    send: bool = False,
) -> Suggestion:
    """A suggestion of the district (Dũng's) to `subject`; sent if asked."""
    by = by or scene.p.dung
    suggestion = actions.issue_suggestion(
        superior or scene.p.district,
        cycle=scene.cycle,
        subject=subject,
        data=actions.SuggestionData(points=points, issued_on=ISSUED_ON, number="12-CV/HU"),
        by=by,
    )
    if send:
        suggestion = actions.release_suggestion(suggestion, by=by)
    return suggestion


def answer(suggestion: Suggestion, by: User, *texts: str) -> None:
    """Explain the suggestion's points in order with `texts`."""
    points = list(suggestion.points.order_by("number"))
    actions.explain(suggestion, texts={p.pk: t for p, t in zip(points, texts, strict=False)}, by=by)


def attend(
    scene: Scene,
    subject: Evaluation,
    kind: AttendanceKind = AttendanceKind.ATTENDED,
    *,
    superior: Unit | None = None,
    by: User | None = None,
) -> Attendance:
    return actions.record_attendance(
        superior or scene.p.district,
        cycle=scene.cycle,
        subject=subject,
        data=actions.AttendanceData(
            kind=kind,
            held_on=dt.date(2026, 11, 20),
            group="Nguyễn Văn Hùng — Phó Trưởng Ban Tổ chức Huyện ủy\nLê Thị Hoa — Chuyên viên",
            conclusions="Cuộc kiểm điểm nghiêm túc, đúng hướng dẫn.",
        ),
        by=by or scene.p.dung,
    )
