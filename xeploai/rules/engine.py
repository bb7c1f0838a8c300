"""The classification engine: facts in, the level the facts allow and why, out.

The engine answers the best level a subject may be given (its ceiling); the people in the
workflow may decide a lower one, never a higher one.
"""

from __future__ import annotations

import dataclasses

from .facts import Exemption, MemberFacts, Period, Score, Tasks, UnitFacts, UnitKind
from .i18n import _
from .levels import DisciplineForm, Grade, Level, Status
from .reasons import Reason, Trace, number, percent
from .regimes import GradePattern, Method, RegimeSettings
from .scope import exemption_for
from .spans import months_after


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The engine's answer for one subject."""

    id: str
    status: Status
    level: Level | None
    reasons: tuple[Reason, ...]
    reviewed: bool = True  # whether the subject still goes through the review (R3, R4)
    missing: tuple[str, ...] = ()  # facts the regime needs that are not entered yet


def classify_member(facts: MemberFacts, period: Period, settings: RegimeSettings) -> Verdict:
    """The level one member's facts allow under a regime, with every reason."""
    trace = Trace(settings)
    scoped = _member_scope(facts, period, settings, trace)
    if scoped is not None:
        return scoped
    missing = _missing(facts.tasks, facts.grades, facts.score, settings, "member")
    if facts.leader and facts.led_units_tasks is None:
        missing += ("led_units_tasks",)
    if missing:
        return _pending(facts.id, settings, trace, missing)
    base = _base_level(facts.tasks, facts.grades, facts.score, facts, settings, trace)
    _member_forced(facts, period, settings, trace)
    _member_caps(facts, settings, trace)
    if not facts.head_of_unit_final:
        # R16: a head is classified only once the level of the unit they head is final.
        trace.note(
            "R16",
            _("Chưa có kết quả chính thức của đơn vị do đồng chí đứng đầu"),
            Status.PENDING.label,
        )
        return Verdict(facts.id, Status.PENDING, None, tuple(trace.reasons))
    return Verdict(facts.id, Status.CLASSIFIED, base.cap(trace.ceiling), tuple(trace.reasons))


def classify_unit(facts: UnitFacts, period: Period, settings: RegimeSettings) -> Verdict:
    """The level one organisation or leadership collective's facts allow, with every reason."""
    trace = Trace(settings)
    _require_method(settings)
    if months_after(facts.founded, settings.new_unit_months) > period.reference_date:
        trace.note(
            "R5",
            _("Thành lập chưa đủ {months} tháng", months=number(settings.new_unit_months)),
            Status.NOT_CLASSIFIED.label,
        )
        return Verdict(facts.id, Status.NOT_CLASSIFIED, None, tuple(trace.reasons), False)
    missing = _missing(facts.tasks, facts.grades, facts.score, settings, "unit")
    if missing:
        return _pending(facts.id, settings, trace, missing)
    base = _base_level(facts.tasks, facts.grades, facts.score, facts, settings, trace)
    _unit_forced(facts, settings, trace)
    _unit_excellent_conditions(facts, settings, trace)
    return Verdict(facts.id, Status.CLASSIFIED, base.cap(trace.ceiling), tuple(trace.reasons))


def _unmet(level: Level, why: str) -> str:
    return _("Chưa đạt điều kiện mức {level}: {why}", level=level.label, why=why)


def _require_method(settings: RegimeSettings) -> None:
    if settings.method is Method.LABELS:
        raise ValueError(f"{settings.regime} results are imported labels, not computed")


def _member_scope(
    facts: MemberFacts, period: Period, settings: RegimeSettings, trace: Trace
) -> Verdict | None:
    """R2-R4: the members who get no level this cycle."""
    _require_method(settings)
    exemption = (
        exemption_for(facts.exemptions, period, settings.exempt_basis) if facts.exemptions else None
    )
    if facts.exempt or exemption is not None:
        trace.note("R2", _exempt_text(facts, exemption), Status.EXEMPT.label)
        return Verdict(facts.id, Status.EXEMPT, None, tuple(trace.reasons), reviewed=False)
    if facts.suspended and facts.suspended_from_committee_only:
        trace.note("R3", _("Chỉ bị đình chỉ sinh hoạt cấp ủy: vẫn kiểm điểm, xếp loại như thường"))
    elif facts.suspended:
        trace.note("R3", _("Đang bị đình chỉ sinh hoạt đảng"), Status.NOT_CLASSIFIED.label)
        return Verdict(
            facts.id,
            Status.NOT_CLASSIFIED,
            None,
            tuple(trace.reasons),
            reviewed=settings.suspended_reviewed,
        )
    if months_after(facts.admitted, settings.new_member_months) > period.reference_date:
        months = number(settings.new_member_months)
        trace.note(
            "R4",
            _("Vào Đảng chưa đủ {months} tháng tính đến thời điểm đánh giá", months=months),
            Status.NOT_CLASSIFIED.label,
        )
        return Verdict(
            facts.id,
            Status.NOT_CLASSIFIED,
            None,
            tuple(trace.reasons),
            reviewed=settings.new_member_reviewed,
        )
    return None


