"""The tally and its roll-ups checked against what they count, for a whole cycle at a time: on
a schedule (`xeploai tally --check`, docs/deploy.md), not in every report, whose cost must
grow with its subtree, not with the nation.

Per cell, sums of the evaluations themselves against the tally: how many, how many
classified, the sum of their levels and of the levels their quota counts, and for members how
many civil servants are in the review and how many of them have a state result, for
organisations how many are exemplary; per unit, the same in its roll-up against its
subtree's tally. The places that
differ are kept (`Mismatch`) until they are counted again, and the report of every unit
above them says so (R36). Each side is read in path order and compared as it streams, so the
memory used does not grow with the cycle."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Length, Substr

from xeploai.cycles.models import (
    Cycle,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import StateResult
from xeploai.units.models import SEGMENT

from .models import MEMBERS, Mismatch, Rollup, Tally
from .tally import LATEST, LEVEL, ORGANISATION_KINDS

ORGANISATIONS = "ORGANISATIONS"
MEASURES = ("total", "classified", "levels", "latest", "servants", "rated", "exemplary")
CHUNK = 5000
# As `Figures.add` counts them: classified, with a level or a rank, and marked exemplary.
_RANKED = Q(level__isnull=False) | Q(ordinal__isnull=False)
_EXEMPLARY = Q(status=Status.CLASSIFIED, exemplary=True)


def check(cycle: Cycle) -> list[Mismatch]:
    """Compare the cycle's tally with its evaluations and its roll-ups with its tally; keep
    and return the places that differ."""
    found = [
        *_differing(_tallied(cycle, MEMBERS), _live_members(cycle), cycle, MEMBERS),
        *_differing(
            _tallied(cycle, ORGANISATIONS), _live_organisations(cycle), cycle, ORGANISATIONS
        ),
    ]
    longest = Tally.objects.filter(cycle=cycle).aggregate(n=Coalesce(Max(Length("unit_path")), 0))
    for end in range(SEGMENT, longest["n"], SEGMENT):
        for subject in (MEMBERS, ORGANISATIONS):
            found += _differing(
                _rolled(cycle, subject, end),
                _tallied(cycle, subject, end),
                cycle,
                subject,
                kind=Mismatch.ROLLUP,
            )
    with transaction.atomic():
        Mismatch.objects.filter(cycle=cycle).delete()
        Mismatch.objects.bulk_create(found, batch_size=1000)
    return found


def _subject(subject: str) -> Q:
    return Q(subject=MEMBERS) if subject == MEMBERS else Q(subject__in=ORGANISATION_KINDS)


def _sums(subject: str) -> dict[str, Any]:
    sums: dict[str, Any] = {
        "total": Sum("n"),
        "classified": Coalesce(Sum("n", filter=Q(status=Status.CLASSIFIED)), 0),
        "levels": Coalesce(Sum(F("n") * F("level")), 0),
        "latest": Coalesce(Sum(F("n") * F("latest")), 0),
    }
    if subject == MEMBERS:
        sums["servants"] = Coalesce(Sum("n", filter=Q(servant=True)), 0)
        sums["rated"] = Coalesce(Sum("n", filter=Q(servant=True) & ~Q(state="")), 0)
    else:
        sums["exemplary"] = Coalesce(Sum("n", filter=_EXEMPLARY & _RANKED), 0)
    return sums


def _tallied(cycle: Cycle, subject: str, end: int | None = None) -> Iterator[dict[str, Any]]:
    """The tally's sums by cell or, with `end`, by the unit of that path length above it
    (what lies below the unit, as its roll-up counts)."""
    rows = Tally.objects.filter(_subject(subject), cycle=cycle)
    if end is None:
        return _streamed(rows.values(path=F("unit_path")), _sums(subject))
    rows = rows.alias(length=Length("unit_path")).filter(length__gt=end)
    return _streamed(rows.values(path=Substr("unit_path", 1, end)), _sums(subject))


def _rolled(cycle: Cycle, subject: str, end: int) -> Iterator[dict[str, Any]]:
    rows = Rollup.objects.filter(_subject(subject), cycle=cycle)
    rows = rows.alias(length=Length("unit_path")).filter(length=end)
    return _streamed(rows.values(path=F("unit_path")), _sums(subject))


def _live_members(cycle: Cycle) -> Iterator[dict[str, Any]]:
    rows = MemberEvaluation.objects.filter(cycle=cycle)
    servant = Q(member__civil_servant=True) & ~Q(step=Step.NOT_REVIEWED)
    rated = Exists(StateResult.objects.filter(member=OuterRef("member"), year=cycle.year))
    sums = {
        **_live_sums(exemplary=False),
        "servants": Count("id", filter=servant),
        "rated": Count("id", filter=servant & Q(rated)),
    }
    return _streamed(rows.values(path=F("unit_path")), sums)


def _live_organisations(cycle: Cycle) -> Iterator[dict[str, Any]]:
    rows = UnitEvaluation.objects.filter(
        cycle=cycle, kind=UnitEvaluationKind.ORGANISATION, unit__kind__in=ORGANISATION_KINDS
    )
    return _streamed(rows.values(path=F("unit_path")), _live_sums(exemplary=True))


def _live_sums(*, exemplary: bool) -> dict[str, Any]:
    sums: dict[str, Any] = {
        "total": Count("id"),
        "classified": Count("id", filter=Q(status=Status.CLASSIFIED)),
        "levels": Coalesce(Sum(LEVEL), 0),
        "latest": Coalesce(Sum(LATEST), 0),
    }
    if exemplary:
        ranked = Q(level_final__isnull=False) | Q(level_decided__isnull=False)
        ranked |= Q(ordinal__isnull=False)
        sums["exemplary"] = Count("id", filter=Q(status=Status.CLASSIFIED, exemplary=True) & ranked)
    return sums


def _streamed(rows: QuerySet[Any, Any], sums: dict[str, Any]) -> Iterator[dict[str, Any]]:
    streamed: Iterator[dict[str, Any]] = (
        rows.annotate(**sums).order_by("path").iterator(chunk_size=CHUNK)
    )
    return streamed


def _differing(
    counted: Iterable[dict[str, Any]],
    live: Iterable[dict[str, Any]],
    cycle: Cycle,
    subject: str,
    *,
    kind: str = Mismatch.EVALUATIONS,
) -> Iterator[Mismatch]:
    """The places where two streams of sums in path order differ (a place missing from one
    side counts nothing there)."""
    done = {"path": "\uffff"}  # after every path
    left, right = iter(counted), iter(live)
    a, b = next(left, done), next(right, done)
    while a is not done or b is not done:
        here = min(a["path"], b["path"])
        mine = a if a["path"] == here else {}
        theirs = b if b["path"] == here else {}
        measures = [m for m in MEASURES if m in mine or m in theirs]
        sums = {m: mine.get(m, 0) for m in measures}, {m: theirs.get(m, 0) for m in measures}
        if sums[0] != sums[1]:
            yield Mismatch(
                cycle=cycle,
                unit_path=here,
                subject=subject,
                found=kind,
                counted=sums[0],
                live=sums[1],
            )
        if mine:
            a = next(left, done)
        if theirs:
            b = next(right, done)
