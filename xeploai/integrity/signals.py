"""The signals of a unit's subtree in one cycle: where its results deserve a second look, and
why. Each is `{kind, subject, score, text, evidence}` (docs/integrity-json.md), the text one
Vietnamese sentence, the strongest first.

Texts are compared within each grassroots unit, section by section: this year's
self-reviews of its members with one another and with every earlier self-review of the same
members (wherever they were then), so that the cost follows the grassroots units, never the
pairs of the subtree's members, and memory holds one unit's texts at a time."""

from __future__ import annotations

import collections
import dataclasses
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.models import Cycle
from xeploai.reports.percent import vietnamese
from xeploai.reviews.models import SECTIONS, FollowUp, SelfReview, UnitSelfReview
from xeploai.units.models import GRASSROOTS_KINDS, Unit

from . import texts

T = TypeVar("T")

COPIED_TEXT = "copied_text"
EVASIVE_TEXT = "evasive_text"
INFLATION = "inflation"
QUOTA_CEILING = "quota_ceiling"
SELF_INFLATION = "self_inflation"
APPRAISAL_CHANGES = "appraisal_changes"
INCONSISTENT = "inconsistent"
KINDS = {
    COPIED_TEXT: gettext_lazy("Bản kiểm điểm giống bản khác"),
    EVASIVE_TEXT: gettext_lazy("Tự phê bình né tránh"),
    INFLATION: gettext_lazy("Tỷ lệ xếp loại cao bất thường"),
    QUOTA_CEILING: gettext_lazy("Luôn sát mức tối đa"),
    SELF_INFLATION: gettext_lazy("Tự xếp loại cao hơn quy định"),
    APPRAISAL_CHANGES: gettext_lazy("Kết quả bị cấp trên điều chỉnh"),
    INCONSISTENT: gettext_lazy("Kết quả trái quy định"),
}  # each kind as an officer reads it
# A subtree of this many grassroots units or more has its texts compared in other processes,
# at most this many, each unit's while this many others' are read.
PARALLEL_FROM = 50
MAX_PROCESSES = 2
IN_FLIGHT = 8
# The sections compared for copies; the weakness sections are also judged for evasion.
COMPARED = tuple(SECTIONS)
WEAKNESS = "weaknesses"
# The evidence that tells two signals of the same kind and subject apart.
IDENTITY = ("section", "other", "year", "subjects", "measure", "against", "rule", "report")


@dataclasses.dataclass(frozen=True)
class Signal:
    kind: str
    subject: str  # the member's or the unit's code
    score: float  # 0-1: how strongly it calls for a second look
    text: str  # why, in one sentence
    evidence: dict[str, Any]
    unit_path: str = ""  # where the subject stood that year: the member's cell, or the unit
    name: str = ""  # the subject's name, as a page shows it

    @property
    def key(self) -> str:
        """What makes it the same signal when the subtree is analysed again."""
        parts = [self.kind, self.subject, *(str(self.evidence.get(k, "")) for k in IDENTITY)]
        return ":".join(parts)

    def as_json(self) -> dict[str, Any]:
        """As docs/integrity-json.md lists it."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "score": self.score,
            "text": self.text,
            "evidence": self.evidence,
        }


@dataclasses.dataclass(frozen=True)
class _Review:
    """One self-review, as compared: whose, which year, its sections."""

    code: str  # the member's code, or the unit's
    name: str
    year: int
    cell_path: str  # where it was written: the member's cell, or the unit
    sections: dict[str, str]
    order: tuple[Any, ...]  # when it was given: earlier years first, then by submission
    collective: str = ""  # for a unit's report, the kind of its evaluation

    @property
    def owner(self) -> str:
        """Whose text it is: an organisation's report and its committee's are two owners."""
        return f"{self.code}:{self.collective}" if self.collective else self.code


def find(unit: Unit, cycle: Cycle, *, processes: int | None = None) -> list[Signal]:
    """Every signal of `unit`'s subtree in `cycle`, the strongest first; read a grassroots
    unit at a time, so that memory holds a few units' texts, never the subtree's. The texts
    are compared in `processes` other processes (by default, as many as the machine has
    cores, where the subtree has `PARALLEL_FROM` grassroots units or more) while the next
    units are read."""
    parts = list(grassroots_of(unit))
    if processes is None:
        processes = min(os.cpu_count() or 1, MAX_PROCESSES) if len(parts) >= PARALLEL_FROM else 1
    found: list[Signal] = []
    with _executor(processes) as pool:
        pending: collections.deque[tuple[Future[list[list[texts.Copy]]], _Compared]] = (
            collections.deque()
        )
        for part in parts:
            members = list(_reviews(cycle, part))
            reports = list(_unit_reviews(cycle, part))
            groups = [members + list(_earlier({r.code for r in members}, cycle))] if members else []
            groups += [reports] if any(r.year == cycle.year for r in reports) else []
            for group in groups:
                compared = _Compared.of(group)
                pending.append((pool.submit(texts.copies_among, compared.populations), compared))
            if members:
                found += _evasive(members, cycle, part)
            while len(pending) > IN_FLIGHT:
                found += _copy_signals(*pending.popleft(), cycle)
        while pending:
            found += _copy_signals(*pending.popleft(), cycle)
    found.sort(key=lambda s: (-s.score, s.kind, s.subject, str(s.evidence.get("other", ""))))
    return found


def _executor(processes: int) -> Executor:
    if processes <= 1:
        return _Inline()
    # Spawned, not forked: a child shares no database connection with its parent.
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))


class _Inline(Executor):
    """The work done where it is asked, for a subtree too small to pay for other processes."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@dataclasses.dataclass(frozen=True)