def _exempt_text(facts: MemberFacts, exemption: Exemption | None) -> str:
    """R2: the exemption, with its dates when they are known, and its reason."""
    what = _("Miễn công tác và sinh hoạt đảng")
    reason = facts.exempt_reason
    if exemption is not None and not facts.exempt:
        start = f"{exemption.start:%d/%m/%Y}"
        what = (
            _("Miễn công tác và sinh hoạt đảng từ ngày {start}", start=start)
            if exemption.end is None
            else _(
                "Miễn công tác và sinh hoạt đảng từ ngày {start} đến ngày {end}",
                start=start,
                end=f"{exemption.end:%d/%m/%Y}",
            )
        )
        reason = exemption.reason
    return f"{what}: {reason}" if reason else what


def _missing(
    tasks: Tasks | None,
    grades: dict[str, Grade] | None,
    score: Score | None,
    settings: RegimeSettings,
    subject: str,
) -> tuple[str, ...]:
    missing: list[str] = []
    if tasks is None:
        missing.append("tasks")
    if settings.method is Method.SCORE and score is None:
        missing.append("score")
    if settings.method is Method.GRADES:
        given = grades or {}
        missing += [f"grades.{c}" for c in settings.criteria_for(subject) if c not in given]
    return tuple(missing)


def _pending(id_: str, settings: RegimeSettings, trace: Trace, missing: tuple[str, ...]) -> Verdict:
    rule = "R20" if settings.method is Method.SCORE else "R18"
    text = (
        _("Chưa đủ phiếu chấm điểm và kết quả thực hiện nhiệm vụ")
        if settings.method is Method.SCORE
        else _("Chưa đủ đánh giá theo tiêu chí và kết quả thực hiện nhiệm vụ")
    )
    trace.note(rule, text, Status.PENDING.label)
    return Verdict(id_, Status.PENDING, None, tuple(trace.reasons), missing=missing)


def _base_level(
    tasks: Tasks | None,
    grades: dict[str, Grade] | None,
    score: Score | None,
    facts: MemberFacts | UnitFacts,
    settings: RegimeSettings,
    trace: Trace,
) -> Level:
    assert tasks is not None
    if settings.method is Method.SCORE:
        assert score is not None
        return _score_level(score, tasks, facts, settings, trace)
    assert grades is not None
    return _grade_level(grades, tasks, facts, settings, trace)


def _score_level(
    score: Score,
    tasks: Tasks,
    facts: MemberFacts | UnitFacts,
    settings: RegimeSettings,
    trace: Trace,
) -> Level:
    """R13, R20: the score band, then down to the first band whose conditions hold."""
    total = score.total
    if settings.min_score is not None and total < settings.min_score:
        trace.force(
            "R13",
            _(
                "Tổng điểm {total} dưới {least} điểm",
                total=number(total),
                least=number(settings.min_score),
            ),
        )
        return Level.NOT_COMPLETED
    band = min(
        (level for level, floor in settings.score_bands.items() if total >= floor),
        default=Level.NOT_COMPLETED,
    )
    trace.note(
        "R20", _("Tổng điểm {total} thuộc khung {band}", total=number(total), band=band.label)
    )
    for level in Level:
        if level < band:
            continue
        if level is Level.NOT_COMPLETED:
            return level
        failures = _score_conditions(level, tasks, facts, settings)
        if not failures:
            return level
        trace.note("R20", _unmet(level, "; ".join(failures)))
    return Level.NOT_COMPLETED  # pragma: no cover - the loop returns at NOT_COMPLETED


