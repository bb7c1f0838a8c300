"""What the review's pages and reports read of the superior's hand: the points a subject has
still to explain, the released suggestions about an evaluation with their explanations (the
partial `oversight/_points.html`), and how many reviews a superior attended or directed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from xeploai.accounts.models import Role, User
from xeploai.accounts.policy import POWERS, Power
from xeploai.cycles.models import Cycle, UnitEvaluation
from xeploai.units.models import Unit

from .access import UNIT_WRITERS, is_open, may_explain, sent_to
from .models import (
    SUBJECT_FIELDS,
    Attendance,
    AttendanceKind,
    Evaluation,
    Point,
    Suggestion,
    subject_field,
)


def unexplained(evaluation: Evaluation) -> int:
    """How many points of the released suggestions about `evaluation` have no explanation yet:
    its self-review or report is not submitted while any remains."""
    field = subject_field(evaluation)
    return Point.objects.filter(
        **{f"suggestion__{field}": evaluation},
        suggestion__released__isnull=False,
        explanation__isnull=True,
    ).count()


# --- The partial shown on the review's pages ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Item:
    """A released suggestion, its points (each with its explanation, `Point.answer`), and
    whether the reader writes the explanations."""

    suggestion: Suggestion
    points: list[Point]
    may_explain: bool

    @property
    def unexplained(self) -> int:
        return sum(p.answer is None for p in self.points)


@dataclasses.dataclass(frozen=True)
class Panel:
    """The released suggestions about one evaluation that the reader may read."""

    items: list[Item] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def unexplained(self) -> int:
        return sum(item.unexplained for item in self.items)

    @property
    def may_explain(self) -> bool:
        return any(item.may_explain for item in self.items)


def panels(evaluations: Sequence[Evaluation], user: User | AnonymousUser) -> dict[int, Panel]:
    """Evaluation id → the panel of the released suggestions about it that `user` may read,
    for evaluations of one kind (members', or units'), in three queries whatever their number:
    the user's roles (once a request), the suggestions, their points with explanations."""
    if not evaluations:
        return {}
    field = subject_field(evaluations[0])
    points = Point.objects.select_related("explanation").order_by("number")
    suggestions = (
        Suggestion.objects.visible_to(user)
        .released()
        .filter(**{f"{field}__in": evaluations})
        .with_subjects()
        .select_related("cycle")
        .prefetch_related(Prefetch("points", queryset=points))
        .order_by("issued_on", "pk")
    )
    found: dict[int, list[Item]] = {}
    for s in suggestions:
        item = Item(s, list(s.points.all()), may_explain(user, s))
        found.setdefault(getattr(s, f"{field}_id"), []).append(item)
    return {pk: Panel(items) for pk, items in found.items()}


def load_points(evaluation: Evaluation, user: User | AnonymousUser) -> dict[str, Any]:
    """The context of `oversight/_points.html` for one evaluation's page: `oversight`, a
    `Panel`, empty for a reader who may not read any of it."""
    return {"oversight": panels([evaluation], user).get(evaluation.pk, Panel())}


# --- The home page ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OversightWork:
    """What waits on a user on the superior's side: suggestions sent to them, or to the
    collective of a unit their role is on, with points still to explain; the units in whose
    name they issue suggestions and record reviews attended or directed."""

    to_explain: list[Suggestion]  # each with `point_count` and `explained_count`
    units: list[Unit]

    def __bool__(self) -> bool:
        return bool(self.to_explain or self.units)


def oversight_work(user: User, cycle: Cycle, roles: Sequence[Role]) -> OversightWork:
    """The user's work in `cycle`, from the roles the home page has read (with their units),
    in one query."""
    units = {r.unit.pk: r.unit for r in roles if Power.OVERSEE in POWERS.get(r.kind, frozenset())}
    drafts = [r.unit_id for r in roles if POWERS.get(r.kind, frozenset()) & set(UNIT_WRITERS)]
    found = Suggestion.objects.released().filter(sent_to(user, drafts), cycle=cycle)
    found = found.with_subjects()
    found = found.select_related("cycle").order_by("released", "pk")
    to_explain = [
        s
        for s in with_counts(found)
        if s.explained_count < s.point_count and is_open(s.subject, cycle)  # type: ignore[attr-defined]
    ]
    return OversightWork(to_explain, sorted(units.values(), key=lambda u: u.path))


