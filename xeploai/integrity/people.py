"""The signals the level history raises of the people and the units that decide them:
grassroots units whose decisions the level above keeps changing (`appraisal_changes`), members
whose own level is above what the rules allow year after year (`self_inflation`), and results
that contradict the rules, which imported history never went through (`inconsistent`)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.cycles.rules import member_records, member_verdict
from xeploai.members.models import Discipline, Member, PostKind
from xeploai.reports.percent import vietnamese
from xeploai.reports.standings import grassroots, state_standings
from xeploai.reviews.models import Action, LevelChange
from xeploai.rules import Regime
from xeploai.units.models import GRASSROOTS_KINDS, SEGMENT, Unit

from .results import ancestors
from .signals import APPRAISAL_CHANGES, INCONSISTENT, SELF_INFLATION, Signal, grassroots_of

LOWERED_YEARS = 2  # lowered by the level above in this many years, this one included
LOWERED_SHARE = 0.10  # or this share of this year's decisions lowered (and LOWERED_LEAST)
LOWERED_LEAST = 3
SELF_ABOVE_YEARS = 3  # a self-level above the ceiling this many years, this one included


@dataclasses.dataclass
class _Changes:
    decided: int = 0
    lowered: int = 0
    raised: int = 0
    returned: int = 0
    reopened: int = 0


def appraisal_changes(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    """The grassroots units of the subtree whose decisions the level above lowered, returned
    or re-opened: in several years, or a large share of this year's."""
    below = Unit.objects.filter(path__startswith=unit.path, kind__in=GRASSROOTS_KINDS)
    grassroots = {u.path: u for u in below}
    rows = (
        LevelChange.objects.filter(
            evaluation__cycle__kind=CycleKind.YEAR,
            evaluation__cycle__year__lte=cycle.year,
            evaluation__unit_path__startswith=unit.path,
            action__in=(Action.DECIDE, Action.ADJUST, Action.RETURN, Action.REOPEN),
        )
        .values_list(
            "evaluation__cycle__year", "evaluation__unit_path", "action", "level_from", "level_to"
        )
        .annotate(n=Count("evaluation", distinct=True))
        .order_by()
    )
    years: dict[str, dict[int, _Changes]] = defaultdict(lambda: defaultdict(_Changes))
    for year, path, action, before, after, n in rows:
        place = next((p for p in (path, *ancestors(path)) if p in grassroots), None)
        if place is None:
            continue
        changes = years[place][year]
        if action == Action.DECIDE:
            changes.decided += n
        elif action == Action.RETURN:
            changes.returned += n
        elif action == Action.REOPEN:
            changes.reopened += n
        elif before is not None and after is not None and after > before:
            changes.lowered += n  # a larger number is a lower level
        elif before is not None and after is not None and after < before:
            changes.raised += n
    for path, by_year in years.items():
        signal = _changes_signal(grassroots[path], by_year, cycle)
        if signal is not None:
            yield signal


def _changes_signal(unit: Unit, by_year: dict[int, _Changes], cycle: Cycle) -> Signal | None:
    now = by_year.get(cycle.year, _Changes())
    lowered_years = sorted(y for y, c in by_year.items() if c.lowered)
    share = now.lowered / now.decided if now.decided else 0.0
    many = now.lowered >= LOWERED_LEAST and share >= LOWERED_SHARE
    again = len(lowered_years) >= LOWERED_YEARS and cycle.year in lowered_years
    if not (many or again):
        return None
    said = "; ".join(
        _("năm {year}: hạ {lowered}/{decided} kết quả").format(
            year=y, lowered=by_year[y].lowered, decided=by_year[y].decided or "?"
        )
        for y in lowered_years
    )
    other = now.returned + now.reopened
    text = _("Cấp trên điều chỉnh hạ mức kết quả do đơn vị quyết định ({said}).").format(said=said)
    if other:
        text += " " + _("Năm {year} có {n} kết quả bị trả lại hoặc mở lại.").format(
            year=cycle.year, n=other
        )
    return Signal(
        APPRAISAL_CHANGES,
        unit.code,
        round(min(0.9, 0.4 + 0.1 * len(lowered_years) + share), 4),
        text,
        {
            "year": cycle.year,
            "years": {str(y): dataclasses.asdict(c) for y, c in sorted(by_year.items())},
        },
        unit.path,
        unit.name,
    )