def _score_conditions(
    level: Level, tasks: Tasks, facts: MemberFacts | UnitFacts, settings: RegimeSettings
) -> list[str]:
    """The conditions of R20 that a band fails, as phrases."""
    failures: list[str] = []
    collective = isinstance(facts, UnitFacts)
    if level in (Level.EXCELLENT, Level.GOOD) and not tasks.all_on_time:
        failures.append(_tasks_phrase(tasks))
    if level is Level.EXCELLENT:
        failures += _excellent_failures(tasks, facts, settings)
    if level is Level.GOOD and isinstance(facts, MemberFacts) and facts.leader:
        led = facts.led_units_tasks
        if led is not None and not led.all_on_time:
            failures.append(
                _("đơn vị do đồng chí lãnh đạo chưa hoàn thành 100 % nhiệm vụ đúng hạn")
            )
    if level is Level.COMPLETED and collective:
        max_late = settings.collective_completed_max_late_percent
        if tasks.done_percent < 100 or tasks.late_percent > max_late:
            failures.append(
                _(
                    "hoàn thành {done} nhiệm vụ, {late} chậm tiến độ"
                    " (cần 100 %, chậm không quá {most})",
                    done=percent(tasks.done_percent),
                    late=percent(tasks.late_percent),
                    most=percent(max_late),
                )
            )
    return failures


def _tasks_phrase(tasks: Tasks) -> str:
    return _(
        "hoàn thành {done} nhiệm vụ, {late} chậm tiến độ (cần 100 % đúng hạn)",
        done=percent(tasks.done_percent),
        late=percent(tasks.late_percent),
    )


def _excellent_failures(
    tasks: Tasks, facts: MemberFacts | UnitFacts, settings: RegimeSettings
) -> list[str]:
    failures: list[str] = []
    need = settings.excellent_exceeded_percent
    if need is not None and tasks.exceeded_percent < need:
        failures.append(
            _(
                "vượt {exceeded} nhiệm vụ (cần ít nhất {need})",
                exceeded=percent(tasks.exceeded_percent),
                need=percent(need),
            )
        )
    if not facts.weaknesses.all_fixed:
        w = facts.weaknesses
        failures.append(
            _(
                "mới khắc phục {fixed}/{total} hạn chế, khuyết điểm đã chỉ ra",
                fixed=number(w.fixed),
                total=number(w.total),
            )
        )
    if isinstance(facts, UnitFacts):
        if facts.subunits_disciplined:
            failures.append(
                _("có {n} tổ chức trực thuộc bị kỷ luật", n=number(facts.subunits_disciplined))
            )
        if facts.leadership_discipline:
            failures.append(_("có thành viên tập thể lãnh đạo bị kỷ luật trong năm"))
    elif facts.leader and facts.led_units_tasks is not None:
        led = facts.led_units_tasks
        if not led.all_on_time or (need is not None and led.exceeded_percent < need):
            failures.append(
                _(
                    "đơn vị do đồng chí lãnh đạo chưa hoàn thành 100 % nhiệm vụ"
                    " với ít nhất {need} vượt mức",
                    need=percent(need or 0),
                )
            )
    return failures


def _grade_level(
    grades: dict[str, Grade],
    tasks: Tasks,
    facts: MemberFacts | UnitFacts,
    settings: RegimeSettings,
    trace: Trace,
) -> Level:
    """R11, R18, R19: the best level whose grade pattern (and, for EXCELLENT, targets) hold."""
    poor = [c for c, g in grades.items() if g is Grade.POOR]
    if poor and settings.poor_grade_forces:
        names = "; ".join(settings.criterion_label(c) for c in poor)
        trace.force("R11", _("Tiêu chí xếp loại Kém: {criteria}", criteria=names))
        return Level.NOT_COMPLETED
    for level in (Level.EXCELLENT, Level.GOOD, Level.COMPLETED):
        below = _below_pattern(grades, settings.grade_patterns[level], settings)
        if below:
            trace.note("R18", _unmet(level, "; ".join(below)))
            continue
        if level is Level.EXCELLENT and isinstance(facts, MemberFacts):
            failure = _targets_failure(tasks, settings)
            if failure:
                trace.note("R19", _unmet(level, failure))
                continue
        return level
    return Level.NOT_COMPLETED


