"""The superior's hand in a unit's yearly report (DOMAIN.md 4): the reviews of the level below
that the unit and the units below it directed through a working group (chỉ đạo kiểm điểm) or
attended (dự kiểm điểm), and the members and collectives they sent a suggestion to (gợi ý
kiểm điểm), with its points and how many of them are explained. A suggestion not yet released
is confidential to those who oversee its issuer (S2): a report never counts it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from xeploai.cycles.models import Cycle, UnitEvaluation
from xeploai.oversight.models import SUBJECT_FIELDS, Suggestion
from xeploai.oversight.rules import attendance_counts, attendance_words, with_counts
from xeploai.units.models import Unit

# A suggestion or a review is a collective's when it is about a unit's evaluation (an
# organisation or a leadership collective); any other subject is an individual's.
COLLECTIVE = SUBJECT_FIELDS[UnitEvaluation]
SIDES = ("collectives", "individuals")


def oversight(unit: Unit, cycle: Cycle) -> dict[str, Any]:
    """The report's `oversight`, in two queries: the reviews attended or directed (each once,
    as directed when both), then the released suggestions with their points."""
    reviews = attendance_counts(unit, cycle)
    found = {
        "directed": _pair(reviews.directed_collectives, reviews.directed_individuals),
        "attended": _pair(reviews.attended_collectives, reviews.attended_individuals),
        **_suggestions(unit, cycle),
    }
    return {**found, "text": _words(found, attendance_words(reviews))}


def _pair(collectives: int, individuals: int) -> dict[str, int]:
    return {"collectives": collectives, "individuals": individuals}


def _suggestions(unit: Unit, cycle: Cycle) -> dict[str, dict[str, int]]:
    """The subjects the released suggestions of the subtree are about (each once, however many
    of its superiors wrote to it), their points and the points explained."""
    fields = list(SUBJECT_FIELDS.values())
    released = Suggestion.objects.released().filter(
        cycle=cycle, superior__path__startswith=unit.path
    )
    rows = with_counts(released).values_list(*fields, "point_count", "explained_count")
    subjects: set[tuple[str, int]] = set()
    points: Counter[str] = Counter()
    explained: Counter[str] = Counter()
    for *keys, point_count, explained_count in rows:
        subject = next((f, k) for f, k in zip(fields, keys, strict=True) if k is not None)
        subjects.add(subject)
        side = "collectives" if subject[0] == COLLECTIVE else "individuals"
        points[side] += point_count
        explained[side] += explained_count
    collectives = sum(field == COLLECTIVE for field, _key in subjects)
    return {
        "suggestions": _pair(collectives, len(subjects) - collectives),
        "points": {side: points[side] for side in SIDES},
        "explained": {side: explained[side] for side in SIDES},
    }


def _words(found: dict[str, dict[str, int]], reviews: str) -> str:
    """The sentence a report writes: the reviews attended or directed as the superior's page
    phrases them, then the suggestions: "…; gợi ý kiểm điểm đối với 2 tập thể, 5 cá nhân
    (18 vấn đề, đã giải trình 16)."."""
    counted = [
        text.format(n=number_format(found["suggestions"][side], force_grouping=True))
        for side, text in zip(SIDES, (_("{n} tập thể"), _("{n} cá nhân")), strict=True)
        if found["suggestions"][side]
    ]
    clauses = [reviews]
    if counted:
        clauses.append(
            _(
                "gợi ý kiểm điểm đối với {subjects} ({points} vấn đề, đã giải trình {explained})"
            ).format(
                subjects=", ".join(counted),
                points=number_format(sum(found["points"].values()), force_grouping=True),
                explained=number_format(sum(found["explained"].values()), force_grouping=True),
            )
        )
    return capfirst("; ".join(clauses)) + "."