def self_inflation(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    """Members of the subtree whose own level was above the rules' ceiling this year and in
    earlier years (wherever they were then). The engine is asked again for each year, from
    the facts as recorded; a grassroots unit's members at a time."""
    for part in grassroots_of(unit):
        yield from _self_inflation(part, cycle)


def _self_inflation(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    members = MemberEvaluation.objects.filter(
        cycle=cycle, unit_path__startswith=unit.path, level_self__isnull=False
    ).values("member_id")
    above: dict[int, list[int]] = defaultdict(list)
    names: dict[int, tuple[str, str, str]] = {}
    cycles = Cycle.objects.filter(kind=CycleKind.YEAR, year__lte=cycle.year)
    for each in cycles.order_by("year"):
        evaluations = list(
            MemberEvaluation.objects.filter(
                cycle=each, member_id__in=members, level_self__isnull=False
            ).select_related("member")
        )
        if not evaluations:
            continue
        among = Member.objects.filter(pk__in=members)
        records = member_records([e.member for e in evaluations], each, among=among)
        for e in evaluations:
            ceiling = member_verdict(e.member, e, each, records[e.member_id]).level
            if ceiling is not None and e.level_self is not None and e.level_self < ceiling:
                above[e.member_id].append(each.year)
            if each.pk == cycle.pk:
                names[e.member_id] = (e.member.code, e.member.full_name, e.unit_path)
    for member_id, years in above.items():
        if cycle.year not in years or len(years) < SELF_ABOVE_YEARS or member_id not in names:
            continue
        code, name, path = names[member_id]
        yield Signal(
            SELF_INFLATION,
            code,
            round(min(0.9, 0.4 + 0.15 * len(years)), 4),
            _("Tự xếp loại cao hơn mức tối đa theo quy định {n} năm ({years}).").format(
                n=len(years), years=", ".join(str(y) for y in years)
            ),
            {"year": cycle.year, "years": years},
            path,
            name,
        )


def inconsistent(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    """Results of the subtree, this year's or earlier (imported ones above all), that break
    a rule no importer checked: a member disciplined in the year above NOT_COMPLETED (R8); a
    head's level as a leader above the unit they head (R16); a level above its score's band
    (R20); an EXCELLENT organisation with a sub-unit disciplined (R20) or too few of them
    GOOD (R21, where the regime has it); this year, more civil servants excellent in share
    than party members (R28)."""
    cycles = {c.pk: c for c in Cycle.objects.filter(kind=CycleKind.YEAR, year__lte=cycle.year)}
    yield from _disciplined_above(unit, cycle)
    yield from _heads_above(unit, cycle)
    yield from _above_score(unit, cycles)
    yield from _excellent_units(unit, cycles)
    yield from _state_shares(unit, cycle)


def _rule(
    rule: str, code: str, name: str, path: str, year: int, text: str, score: float = 0.9
) -> Signal:
    return Signal(INCONSISTENT, code, score, text, {"rule": rule, "year": year}, path, name)


def _above_score(unit: Unit, cycles: dict[int, Cycle]) -> Iterator[Signal]:
    """Members whose level is above the band of their own score sheet (R20)."""
    rows = MemberEvaluation.objects.filter(
        cycle__in=[pk for pk, c in cycles.items() if c.settings.score_bands],
        unit_path__startswith=unit.path,
        level_final__isnull=False,
        score_general__isnull=False,
        score_task_results__isnull=False,
    ).values_list(
        "cycle_id",
        "member__code",
        "member__full_name",
        "unit_path",
        "level_final",
        "score_general",
        "score_task_results",
    )
    for cycle_id, code, name, path, level, general, tasks in rows.iterator(chunk_size=2000):
        if level is None or general is None or tasks is None:
            continue  # not so: the query asks for all three
        bands = cycles[cycle_id].settings.score_bands
        total = general + tasks
        band = min((lv for lv, least in bands.items() if total >= least), default=None)
        if band is None or level >= band:
            continue
        year = cycles[cycle_id].year
        text = _(
            "Năm {year} được xếp loại “{level}” nhưng tổng điểm tự chấm {score} chỉ thuộc"
            " khung “{band}”."
        ).format(
            year=year,
            level=Level(level).label,
            score=f"{total.normalize():f}".replace(".", ","),
            band=Level(band).label,
        )
        yield _rule("R20", code, name, path, year, text, 0.85)


def _excellent_units(unit: Unit, cycles: dict[int, Cycle]) -> Iterator[Signal]:
    """EXCELLENT organisations with a sub-unit disciplined that year (R20), or with fewer
    of their sub-units GOOD or better, or completing, than the regime asks (R21)."""
    levels: dict[tuple[int, str], tuple[int, bool, str, str]] = {}
    rows = UnitEvaluation.objects.filter(
        cycle__in=list(cycles),
        unit_path__startswith=unit.path,
        kind=UnitEvaluationKind.ORGANISATION,
        level_final__isnull=False,
    ).values_list("cycle_id", "unit_path", "level_final", "disciplined", "unit__code", "unit__name")
    children: dict[tuple[int, str], list[tuple[int, bool]]] = defaultdict(list)
    for cycle_id, path, level, disciplined, code, name in rows.iterator(chunk_size=2000):
        if level is None:
            continue  # not so: the query asks for a level
        levels[(cycle_id, path)] = (level, disciplined, code, name)
        children[(cycle_id, path[:-SEGMENT])].append((level, disciplined))
    for (cycle_id, path), (level, _disciplined, code, name) in levels.items():
        below = children.get((cycle_id, path), [])
        if level != Level.EXCELLENT or not below:
            continue
        year, settings = cycles[cycle_id].year, cycles[cycle_id].settings
        if any(d for _lv, d in below):
            text = _(
                "Năm {year} được xếp loại “{level}” dù có tổ chức đảng trực thuộc bị kỷ luật"
                " trong năm."
            ).format(year=year, level=Level(level).label)
            yield _rule("R20", code, name, path, year, text)
        good = sum(lv <= Level.GOOD for lv, _d in below) * 100 / len(below)
        completed = sum(lv <= Level.COMPLETED for lv, _d in below) * 100 / len(below)
        if not settings.sub_results_rule:
            continue
        if completed < settings.sub_results_min_completed_percent:
            text = _(
                "Năm {year} được xếp loại “{level}” dù có tổ chức trực thuộc không hoàn thành"
                " nhiệm vụ."
            ).format(year=year, level=Level(level).label)
            yield _rule("R21", code, name, path, year, text)
        elif good < settings.sub_results_min_good_percent:
            text = _(
                "Năm {year} được xếp loại “{level}” dù chỉ {good} tổ chức trực thuộc hoàn thành"
                " tốt nhiệm vụ trở lên (cần {least})."
            ).format(
                year=year,
                level=Level(level).label,
                good=vietnamese(Decimal(good), 1),
                least=vietnamese(settings.sub_results_min_good_percent, 0),
            )
            yield _rule("R21", code, name, path, year, text)


def _state_shares(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    """Grassroots units whose civil servants are rated excellent by the state in a larger
    share than their party members (R28, a warning)."""
    if cycle.regime == Regime.LEGACY:
        return
    for standing in state_standings(grassroots(unit, cycle)):
        if not standing.exceeds or standing.party_share is None:
            continue  # no member has a level yet: nothing to compare with
        state, party = standing.printed()
        text = _(
            "Tỷ lệ công chức, viên chức được đánh giá hoàn thành xuất sắc nhiệm vụ ({state})"
            " cao hơn tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ ({party})."
        ).format(state=state, party=party)
        u = standing.unit
        yield _rule("R28", u.code, u.name, u.path, cycle.year, text, 0.6)


def _disciplined_above(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    cycles = {c.pk: c for c in Cycle.objects.filter(kind=CycleKind.YEAR, year__lte=cycle.year)}
    evaluations = MemberEvaluation.objects.filter(
        cycle__in=list(cycles), unit_path__startswith=unit.path
    )
    disciplines: dict[int, list[Discipline]] = defaultdict(list)
    for d in Discipline.objects.filter(member__in=evaluations.values("member_id")):
        disciplines[d.member_id].append(d)
    graded = evaluations.filter(
        member_id__in=list(disciplines),
        level_final__in=(Level.EXCELLENT, Level.GOOD, Level.COMPLETED),
    )
    for e in graded.select_related("member").order_by("cycle__year", "member__code"):
        year = cycles[e.cycle_id]
        counted = [
            d
            for d in disciplines[e.member_id]
            if year.start <= d.decided <= year.end and d.counted_in_id in (None, e.cycle_id)
        ]
        if not counted:
            continue
        yield Signal(
            INCONSISTENT,
            e.member.code,
            0.95,
            _(
                "Bị kỷ luật ({form}, ngày {day}) trong năm {year} nhưng được xếp loại “{level}”;"
                " theo quy định chỉ được xếp loại không hoàn thành nhiệm vụ."
            ).format(
                form=counted[0].get_form_display(),
                day=counted[0].decided.strftime("%d/%m/%Y"),
                year=year.year,
                level=Level(e.level_final or Level.NOT_COMPLETED).label,
            ),
            {"rule": "R8", "year": year.year},
            e.unit_path,
            e.member.full_name,
        )


def _heads_above(unit: Unit, cycle: Cycle) -> Iterator[Signal]:
    heads = (
        LeaderEvaluation.objects.filter(
            cycle__kind=CycleKind.YEAR,
            cycle__year__lte=cycle.year,
            unit_path__startswith=unit.path,
            head=True,
            post__kind=PostKind.PARTY,
            level_final__isnull=False,
        )
        .select_related("member", "unit", "cycle")
        .order_by("cycle__year", "member__code")
    )
    units = {
        (e.cycle_id, e.unit_id): e.level_final
        for e in UnitEvaluation.objects.filter(
            cycle__in=heads.values("cycle_id"),
            unit__in=heads.values("unit_id"),
            kind=UnitEvaluationKind.ORGANISATION,
            level_final__isnull=False,
        )
    }
    for head in heads:
        level = units.get((head.cycle_id, head.unit_id))
        if level is None or head.level_final is None or head.level_final >= level:
            continue
        yield Signal(
            INCONSISTENT,
            head.member.code,
            0.9,
            _(
                "Năm {year}, là người đứng đầu {unit}, được xếp loại “{mine}”, cao hơn mức"
                " “{theirs}” của đơn vị; theo quy định không được cao hơn."
            ).format(
                year=head.cycle.year,
                unit=head.unit.name,
                mine=Level(head.level_final).label,
                theirs=Level(level).label,
            ),
            {"rule": "R16", "year": head.cycle.year, "other": head.unit.code},
            head.unit_path,
            head.member.full_name,
        )
