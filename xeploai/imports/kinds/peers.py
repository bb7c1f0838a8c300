"""Past years' levels of the government, the Fatherland Front and the mass organisations of a
unit (R22), recorded beside its party organisation's result of the same year, which must be
there first (import `results` before).

They are the levels that cap the heads of those organisations as leaders (R16): import them
before `leader_results`; and, the other way round, one is never recorded below the level of
its head's result already there. A level is one of the four current ones, by its label or
its abbreviation (HTXSNV, HTTNV, HTNV, KHTNV); a year of the rules before 2018 is refused,
since a result of that time keeps its own words and is never read as a current level (R34).
Names are matched as written (one record per year, unit, kind and name, as on the unit's
review page). A level the party committee entered in this system is not changed by a file.
An imported one has no `entered_by`; its versions say who imported it and from which file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Level,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import PostKind
from xeploai.reviews.forms import PeerResultForm
from xeploai.reviews.leaders import Led, headed_level
from xeploai.reviews.models import PeerKind, PeerResult
from xeploai.rules import SETTINGS, Regime
from xeploai.rules import Level as EngineLevel
from xeploai.units.models import Unit

from .. import values
from ..base import Item, Kind, Run, by_code, differs, insert, unknown_unit, update
from ..reader import Column, Row
from ..report import Report
from .results import COLUMNS as RESULT_COLUMNS
from .results import below_head, past_cycle

# The short names offices write for each kind, besides its label.
KIND_NAMES = (
    ("GOVERNMENT", "Chính quyền"),
    ("FRONT", "Mặt trận"),
    ("FRONT", "MTTQ"),
    ("MASS", "Đoàn thể"),
)
LEVEL_SHORT = tuple((int(level), level.short) for level in EngineLevel)

COLUMNS = (
    next(c for c in RESULT_COLUMNS if c.field == "year"),
    Column(
        "unit_code",
        "Mã đơn vị",
        ("Mã tổ chức đảng",),
        note=gettext_lazy(
            "Mã của tổ chức đảng cùng cấp; kết quả xếp loại năm đó của tổ chức đảng phải có trước."
        ),
        example="H01-X01",
    ),
    Column(
        "kind",
        "Loại tổ chức",
        parse=lambda v: values.choice(v, PeerKind.choices, *KIND_NAMES),
        note=gettext_lazy(
            "Chính quyền (cơ quan, đơn vị), Mặt trận (Mặt trận Tổ quốc) hoặc Đoàn thể (đoàn"
            " thể chính trị - xã hội)."
        ),
        example="Chính quyền",
    ),
    Column(
        "name",
        "Tên tổ chức",
        ("Tên cơ quan, tổ chức",),
        note=gettext_lazy(
            "Ghi như cột Cơ quan, tổ chức trong chức vụ của người đứng đầu, để mức xếp loại"
            " này giới hạn mức xếp loại của người đứng đầu."
        ),
        example="UBND xã Phú Lộc",
    ),
    Column(
        "level",
        "Kết quả",
        ("Xếp loại", "Kết quả xếp loại", "Mức xếp loại"),
        parse=lambda v: values.choice(v, Level.choices, *LEVEL_SHORT),
        note=gettext_lazy(
            "Một trong bốn mức: Hoàn thành xuất sắc nhiệm vụ, Hoàn thành tốt nhiệm vụ, Hoàn"
            " thành nhiệm vụ, Không hoàn thành nhiệm vụ (hoặc HTXSNV, HTTNV, HTNV, KHTNV)."
        ),
        example="Hoàn thành tốt nhiệm vụ",
    ),
    Column(
        "source",
        "Văn bản",
        ("Văn bản, quyết định", "Số văn bản", "Quyết định"),
        note=gettext_lazy("Văn bản, quyết định xếp loại: số và ngày."),
        example="Quyết định số 45/QĐ-UBND ngày 20/12/2024",
    ),
)
HEADERS = {c.field: c.header for c in COLUMNS}


class PastPeerResultForm(PeerResultForm):
    """The page's form for the level of an organisation of the same unit, with the year and
    the party organisation it belongs to."""

    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=1930)
    unit_code = forms.CharField(label=gettext_lazy("Mã đơn vị"), max_length=32)
    field_order = ["year", "unit_code", "kind", "name", "level", "source"]


def write(items: list[Item], report: Report, run: Run) -> None:
    units = by_code(Unit, (d["unit_code"] for _r, d, _v in items))
    found: list[tuple[Row, dict[str, Any], bool, Cycle, Unit]] = []
    for row, data, valid in items:
        cycle = _cycle(data["year"], row, report, run) if data["year"] else None
        unit = units.get(data["unit_code"])
        if data["unit_code"] and unit is None:
            unknown_unit(report, row, HEADERS["unit_code"], data["unit_code"])
        if cycle is not None and unit is not None:
            found.append((row, data, valid, cycle, unit))
    organisations = {
        (e.cycle_id, e.unit_id): e
        for e in UnitEvaluation.objects.filter(
            cycle__in={cycle for _r, _d, _v, cycle, _u in found},
            unit__in={unit for _r, _d, _v, _c, unit in found},
            kind=UnitEvaluationKind.ORGANISATION,
        )
    }
    wanted: list[tuple[Row, PeerResult]] = []
    for row, data, valid, cycle, unit in found:
        organisation = organisations.get((cycle.pk, unit.pk))
        if organisation is None:
            report.add(
                row.number,
                HEADERS["unit_code"],
                _(
                    "Chưa có kết quả xếp loại năm {year} của {unit}: nhập kết quả của tổ chức"
                    " đảng (Kết quả các năm) trước."
                ).format(year=cycle.year, unit=unit.name),
            )
        elif valid:
            fields = {f: data[f] for f in ("kind", "name", "level", "source")}
            wanted.append((row, PeerResult(evaluation=organisation, **fields)))
    _check_heads(wanted, report)
    _save(wanted, report, run)


def _cycle(year: int, row: Row, report: Report, run: Run) -> Cycle | None:
    """The closed cycle of the year, never created here (the party organisation's result
    comes first), nor of the rules before 2018, whose levels are not the current ones."""
    cycle = past_cycle(year, row, report, run, create=False)
    if cycle is not None and cycle.regime == Regime.LEGACY:
        report.add(
            row.number,
            HEADERS["year"],
            _(
                "Năm {year} xếp loại theo quy định trước năm {first}: kết quả của chính quyền,"
                " Mặt trận, đoàn thể chỉ nhập từ năm {first}, theo các mức xếp loại hiện hành."
            ).format(year=year, first=_first_current_year()),
        )
        return None
    return cycle


def _first_current_year() -> int:
    last = SETTINGS[Regime.LEGACY].last_year
    assert last is not None
    return last + 1


def _check_heads(wanted: list[tuple[Row, PeerResult]], report: Report) -> None:
    """R16 from the other side: an organisation's level is never below that of the leader
    who heads it in the same year, recorded before it. Each head is matched to the level
    that caps them as `headed_level` matches it, among the levels there once the file is in
    (two queries)."""
    by_organisation: dict[int, list[tuple[Row, PeerResult]]] = {}
    for row, peer in wanted:
        by_organisation.setdefault(peer.evaluation_id, []).append((row, peer))
    if not by_organisation:
        return
    after: dict[int, dict[tuple[str, str], PeerResult]] = {}
    for peer in PeerResult.objects.filter(evaluation__in=list(by_organisation)):
        after.setdefault(peer.evaluation_id, {})[(peer.kind, peer.name)] = peer
    for rows in by_organisation.values():
        for _row, peer in rows:
            after.setdefault(peer.evaluation_id, {})[(peer.kind, peer.name)] = peer
    organisations = {
        (p.evaluation.cycle_id, p.evaluation.unit_id): p.evaluation
        for rows in by_organisation.values()
        for _r, p in rows
    }
    heads = LeaderEvaluation.objects.filter(
        cycle__in={cycle for cycle, _unit in organisations},
        unit__in={unit for _cycle, unit in organisations},
        head=True,
    ).exclude(post__kind=PostKind.PARTY)
    for e in heads.select_related("member", "post", "cycle"):
        organisation = organisations.get((e.cycle_id, e.unit_id))
        rank = e.level_final or e.level_decided or e.ordinal
        if organisation is None or not rank:
            continue
        peers = tuple(after[organisation.pk].values())
        cap, _final = headed_level(e, Led(organisation, peers))
        if cap is None or cap <= rank:
            continue
        for row, peer in by_organisation[organisation.pk]:
            # The file's level the head is matched to: theirs, and of their kind.
            if peer.level == cap and headed_level(e, Led(organisation, (peer,)))[0]:
                report.add(row.number, HEADERS["level"], below_head(e, peer.name))


def _save(wanted: list[tuple[Row, PeerResult]], report: Report, run: Run) -> None:
    stored = {
        (p.evaluation_id, p.kind, p.name): p
        for p in PeerResult.objects.filter(
            evaluation__in={p.evaluation_id for _r, p in wanted}
        ).select_related("evaluation__cycle")
    }
    new, changed = [], []
    now = timezone.now()  # set here: COPY on PostgreSQL skips `auto_now_add`
    for row, peer in wanted:
        there = stored.get((peer.evaluation_id, peer.kind, peer.name))
        if there is None:
            peer.entered = now
            new.append(peer)
            continue
        # One entered here is only checked for its meaning: its source is the committee's.
        made_here = there.entered_by_id is not None
        compared = ("level",) if made_here else ("level", "source")
        if not any(differs(getattr(there, f), getattr(peer, f)) for f in compared):
            report.unchanged += 1
        elif made_here:
            report.add(
                row.number,
                HEADERS["level"],
                _(
                    "Kết quả năm {year} của {name} đã được cấp ủy nhập trong hệ thống; nhập tệp"
                    " không sửa kết quả này."
                ).format(year=there.evaluation.cycle.year, name=there.name),
            )
        else:
            there.level, there.source = peer.level, peer.source
            changed.append(there)
    if not report.ok:
        return
    insert(PeerResult, new, run)
    update(PeerResult, changed, ("level", "source"), run)
    report.created += len(new)
    report.updated += len(changed)


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    """The levels recorded for closed cycles, imported or entered here."""
    rows = PeerResult.objects.filter(
        evaluation__cycle__closed=True, evaluation__cycle__kind=CycleKind.YEAR
    )
    if root:
        rows = rows.filter(evaluation__unit_path__startswith=root.path)
    for p in rows.select_related("evaluation__cycle", "evaluation__unit").order_by(
        "evaluation__cycle__year", "evaluation__unit_path", "kind", "name"
    ):
        yield {
            "year": p.evaluation.cycle.year,
            "unit_code": p.evaluation.unit.code,
            "kind": values.label(p.kind, PeerKind.choices),
            "name": p.name,
            "level": values.label(p.level, Level.choices),
            "source": p.source,
        }


PEER_RESULTS = Kind(
    "peer_results",
    gettext_lazy("Kết quả chính quyền, đoàn thể"),
    COLUMNS,
    ("year", "unit_code", "kind", "name"),
    PastPeerResultForm,
    write,
    export,
)
