"""Past results of members and organisations, in the words of their year's regime (R34).

The regime comes from the year (R1). A current level's label in a year whose regime uses it
becomes that level; any other label of any regime keeps its words and gets its ordinal only,
and is never reported as a current level. The year's cycle is created closed if missing; the
results of a cycle that is still open are never imported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.cycles.forms import SUBJECTS, PastResultForm
from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    EvaluationFacts,
    LeaderEvaluation,
    MemberEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member, PostKind
from xeploai.reports import tally
from xeploai.reviews import history
from xeploai.rules import Regime, regime_for_year
from xeploai.rules.legacy import parse_level, parse_status, rank_label
from xeploai.units.models import Unit

from .. import values
from ..base import (
    CHUNK,
    Item,
    Kind,
    Run,
    attname,
    by_code,
    differs,
    insert,
    not_a_cell,
    unknown_unit,
    update,
)
from ..reader import Column, Row
from ..report import Report

COLUMNS = (
    Column(
        "year",
        "Năm",
        parse=values.year,
        note=gettext_lazy("Năm đánh giá, ví dụ 2024; quy định áp dụng theo năm đó."),
        example=2024,
    ),
    Column(
        "subject",
        "Đối tượng",
        parse=lambda v: values.choice(v, SUBJECTS, ("ORGANISATION", "Tổ chức đảng")),
        note=gettext_lazy("Đảng viên hoặc Tổ chức."),
        example="Đảng viên",
    ),
    Column(
        "code",
        "Mã",
        note=gettext_lazy("Mã đảng viên, hoặc mã đơn vị khi đối tượng là tổ chức."),
        example="DV000001",
    ),
    Column(
        "result",
        "Kết quả",
        ("Xếp loại", "Kết quả xếp loại"),
        note=gettext_lazy(
            "Mức xếp loại theo quy định của năm đó, ghi như trong hồ sơ (ví dụ: Hoàn thành tốt"
            " nhiệm vụ, HTTNV, Trong sạch vững mạnh, Đủ tư cách, hoàn thành tốt nhiệm vụ), hoặc"
            " một tình trạng: Miễn đánh giá, Chưa đánh giá, Không xếp loại."
        ),
        example="Hoàn thành tốt nhiệm vụ",
    ),
    Column(
        "reason",
        "Lý do",
        required=False,
        note=gettext_lazy("Lý do miễn đánh giá, chưa đánh giá hoặc không xếp loại."),
    ),
    Column(
        "cell_code",
        "Mã chi bộ",
        required=False,
        note=gettext_lazy(
            "Chi bộ của đảng viên năm đó, nếu khác chi bộ hiện nay; để trống cho tổ chức."
        ),
    ),
)
HEADERS = {c.field: c.header for c in COLUMNS}
# What a result says; `cell` and `unit_path` besides for members.
RESULT_FIELDS = ("status", "status_reason", "level_final", "label", "ordinal", "exemplary")


def result_fields(label: str, reason: str, regime: Regime) -> dict[str, Any]:
    """The evaluation fields a result's label gives under the regime of its year."""
    status = parse_status(label)
    if status is not None and rank_label(label) is None:
        return {
            "status": status.value,
            "status_reason": reason,
            "level_final": None,
            "label": label,
            "ordinal": None,
            "exemplary": False,
        }
    ranked = rank_label(label)
    assert ranked is not None  # the form refuses unknown labels
    level = parse_level(label) if regime != Regime.LEGACY else None
    return {
        "status": Status.CLASSIFIED,
        "status_reason": reason,
        "level_final": int(level) if level is not None else None,
        "label": label,
        "ordinal": ranked.ordinal,
        "exemplary": ranked.exemplary,
    }


def past_cycle(
    year: int, row: Any, report: Report, run: Run, *, create: bool = True
) -> Cycle | None:
    """The closed cycle of a past year, created closed if missing (not while checking);
    None, and the reason reported, where the year's cycle is still open, or missing when it
    may not be created."""
    cycles: dict[int, Cycle | None] = run.cache.setdefault("result_cycles", {})
    if year not in cycles:
        cycle = Cycle.objects.of_year(year)
        if cycle is None and create:
            cycle = Cycle.for_year(year, regime_for_year(year), closed=True)
            if run.writes:  # while the file is only checked, the cycle is not created
                cycle.save()
        cycles[year] = cycle
    cycle = cycles[year]
    if cycle is None:
        report.add(
            row.number,
            HEADERS["year"],
            _(
                "Chưa có kỳ đánh giá năm {year}: nhập kết quả các năm (tổ chức đảng, đảng viên)"
                " của năm đó trước."
            ).format(year=year),
        )
        return None
    if not cycle.closed:
        report.add(
            row.number,
            HEADERS["year"],
            _(
                "Kỳ đánh giá năm {year} đang diễn ra: kết quả của kỳ đang mở phải qua các bước"
                " kiểm điểm, không nhập từ tệp."
            ).format(year=year),
        )
        return None
    return cycle