class _Compared:
    """The self-reviews of a grassroots unit as compared: each section's population."""

    by: dict[tuple[str, int], _Review]
    keys: list[str]
    populations: list[list[texts.Section]]

    @classmethod
    def of(cls, reviews: list[_Review]) -> _Compared:
        reviews = sorted(reviews, key=lambda r: r.order)
        populations = [
            [
                texts.Section((r.owner, r.year, key), r.owner, r.year, r.sections[key])
                for r in reviews
                if key in r.sections
            ]
            for key in COMPARED
        ]
        return cls({(r.owner, r.year): r for r in reviews}, list(COMPARED), populations)


def _copy_signals(
    future: Future[list[list[texts.Copy]]], compared: _Compared, cycle: Cycle
) -> list[Signal]:
    """A grassroots unit's copies of this year: its sections with one another and with the
    earlier ones given (the same members', or the same units'), section by section."""
    return [
        _copy_signal(copy, key, compared.by)
        for key, copies in zip(compared.keys, future.result(), strict=True)
        for copy in copies
        if copy.section.year == cycle.year
    ]


def _reviews(cycle: Cycle, unit: Unit) -> Iterator[_Review]:
    rows = SelfReview.objects.filter(
        evaluation__cycle=cycle, evaluation__unit_path__startswith=unit.path
    ).values_list(
        "evaluation__member__code",
        "evaluation__member__full_name",
        "evaluation__unit_path",
        "sections",
        "submitted",
        "pk",
    )
    for code, name, path, sections, submitted, pk in rows.iterator(chunk_size=2000):
        yield _Review(
            code, name, cycle.year, path, _texts(sections), (1, submitted is None, submitted, pk)
        )


def _earlier(codes: Iterable[str], cycle: Cycle) -> Iterator[_Review]:
    """The self-reviews of these members in every earlier cycle."""
    for chunk in _chunks(sorted(codes)):
        rows = SelfReview.objects.filter(
            evaluation__member__code__in=chunk,
            evaluation__cycle__year__lt=cycle.year,
        ).values_list(
            "evaluation__member__code",
            "evaluation__member__full_name",
            "evaluation__cycle__year",
            "evaluation__unit_path",
            "sections",
            "pk",
        )
        for code, name, year, path, sections, pk in rows.iterator(chunk_size=2000):
            yield _Review(code, name, year, path, _texts(sections), (0, year, pk))


def _unit_reviews(cycle: Cycle, unit: Unit) -> Iterator[_Review]:
    """The reports of the organisations and collectives of the subtree, this year's and
    every earlier year's."""
    rows = UnitSelfReview.objects.filter(
        evaluation__cycle__kind=cycle.kind,
        evaluation__cycle__year__lte=cycle.year,
        evaluation__unit_path__startswith=unit.path,
    ).values_list(
        "evaluation__unit__code",
        "evaluation__unit__name",
        "evaluation__cycle__year",
        "evaluation__unit_path",
        "evaluation__kind",
        "sections",
        "submitted",
        "pk",
    )
    for code, name, year, path, kind, sections, submitted, pk in rows.iterator(chunk_size=2000):
        order = (year, submitted is None, submitted, pk)
        yield _Review(code, name, year, path, _texts(sections), order, kind)


def _texts(sections: object) -> dict[str, str]:
    if not isinstance(sections, dict):
        return {}
    return {k: v for k, v in sections.items() if isinstance(v, str) and v.strip()}


def grassroots_of(unit: Unit) -> Iterator[Unit]:
    """The grassroots units of the subtree; or the unit alone when it lies within one."""
    if Unit.objects.filter(path__in=unit.ancestor_paths(), kind__in=GRASSROOTS_KINDS).exists():
        yield unit
        return
    below = Unit.objects.filter(path__startswith=unit.path, kind__in=GRASSROOTS_KINDS)
    yield from below.order_by("path").iterator()