def _below_pattern(
    grades: dict[str, Grade], pattern: GradePattern, settings: RegimeSettings
) -> list[str]:
    """R18: the criteria below a level's grade pattern, each with its grade and the need."""
    below: list[str] = []
    for criterion, grade in grades.items():
        need = pattern.every
        if criterion == settings.task_criterion:
            need = min(need, pattern.task_results)  # the better of the two grades
        if not grade.at_least(need):
            below.append(
                _(
                    "tiêu chí {criterion} xếp loại {grade}, chưa đạt {need}",
                    criterion=settings.criterion_label(criterion),
                    grade=grade.label,
                    need=need.label,
                )
            )
    return below


def _targets_failure(tasks: Tasks, settings: RegimeSettings) -> str:
    done, exceeded = settings.excellent_tasks_done_percent, settings.excellent_exceeded_percent
    if done is None:
        return ""
    if tasks.done_percent < done or tasks.exceeded_percent < (exceeded or 0):
        return _(
            "hoàn thành {done} chỉ tiêu, vượt {exceeded} (cần {need}, vượt ít nhất {over})",
            done=percent(tasks.done_percent),
            exceeded=percent(tasks.exceeded_percent),
            need=percent(done),
            over=percent(exceeded or 0),
        )
    return ""


def _member_forced(
    facts: MemberFacts, period: Period, settings: RegimeSettings, trace: Trace
) -> None:
    """R8-R10, R12: facts that force NOT_COMPLETED."""
    for d in facts.discipline:
        if not period.contains(d.decided):
            continue
        what = _("{form} ngày {date}", form=d.form.label, date=f"{d.decided:%d/%m/%Y}")
        if d.counted_in_year is not None and d.counted_in_year < period.end.year:
            trace.note(
                "R8",
                _(
                    "{what}: vi phạm đã tính khi xếp loại năm {year}",
                    what=what,
                    year=d.counted_in_year,
                ),
            )
        elif d.self_remedied and settings.self_remedied_exception:
            trace.note(
                "R8", _("{what}: vi phạm tự phát hiện và đã khắc phục, không tính", what=what)
            )
        else:
            trace.force("R8", _("Bị kỷ luật trong năm đánh giá ({what})", what=what))
    if facts.degraded:
        trace.force(
            "R9",
            _(
                'Kết luận suy thoái, "tự diễn biến", "tự chuyển hóa"'
                " hoặc vi phạm điều đảng viên không được làm"
            ),
        )
    _tasks_forced(facts.tasks, settings, trace)
    if facts.leader:
        _unit_tasks_forced(facts.led_units_tasks, settings, trace, led=True)
    if facts.civil_servant and settings.state_level_forces and facts.state_level == "NOT_COMPLETED":
        trace.force("R12", _("Xếp loại công chức, viên chức: Không hoàn thành nhiệm vụ"))


def _tasks_forced(tasks: Tasks | None, settings: RegimeSettings, trace: Trace) -> None:
    """R10 on a member's own tasks: under the least share done forces NOT_COMPLETED."""
    least = settings.min_tasks_done_percent
    if tasks is not None and least is not None and tasks.done_percent < least:
        trace.force(
            "R10",
            _(
                "Chỉ hoàn thành {done} nhiệm vụ (dưới {least})",
                done=percent(tasks.done_percent),
                least=percent(least),
            ),
        )


def _unit_tasks_forced(
    tasks: Tasks | None, settings: RegimeSettings, trace: Trace, *, led: bool
) -> None:
    """R10 on a unit's results: its own, or those of the units a leader leads (`led`).

    Under the least share done forces NOT_COMPLETED only with key targets missed and no
    force majeure: force majeure, or key targets recorded as met, excuse the shortfall.
    Where the facts do not record the key targets (None), the least share alone decides for
    the unit itself; a leader is held to the rule's words, key targets missed.
    """
    least = settings.min_tasks_done_percent
    if tasks is None or least is None or tasks.done_percent >= least:
        return
    if tasks.force_majeure or tasks.key_targets_missed is False:
        return
    done, under = percent(tasks.done_percent), percent(least)
    if led:
        if not tasks.key_targets_missed:
            return
        text = _(
            "Đơn vị do đồng chí lãnh đạo chỉ hoàn thành {done} chỉ tiêu,"
            " không đạt chỉ tiêu chủ yếu, không do bất khả kháng",
            done=done,
        )
    elif tasks.key_targets_missed:
        text = _(
            "Chỉ hoàn thành {done} nhiệm vụ (dưới {least}),"
            " không đạt chỉ tiêu chủ yếu, không do bất khả kháng",
            done=done,
            least=under,
        )
    else:
        text = _("Chỉ hoàn thành {done} nhiệm vụ (dưới {least})", done=done, least=under)
    trace.force("R10", text)