# --- The superior's list ---------------------------------------------------------------------


def with_counts(suggestions: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """Each suggestion with `point_count` and `explained_count`, counted in the same query."""
    return suggestions.annotate(
        point_count=Count("points", distinct=True),
        explained_count=Count("points__explanation", distinct=True),
    )


def issued_by(unit: Unit, cycle: Cycle) -> QuerySet[Suggestion]:
    """The suggestions `unit` issued in `cycle`, the newest first, with their counts."""
    found = Suggestion.objects.filter(superior=unit, cycle=cycle).with_subjects()
    return with_counts(found).order_by("-issued_on", "-pk")


@dataclasses.dataclass(frozen=True)
class Standing:
    """How many suggestions stand at each state: drafts, released and waiting for their
    explanations, released and explained in full."""

    drafts: int = 0
    released: int = 0
    explained: int = 0


def standing(suggestions: Sequence[Suggestion]) -> Standing:
    """The states of suggestions read with `issued_by`."""
    drafts = sum(not s.is_released for s in suggestions)
    explained = sum(
        s.is_released and s.explained_count >= s.point_count  # type: ignore[attr-defined]
        for s in suggestions
    )
    return Standing(drafts, len(suggestions) - drafts - explained, explained)


# --- Reviews attended and directed -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AttendanceCounts:
    """Distinct reviews a superior's subtree directed through a working group, and attended
    besides those it directed: collectives (organisations and leadership collectives) and
    individuals."""

    directed_collectives: int = 0
    directed_individuals: int = 0
    attended_collectives: int = 0
    attended_individuals: int = 0


def attendance_counts(unit: Unit, cycle: Cycle) -> AttendanceCounts:
    """The reviews of `cycle` attended or directed by `unit` and the units below it, in one
    query. A review both directed and attended counts once, as directed."""
    fields = list(SUBJECT_FIELDS.values())
    rows = (
        Attendance.objects.filter(cycle=cycle, superior__path__startswith=unit.path)
        .values_list("kind", *fields)
        .distinct()
    )
    directed: set[tuple[str, int]] = set()
    attended: set[tuple[str, int]] = set()
    for kind, *keys in rows:
        subject = next((f, k) for f, k in zip(fields, keys, strict=True) if k is not None)
        (directed if kind == AttendanceKind.DIRECTED else attended).add(subject)
    attended -= directed
    collective = SUBJECT_FIELDS[UnitEvaluation]

    def split(subjects: set[tuple[str, int]]) -> tuple[int, int]:
        collectives = sum(f == collective for f, _k in subjects)
        return collectives, len(subjects) - collectives

    return AttendanceCounts(*split(directed), *split(attended))


def attendance_words(counts: AttendanceCounts) -> str:
    """The counts as a report phrases them: "thành lập tổ công tác chỉ đạo kiểm điểm 9 tập
    thể, 9 cá nhân; dự kiểm điểm 9 tập thể khác và 1 cá nhân". Nouns take no plural in
    Vietnamese; a part that counts nothing is left out."""
    clauses = []
    directed = _subjects(counts.directed_collectives, counts.directed_individuals)
    if directed:
        subjects = ", ".join(directed)
        clauses.append(
            _("thành lập tổ công tác chỉ đạo kiểm điểm {subjects}").format(subjects=subjects)
        )
    attended = _subjects(counts.attended_collectives, counts.attended_individuals)
    if attended:
        if directed:  # "khác": besides those directed
            attended[0] = _("{subjects} khác").format(subjects=attended[0])
        subjects = _(" và ").join(attended)
        clauses.append(_("dự kiểm điểm {subjects}").format(subjects=subjects))
    return "; ".join(clauses) or _("chưa ghi nhận cuộc kiểm điểm nào được dự hoặc chỉ đạo")


def _subjects(collectives: int, individuals: int) -> list[str]:
    parts = []
    if collectives:
        parts.append(_("{n} tập thể").format(n=number_format(collectives, force_grouping=True)))
    if individuals:
        parts.append(_("{n} cá nhân").format(n=number_format(individuals, force_grouping=True)))
    return parts