def write(items: list[Item], report: Report, run: Run) -> None:
    of_members = [d for _r, d, _v in items if d["subject"] == "MEMBER"]
    of_units = [d for _r, d, _v in items if d["subject"] == "ORGANISATION"]
    members = by_code(Member, (d["code"] for d in of_members), "cell")
    units = by_code(Unit, [d["code"] for d in of_units] + [d["cell_code"] for d in of_members])
    wanted: list[tuple[Any, type[models.Model], dict[str, Any]]] = []
    for row, data, valid in items:
        cycle = past_cycle(data["year"], row, report, run) if data["year"] else None
        subject = _subject(row, data, members, units, report)
        if not valid or cycle is None or subject is None:
            continue
        fields = result_fields(data["result"], data["reason"], Regime(cycle.regime))
        fields |= {"cycle": cycle, **subject}
        # A result with a level is published; one without (exempt, not classified) was
        # never reviewed.
        step = Step.PUBLISHED if fields["level_final"] or fields["ordinal"] else Step.NOT_REVIEWED
        fields["step"] = step
        if data["subject"] == "MEMBER":
            fields["unit_path"] = subject["cell"].path
            wanted.append((row, MemberEvaluation, fields))
        else:
            fields |= {"kind": UnitEvaluationKind.ORGANISATION, "unit_path": subject["unit"].path}
            wanted.append((row, UnitEvaluation, fields))
    _check_heads(wanted, report)
    _save(wanted, report, run)


def _check_heads(
    wanted: list[tuple[Any, type[models.Model], dict[str, Any]]], report: Report
) -> None:
    """R16 from the other side: an organisation's result is never below that of the leader
    who heads it in the same year, recorded before it (one query)."""
    ranked = [
        (row, f)
        for row, model, f in wanted
        if model is UnitEvaluation and (f["level_final"] or f["ordinal"])
    ]
    if not ranked:
        return
    heads: dict[tuple[int, int], list[LeaderEvaluation]] = {}
    for e in LeaderEvaluation.objects.filter(
        cycle__in={f["cycle"].pk for _r, f in ranked if f["cycle"].pk},
        unit__in=[f["unit"] for _r, f in ranked],
        head=True,
        post__kind=PostKind.PARTY,
    ).select_related("member", "cycle"):
        heads.setdefault((e.cycle_id, e.unit_id), []).append(e)
    for row, f in ranked:
        for e in heads.get((f["cycle"].pk, f["unit"].pk), []):
            rank = e.level_final or e.level_decided or e.ordinal
            if rank and rank < (f["level_final"] or f["ordinal"]):
                report.add(row.number, HEADERS["result"], below_head(e, f["unit"].name))


def below_head(head: LeaderEvaluation, unit: str) -> str:
    """Why a unit cannot be recorded below the leader who heads it that year (R16)."""
    return _(
        "Đồng chí {name}, người đứng đầu {unit}, đã được xếp loại “{label}” năm {year}: đơn"
        " vị không được xếp loại thấp hơn người đứng đầu."
    ).format(name=head.member.full_name, unit=unit, label=result_label(head), year=head.cycle.year)


def _subject(
    row: Row,
    data: dict[str, Any],
    members: dict[str, Member],
    units: dict[str, Unit],
    report: Report,
) -> dict[str, Any] | None:
    """The member and their cell that year, or the organisation, the row names; None (and
    the reason reported) when the database has no such one, or the row could not say."""
    code = data["code"]
    if not code or data["subject"] is None:
        return None
    if data["subject"] != "MEMBER":
        unit = units.get(code)
        if unit is None:
            unknown_unit(report, row, HEADERS["code"], code)
            return None
        return {"unit": unit}
    member = members.get(code)
    if member is None:
        report.add(
            row.number, HEADERS["code"], _("Không có đảng viên mã {code}.").format(code=code)
        )
    cell_code = data["cell_code"]
    cell = units.get(cell_code) if cell_code else (member.cell if member else None)
    if cell_code and cell is None:
        unknown_unit(report, row, HEADERS["cell_code"], cell_code)
    elif cell is not None and not cell.is_cell:
        not_a_cell(report, row, HEADERS["cell_code"], cell)
    elif member is not None and cell is not None:
        return {"member": member, "cell": cell}
    return None


