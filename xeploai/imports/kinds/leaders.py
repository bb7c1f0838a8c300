"""Past results of leaders as leaders (R32), in the words of their year's regime (R34), each
at one of the leading posts the member held at that year's reference date.

A leader is classified at their highest post only: a level for another post is refused, and
names the post it belongs to. A head's level is never better than the level of the unit they
head that year, which must be recorded first (R16): the party organisation's result for a
party post (imported with `results`, or reached here), the level of the government or mass
organisation recorded beside it for the others (R22)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xeploai.core.text import search_key
from xeploai.cycles.forms import LeaderResultForm
from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Status,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.members.models import Member, Post, PostKind
from xeploai.reviews.leaders import Led, headed_level, leading_posts, placed
from xeploai.rules import Regime
from xeploai.units.models import Unit

from ..base import Item, Kind, Run, by_code, differs, unknown_unit
from ..reader import Column, Row
from ..report import Report
from .records import MEMBER
from .results import COLUMNS as RESULT_COLUMNS
from .results import RESULT_FIELDS, past_cycle, result_fields, result_label, write_results

_RESULT = {c.field: c for c in RESULT_COLUMNS}
COLUMNS = (
    _RESULT["year"],
    MEMBER,
    Column(
        "unit_code",
        "Mã đơn vị",
        ("Mã đơn vị giữ chức vụ",),
        note=gettext_lazy("Đơn vị nơi đồng chí giữ chức vụ lãnh đạo, quản lý năm đó."),
        example="H01-X01",
    ),
    Column(
        "title",
        "Chức vụ",
        required=False,
        note=gettext_lazy(
            "Chức vụ như trong hồ sơ; chỉ cần ghi khi đồng chí giữ nhiều chức vụ ở cùng đơn vị."
        ),
        example="Bí thư Đảng ủy xã",
    ),
    _RESULT["result"],
    _RESULT["reason"],
)
HEADERS = {c.field: c.header for c in COLUMNS}
COMPARED = (*RESULT_FIELDS, "step")


def write(items: list[Item], report: Report, run: Run) -> None:
    members = by_code(Member, (d["member_code"] for _r, d, _v in items))
    units = by_code(Unit, (d["unit_code"] for _r, d, _v in items))
    wanted: list[tuple[Row, LeaderEvaluation, dict[str, Any]]] = []
    # By year: the leading posts held, by member and unit; each member's highest.
    posts: dict[int, tuple[dict[tuple[int, int], list[Post]], dict[int, Post]]] = {}
    for row, data, valid in items:
        cycle = past_cycle(data["year"], row, report, run) if data["year"] else None
        member, unit = members.get(data["member_code"]), units.get(data["unit_code"])
        if data["member_code"] and member is None:
            report.add(
                row.number,
                HEADERS["member_code"],
                _("Không có đảng viên mã {code}.").format(code=data["member_code"]),
            )
        if data["unit_code"] and unit is None:
            unknown_unit(report, row, HEADERS["unit_code"], data["unit_code"])
        if not valid or cycle is None or member is None or unit is None:
            continue
        if cycle.year not in posts:
            held = leading_posts([m.pk for m in members.values()], cycle)
            places: dict[tuple[int, int], list[Post]] = {}
            for p in held:
                places.setdefault((p.member_id, p.unit_id), []).append(p)
            posts[cycle.year] = (places, placed(held))
        places, top = posts[cycle.year]
        held = places.get((member.pk, unit.pk), [])
        post = _post(row, data, member, unit, cycle, held, report)
        if post is None:
            continue
        fields = result_fields(data["result"], data["reason"], Regime(cycle.regime))
        highest = top[member.pk]
        if highest.pk != post.pk and fields["ordinal"] is not None:
            report.add(
                row.number,
                HEADERS["result"],
                _(
                    "Đồng chí {name} được xếp loại cán bộ lãnh đạo, quản lý tại chức vụ cao nhất"
                    " năm {year}: {title} ({unit})."
                ).format(
                    name=member.full_name,
                    year=cycle.year,
                    title=highest.title,
                    unit=highest.unit.name,
                ),
            )
            continue
        ranked = fields["level_final"] or fields["ordinal"]
        fields["step"] = Step.PUBLISHED if ranked else Step.NOT_REVIEWED
        e = LeaderEvaluation(
            cycle=cycle,
            member=member,
            post=post,
            unit=post.unit,
            unit_path=post.unit.path,
            tier=post.tier,
            head=post.head,
            classified=highest.pk == post.pk,
        )
        wanted.append((row, e, fields))
    _check_heads(wanted, report)
    _save(wanted, report, run)


def _post(
    row: Row,
    data: dict[str, Any],
    member: Member,
    unit: Unit,
    cycle: Cycle,
    held: list[Post],
    report: Report,
) -> Post | None:
    """The leading post the row names among those `held` by the member at the unit that
    year: by its title where they held several there."""
    at = held
    named = search_key(data["title"])
    if named:
        at = [p for p in at if named in (search_key(p.title), _title_key(p))]
    if len(at) == 1:
        return at[0]
    if not at:
        report.add(
            row.number,
            HEADERS["title"] if named else HEADERS["unit_code"],
            _(
                "Đồng chí {name} không giữ chức vụ lãnh đạo, quản lý {title}tại {unit} vào"
                " thời điểm đánh giá năm {year}."
            ).format(
                name=member.full_name,
                title=f"“{data['title']}” " if named else "",
                unit=unit.name,
                year=cycle.year,
            ),
        )
    else:
        report.add(
            row.number,
            HEADERS["title"],
            _("Đồng chí {name} giữ {count} chức vụ tại {unit}: ghi rõ chức vụ ({titles}).").format(
                name=member.full_name,
                count=len(at),
                unit=unit.name,
                titles="; ".join(p.title for p in at),
            ),
        )
    return None


def _title_key(post: Post) -> str:
    return search_key(post.post_title.name) if post.post_title else ""


def _check_heads(
    wanted: list[tuple[Row, LeaderEvaluation, dict[str, Any]]], report: Report
) -> None:
    """R16 for the heads in the file: the unit they head has its level that year, and theirs
    is not better (one query for the units' results)."""
    heads = [(row, e, f) for row, e, f in wanted if e.head and f["ordinal"] is not None]
    if not heads:
        return
    organisations = {
        (u.cycle_id, u.unit_id): u
        for u in UnitEvaluation.objects.filter(
            cycle__in={e.cycle_id for _r, e, _f in heads},
            unit__in={e.unit_id for _r, e, _f in heads},
            kind=UnitEvaluationKind.ORGANISATION,
        ).prefetch_related("peer_results")
    }
    for row, e, fields in heads:
        organisation = organisations.get((e.cycle_id, e.unit_id))
        led = Led(organisation, tuple(organisation.peer_results.all()) if organisation else ())
        reason = refusal_as_head(e, led, fields["level_final"] or fields["ordinal"])
        if reason:
            report.add(row.number, HEADERS["result"], reason)


def refusal_as_head(e: LeaderEvaluation, led: Led, rank: int) -> str:
    """Why a head cannot stand at this rank (a level, or a label's rank in a year of earlier
    rules) beside the unit they head (R16); empty when they can."""
    post, unit = e.post, led.organisation
    cap: int | None
    name = post.organisation if post.kind != PostKind.PARTY and post.organisation else e.unit.name
    party = post.kind == PostKind.PARTY
    if party and unit is None:  # no result recorded for it that year
        cap, final, label = None, False, ""
    elif party and unit is not None and not unit.level_final and unit.ordinal:  # earlier rules
        cap, final, label = unit.ordinal, True, unit.label
    else:
        level, final = headed_level(e, led)
        cap, label = (int(level), level.label) if level else (None, "")
    if not final:
        return _(
            "Chưa có kết quả xếp loại năm {year} của {unit}, nơi đồng chí là người đứng đầu:"
            " nhập kết quả của đơn vị trước."
        ).format(year=e.cycle.year, unit=name)
    if cap is not None and rank < cap:
        return _(
            "Người đứng đầu không được xếp loại cao hơn đơn vị mình đứng đầu: {unit} năm {year}"
            " xếp loại “{label}”."
        ).format(unit=name, year=e.cycle.year, label=label)
    return ""


def _save(
    wanted: list[tuple[Row, LeaderEvaluation, dict[str, Any]]], report: Report, run: Run
) -> None:
    stored = {
        (e.cycle_id, e.post_id): e
        for e in LeaderEvaluation.objects.filter(
            cycle__in={e.cycle_id for _r, e, _f in wanted if e.cycle_id},
            post__in=[e.post for _r, e, _f in wanted],
        )
    }
    new, changed = [], []
    for row, e, fields in wanted:
        evaluation = stored.get((e.cycle_id, e.post_id))
        if evaluation is None:
            for f, value in fields.items():
                setattr(e, f, value)
            new.append(e)
            continue
        changes = [f for f in COMPARED if differs(getattr(evaluation, f), fields[f])]
        if not changes:
            report.unchanged += 1
        elif not evaluation.label:  # reached in this system, not imported
            report.add(
                row.number,
                HEADERS["result"],
                _(
                    "Kết quả năm {year} đã được xếp loại trong hệ thống; nhập tệp không sửa"
                    " kết quả này."
                ).format(year=e.cycle.year),
            )
        else:
            for f in COMPARED:
                setattr(evaluation, f, fields[f])
            changed.append(evaluation)
    if report.ok:
        write_results(LeaderEvaluation, new, changed, COMPARED, report, run)


def export(root: Unit | None) -> Iterator[dict[str, object]]:
    """Leaders' results of closed cycles, as imported or as reached here."""
    rows = LeaderEvaluation.objects.filter(cycle__closed=True, cycle__kind=CycleKind.YEAR)
    if root:
        rows = rows.filter(unit_path__startswith=root.path)
    rows = rows.exclude(status=Status.NOT_CLASSIFIED, label="")  # the posts below the highest
    for e in rows.select_related("cycle", "member", "unit", "post").order_by(
        "cycle__year", "unit_path", "tier", "member__code"
    ):
        yield {
            "year": e.cycle.year,
            "member_code": e.member.code,
            "unit_code": e.unit.code,
            "title": e.post.title,
            "result": result_label(e),
            "reason": e.status_reason,
        }


LEADER_RESULTS = Kind(
    "leader_results",
    gettext_lazy("Kết quả cán bộ lãnh đạo"),
    COLUMNS,
    ("year", "member_code", "unit_code", "title"),
    LeaderResultForm,
    write,
    export,
)