def _copy_signal(copy: texts.Copy, key: str, by: dict[tuple[str, int], _Review]) -> Signal:
    mine, theirs = copy.section, copy.source
    review, other = by[(mine.owner, mine.year)], by[(theirs.owner, theirs.year)]
    share = vietnamese(Decimal(copy.score * 100), 0)
    section = SECTIONS[key]
    if theirs.owner == mine.owner and review.collective:
        text = _("Phần “{section}” giống báo cáo kiểm điểm năm {year} của chính tập thể ({share}).")
    elif review.collective:
        text = _(
            "Phần “{section}” giống báo cáo kiểm điểm năm {year} của {name} ({code}) ({share})."
        )
    elif theirs.owner == mine.owner:
        text = _(
            "Phần “{section}” giống bản tự kiểm điểm năm {year} của chính đảng viên ({share})."
        )
    else:
        text = _(
            "Phần “{section}” giống bản tự kiểm điểm năm {year} của đồng chí {name} ({code})"
            " ({share})."
        )
    return Signal(
        COPIED_TEXT,
        review.code,
        copy.score,
        text.format(
            section=section, year=theirs.year, name=other.name, code=other.code, share=share
        ),
        {
            "section": key,
            "other": other.code,
            "other_name": other.name,
            "year": theirs.year,
            "text": mine.text,
            "other_text": theirs.text,
            "spans": [list(s) for s in copy.spans],
            "other_spans": [list(s) for s in copy.source_spans],
            **({"report": review.collective} if review.collective else {}),
        },
        review.cell_path,
        review.name,
    )


EXPLAINED = {
    texts.EMPTY: gettext_lazy("Phần hạn chế, khuyết điểm để trống hoặc ghi “không có”."),
    texts.ONE_LINER: gettext_lazy("Phần hạn chế, khuyết điểm chỉ có một dòng ({syllables} tiếng)."),
    texts.LOPSIDED: gettext_lazy(
        "Phần hạn chế, khuyết điểm ngắn hơn nhiều so với phần ưu điểm (bằng {ratio} độ dài)."
    ),
    texts.STOCK: gettext_lazy(
        "Phần hạn chế, khuyết điểm chỉ gồm những câu mà nhiều đảng viên trong đảng bộ cơ sở"
        " cùng viết."
    ),
    texts.NO_RESPONSIBILITY: gettext_lazy(
        "Tập thể có hạn chế, khuyết điểm nhưng đảng viên không nêu trách nhiệm của bản thân."
    ),
    texts.FIXED_UNSAID: gettext_lazy(
        "{items} hạn chế được báo đã khắc phục nhưng không nêu kết quả khắc phục."
    ),
}


def _evasive(members: list[_Review], cycle: Cycle, grassroots: Unit) -> Iterator[Signal]:
    """One grassroots unit's weakness sections that avoid the point."""
    weak_cells = _weak_collectives(cycle, grassroots)
    unsaid = _fixed_unsaid(cycle, {r.code for r in members})
    stock = texts.stock_sentences((r.code, r.sections.get(WEAKNESS, "")) for r in members)
    for review in members:
        if not review.sections:
            continue  # not started: nothing written yet
        found = texts.evasions(
            review.sections,
            stock=stock,
            collective_weak=review.cell_path in weak_cells,
            fixed_unsaid=unsaid.get(review.code, 0),
        )
        if found:
            yield _evasive_signal(review, found)


def _evasive_signal(review: _Review, found: list[texts.Evasion]) -> Signal:
    sentences = []
    for evasion in found:
        measures: dict[str, object] = {
            "syllables": int(evasion.measures.get("syllables", 0)),
            "items": int(evasion.measures.get("items", 0)),
            "ratio": vietnamese(Decimal(evasion.measures.get("ratio", 0) * 100), 0),
        }
        sentences.append(str(EXPLAINED[evasion.kind]).format(**measures))
    return Signal(
        EVASIVE_TEXT,
        review.code,
        max(e.strength for e in found),
        " ".join(sentences),
        {
            "year": review.year,
            "found": [e.kind for e in found],
            "text": review.sections.get(WEAKNESS, ""),
        },
        review.cell_path,
        review.name,
    )


def _weak_collectives(cycle: Cycle, unit: Unit) -> set[str]:
    """The cells of the subtree whose own report names weaknesses."""
    rows = UnitSelfReview.objects.filter(
        evaluation__cycle=cycle, evaluation__unit_path__startswith=unit.path
    ).values_list("evaluation__unit_path", "sections")
    weak = set()
    for path, sections in rows:
        said = texts.syllables(_texts(sections).get(WEAKNESS, ""))
        if said and " ".join(said) not in texts.NOTHING:
            weak.add(path)
    return weak


def _fixed_unsaid(cycle: Cycle, codes: set[str]) -> dict[str, int]:
    """Per member, the weaknesses of earlier cycles declared fixed with nothing said."""
    counts: dict[str, int] = defaultdict(int)
    for chunk in _chunks(sorted(codes)):
        rows = FollowUp.objects.filter(
            member__code__in=chunk, cycle__year__lt=cycle.year, fixed=True, result=""
        ).values_list("member__code", flat=True)
        for code in rows:
            counts[code] += 1
    return counts


def _chunks(items: list[str], size: int = 2000) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