def _save(
    wanted: list[tuple[Any, type[models.Model], dict[str, Any]]], report: Report, run: Run
) -> None:
    for model, subject, compared in (
        (MemberEvaluation, "member", (*RESULT_FIELDS, "cell", "unit_path", "step")),
        (UnitEvaluation, "unit", (*RESULT_FIELDS, "step")),
    ):
        rows = [(row, f) for row, m, f in wanted if m is model]
        if not rows:
            continue
        subject_id = attname(model, subject)
        stored = {
            (e.cycle_id, getattr(e, subject_id)): e
            for e in model._default_manager.filter(
                cycle__in={f["cycle"].pk for _r, f in rows if f["cycle"].pk},
                **{f"{subject}__in": [f[subject] for _r, f in rows]},
            )
        }
        # A result reached in this system, not imported, is only checked for its meaning:
        # its words are its level's own.
        meaning = ("status", "level_final", "cell")[: 3 if subject == "member" else 2]
        new, changed = [], []
        for row, fields in rows:
            evaluation = stored.get((fields["cycle"].pk, fields[subject].pk))
            if evaluation is None:
                new.append(model(**fields))
                continue
            made_here = not evaluation.label
            changes = [
                f
                for f in (meaning if made_here else compared)
                if differs(getattr(evaluation, attname(model, f)), fields[f])
            ]
            if not changes:
                report.unchanged += 1
            elif made_here:
                report.add(
                    row.number,
                    HEADERS["result"],
                    _(
                        "Kết quả năm {year} đã được xếp loại trong hệ thống; nhập tệp không sửa"
                        " kết quả này."
                    ).format(year=fields["cycle"].year),
                )
            else:
                if run.writes:
                    tally.touched([evaluation])  # its cell before the change may move it
                for f in compared:
                    setattr(evaluation, f, fields[f])
                changed.append(evaluation)
        if report.ok:
            write_results(model, new, changed, compared, report, run)


def write_results(
    model: type[Any],
    new: list[Any],
    changed: list[Any],
    compared: tuple[str, ...],
    report: Report,
    run: Run,
) -> None:
    """Write a checked chunk of results, each with its level history (R33): an imported
    result has one too."""
    insert(model, new, run)
    update(model, changed, compared, run)
    if run.writes:
        history.append_imported(
            [*new, *changed], user=run.by, name=_("Nhập từ dòng lệnh"), reason=run.reason
        )
    report.created += len(new)
    report.updated += len(changed)


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    """Results of closed cycles, as imported or as reached here (a level by its label)."""
    closed = {"cycle__closed": True, "cycle__kind": CycleKind.YEAR}
    if root:
        closed["unit_path__startswith"] = root.path
    units = UnitEvaluation.objects.filter(kind=UnitEvaluationKind.ORGANISATION, **closed)
    for u in units.select_related("cycle", "unit").order_by("cycle__year", "unit_path"):
        yield _row(u, "ORGANISATION", u.unit.code, "")
    members = MemberEvaluation.objects.filter(**closed).select_related("cycle", "member", "cell")
    for m in members.order_by("cycle__year", "member__code").iterator(chunk_size=CHUNK):
        moved = m.cell_id != m.member.cell_id
        yield _row(m, "MEMBER", m.member.code, m.cell.code if moved else "")


def result_label(e: EvaluationFacts) -> str:
    """A result as a file writes it: its label, its level's, or its status'."""
    if e.label:
        return e.label
    if e.status == Status.CLASSIFIED and e.level_final:
        return str(e.get_level_final_display())
    return str(e.get_status_display())


def _row(e: EvaluationFacts, subject: str, code: str, cell_code: str) -> dict[str, object]:
    return {
        "year": e.cycle.year,  # type: ignore[attr-defined]
        "subject": values.label(subject, SUBJECTS),
        "code": code,
        "result": result_label(e),
        "reason": e.status_reason,
        "cell_code": cell_code,
    }


RESULTS = Kind(
    "results",
    gettext_lazy("Kết quả các năm"),
    COLUMNS,
    ("year", "subject", "code"),
    PastResultForm,
    write,
    export,
)