def _member_caps(facts: MemberFacts, settings: RegimeSettings, trace: Trace) -> None:
    """R14-R17: caps."""
    if settings.sick_leave_cap and facts.sick_leave_months >= settings.sick_leave_months:
        trace.cap(
            "R14",
            settings.sick_leave_level,
            _(
                "Nghỉ ốm {months} tháng trong năm (từ {least} tháng)",
                months=number(facts.sick_leave_months),
                least=number(settings.sick_leave_months),
            ),
        )
    if facts.maternity_leave_months > 0:
        trace.note("R15", _("Nghỉ thai sản: đánh giá theo thời gian công tác, không hạ mức"))
    if facts.head_of_unit_level is not None and facts.head_of_unit_final:
        trace.cap(
            "R16",
            facts.head_of_unit_level,
            _(
                "Người đứng đầu: không cao hơn mức của đơn vị ({level})",
                level=facts.head_of_unit_level.label,
            ),
        )
    if (
        facts.civil_servant
        and settings.state_excellent_required
        and facts.state_level != "EXCELLENT"
    ):
        trace.cap(
            "R17",
            Level.GOOD,
            _("Công chức, viên chức chưa được xếp loại xuất sắc trong đánh giá công chức"),
        )


def _unit_forced(facts: UnitFacts, settings: RegimeSettings, trace: Trace) -> None:
    """R10, R23-R25: facts that force a collective to NOT_COMPLETED."""
    _unit_tasks_forced(facts.tasks, settings, trace, led=False)
    form = settings.collective_discipline_form
    if form is not None and facts.kind is UnitKind.COLLECTIVE:
        serious = [f for f in facts.leadership_discipline if f >= form]
        if serious:
            worst = DisciplineForm(max(serious)).label
            trace.force(
                "R23",
                _("Tập thể lãnh đạo có thành viên bị kỷ luật {form} trong năm", form=worst.lower()),
            )
    share = settings.disciplined_subunits_max_percent
    if share is not None:
        if facts.disciplined:
            trace.force("R24", _("Tập thể bị kỷ luật trong năm"))
        if facts.subunits and facts.subunits_disciplined * 100 > share * facts.subunits:
            trace.force(
                "R24",
                _(
                    "{n}/{total} tổ chức trực thuộc bị kỷ luật (trên {most})",
                    n=number(facts.subunits_disciplined),
                    total=number(facts.subunits),
                    most=percent(share),
                ),
            )
    if settings.disunity_rule and (facts.disunity or facts.degraded_member):
        what = (
            _("Tập thể được kết luận mất đoàn kết nội bộ")
            if facts.disunity
            else _("Tập thể được kết luận có thành viên suy thoái")
        )
        trace.force("R25", what)


def _unit_excellent_conditions(facts: UnitFacts, settings: RegimeSettings, trace: Trace) -> None:
    """R21, R22: conditions on sub-units and peer organisations for EXCELLENT."""
    if settings.sub_results_rule and facts.grassroots_or_cell and facts.sub_results:
        results = facts.sub_results
        completed = sum(1 for r in results if r <= Level.COMPLETED)
        good = sum(1 for r in results if r <= Level.GOOD)
        need_completed = settings.sub_results_min_completed_percent
        need_good = settings.sub_results_min_good_percent
        if completed * 100 < need_completed * len(results) or good * 100 < need_good * len(results):
            trace.cap(
                "R21",
                Level.GOOD,
                _(
                    "Trong {n} tổ chức, đảng viên trực thuộc được xếp loại: {completed} hoàn thành"
                    " nhiệm vụ trở lên (cần {need_completed}), {good} hoàn thành tốt trở lên"
                    " (cần {need_good})",
                    n=number(len(results)),
                    completed=number(completed),
                    need_completed=percent(need_completed),
                    good=number(good),
                    need_good=percent(need_good),
                ),
            )
    if settings.peer_organisations_rule and facts.peer_levels:
        floor = settings.peer_organisations_min_level
        below = [p for p in facts.peer_levels if p > floor]
        if below:
            trace.cap(
                "R22",
                Level.GOOD,
                _(
                    "Chính quyền, Mặt trận hoặc đoàn thể cùng cấp có {n} tổ chức dưới mức {level}",
                    n=number(len(below)),
                    level=floor.label,
                ),
            )
