"""The regimes (RULES.md R1) and every "(config)" setting of RULES.md, in this one place.

A cycle stores its regime; the engine reads every threshold from the regime's
`RegimeSettings`, so a changed guidance is a changed value here, never a hunt for literals.
"""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal

from .i18n import _, gettext_noop
from .levels import DisciplineForm, Grade, Level


class Regime(enum.StrEnum):
    LEGACY = "LEGACY"
    HD21 = "HD21"
    QD124 = "QD124"
    QD366 = "QD366"


class Method(enum.StrEnum):
    """How a regime reaches a level."""

    LABELS = "labels"  # imported labels only (R34)
    GRADES = "grades"  # a grade per criterion + conditions (R18)
    SCORE = "score"  # 100-point score sheet + conditions (R20)


class QuotaBase(enum.StrEnum):
    """What the quota percentage is taken of (R26)."""

    GOOD = "GOOD"
    GOOD_AND_ABOVE = "GOOD_AND_ABOVE"


class UnitGroup(enum.StrEnum):
    """Which organisations (or leadership collectives) a committee decides share a quota
    (R26): those of the same type of field, or all of them."""

    FIELD = "FIELD"
    ALL = "ALL"


class LeaderGroup(enum.StrEnum):
    """Which leaders a committee decides share a quota (R26): those at equivalent posts, the
    same place in their collective (head, deputy, member) at units of the same level, or
    every leader at units of the same level."""

    POST = "POST"
    LEVEL = "LEVEL"


class ExemptBasis(enum.StrEnum):
    """When an exemption from party work and activities takes a member out of a cycle (R2).

    RULES.md R2 exempts a member "for the period", so the default looks at the whole period:
    `ANY_PART`, a member exempt on any day of it gets no review and no level. The review
    covers the member's work and activities over the period, and R2, unlike R4 under HD21 or
    R15, provides no review of a part of it; a member exempt on the reference date is always
    out, as before. `WHOLE_PERIOD` keeps out only members exempt on every day of the period;
    `REFERENCE_DATE` looks at the reference date alone.
    """

    REFERENCE_DATE = "REFERENCE_DATE"
    WHOLE_PERIOD = "WHOLE_PERIOD"
    ANY_PART = "ANY_PART"


class Rounding(enum.StrEnum):
    FLOOR = "FLOOR"
    HALF_UP = "HALF_UP"
    CEILING = "CEILING"


@dataclasses.dataclass(frozen=True)
class GradePattern:
    """The least grade every criterion, and the task-results criterion, must reach."""

    every: Grade
    task_results: Grade


@dataclasses.dataclass(frozen=True)
class RegimeSettings:
    """Everything a regime decides; the defaults are those given in RULES.md."""

    regime: Regime
    text: str  # the regulation named in reasons, e.g. "QĐ 366-QĐ/TW"
    method: Method
    first_year: int | None
    last_year: int | None

    # Scope
    exempt_basis: ExemptBasis = ExemptBasis.ANY_PART  # R2
    new_member_months: int = 6  # R4
    new_member_reviewed: bool = False  # R4: reviewed for the time since admission (HD21)
    new_unit_months: int = 6  # R5
    suspended_reviewed: bool = False  # R3: still reviewed, though not classified (HD21)

    # Forced NOT_COMPLETED
    self_remedied_exception: bool = False  # R8: QD124 "self-detected and remedied"
    min_tasks_done_percent: Decimal | None = Decimal(50)  # R10; None: rule not in force
    poor_grade_forces: bool = False  # R11
    state_level_forces: bool = True  # R12
    min_score: Decimal | None = None  # R13

    # Caps
    sick_leave_cap: bool = True  # R14
    sick_leave_months: Decimal = Decimal(3)  # R14
    sick_leave_level: Level = Level.COMPLETED  # R14
    state_excellent_required: bool = True  # R17

    # Conditions (grades, R18-R19)
    member_criteria: tuple[str, ...] = ()
    unit_criteria: tuple[str, ...] = ()
    task_criterion: str = "tasks"
    grade_patterns: dict[Level, GradePattern] = dataclasses.field(default_factory=dict)
    excellent_tasks_done_percent: Decimal | None = None  # R19
    excellent_exceeded_percent: Decimal | None = None  # R19 (grades) / R20 (score)

    # Conditions (score, R20)
    general_max: Decimal = Decimal(30)
    task_results_max: Decimal = Decimal(70)
    score_bands: dict[Level, Decimal] = dataclasses.field(default_factory=dict)
    collective_completed_max_late_percent: Decimal = Decimal(20)

    # Organisations
    sub_results_rule: bool = False  # R21
    sub_results_min_completed_percent: Decimal = Decimal(100)  # R21
    sub_results_min_good_percent: Decimal = Decimal(80)  # R21
    peer_organisations_rule: bool = False  # R22
    peer_organisations_min_level: Level = Level.GOOD  # R22
    collective_discipline_form: DisciplineForm | None = None  # R23
    disciplined_subunits_max_percent: Decimal | None = None  # R24
    disunity_rule: bool = False  # R25

    # Quota (R26)
    quota_percent: Decimal = Decimal(20)
    quota_base: QuotaBase = QuotaBase.GOOD
    quota_rounding: Rounding = Rounding.FLOOR
    unit_quota_group: UnitGroup = UnitGroup.FIELD
    leader_quota_group: LeaderGroup = LeaderGroup.POST

    def criteria_for(self, subject: str) -> tuple[str, ...]:
        return self.member_criteria if subject == "member" else self.unit_criteria

    def criterion_label(self, criterion: str) -> str:
        """The Vietnamese name of a criterion, as the review forms print it."""
        return _(CRITERION_LABELS.get(criterion, criterion))


# The names of the criteria of the individual and collective review (QĐ 132, QĐ 124), as the
# forms print them; every criterion of a regime below has one (checked by the tests).
CRITERION_LABELS = {
    "politics": gettext_noop("Tư tưởng chính trị"),
    "ethics": gettext_noop("Phẩm chất đạo đức, lối sống"),
    "discipline": gettext_noop("Ý thức tổ chức kỷ luật"),
    "tasks": gettext_noop("Kết quả thực hiện nhiệm vụ được giao"),
    "leadership": gettext_noop("Lãnh đạo, chỉ đạo thực hiện nhiệm vụ chính trị"),
    "organisation": gettext_noop("Công tác tổ chức, cán bộ và xây dựng tổ chức đảng"),
}


_GRADE_PATTERNS = {
    Level.EXCELLENT: GradePattern(every=Grade.GOOD, task_results=Grade.EXCELLENT),
    Level.GOOD: GradePattern(every=Grade.AVERAGE, task_results=Grade.GOOD),
    Level.COMPLETED: GradePattern(every=Grade.AVERAGE, task_results=Grade.AVERAGE),
}

# Criteria of the individual and collective review under QĐ 132 (2018) and QĐ 124 (2023).
_MEMBER_CRITERIA = ("politics", "ethics", "discipline", "tasks")
_UNIT_CRITERIA = ("politics", "leadership", "organisation", "tasks")

SETTINGS: dict[Regime, RegimeSettings] = {
    Regime.LEGACY: RegimeSettings(
        regime=Regime.LEGACY,
        text="HD 20-HD/BTCTW, HD 27-HD/BTCTW",
        method=Method.LABELS,
        first_year=None,
        last_year=2017,
        min_tasks_done_percent=None,
        state_level_forces=False,
        sick_leave_cap=False,
        state_excellent_required=False,
    ),
    Regime.HD21: RegimeSettings(
        regime=Regime.HD21,
        text="QĐ 132-QĐ/TW, HD 21-HD/BTCTW",
        method=Method.GRADES,
        first_year=2018,
        last_year=2022,
        new_member_reviewed=True,
        suspended_reviewed=True,
        poor_grade_forces=True,
        member_criteria=_MEMBER_CRITERIA,
        unit_criteria=_UNIT_CRITERIA,
        grade_patterns=_GRADE_PATTERNS,
        sub_results_rule=True,
        peer_organisations_rule=True,
        collective_discipline_form=DisciplineForm.WARNING,
    ),
    Regime.QD124: RegimeSettings(
        regime=Regime.QD124,
        text="QĐ 124-QĐ/TW",
        method=Method.GRADES,
        first_year=2023,
        last_year=2024,
        poor_grade_forces=True,
        member_criteria=_MEMBER_CRITERIA,
        unit_criteria=_UNIT_CRITERIA,
        grade_patterns=_GRADE_PATTERNS,
        excellent_tasks_done_percent=Decimal(100),
        excellent_exceeded_percent=Decimal(50),
        disciplined_subunits_max_percent=Decimal(20),
        disunity_rule=True,
    ),
    Regime.QD366: RegimeSettings(
        regime=Regime.QD366,
        text="QĐ 366-QĐ/TW",
        method=Method.SCORE,
        first_year=2025,
        last_year=None,
        min_score=Decimal(50),
        excellent_exceeded_percent=Decimal(30),
        score_bands={
            Level.EXCELLENT: Decimal(90),
            Level.GOOD: Decimal(70),
            Level.COMPLETED: Decimal(50),
        },
        disciplined_subunits_max_percent=Decimal(20),
        disunity_rule=True,
    ),
}


def regime_for_year(year: int) -> Regime:
    """The regime in force for an evaluation year (R1; the boundaries are settings)."""
    for settings in SETTINGS.values():
        after_start = settings.first_year is None or year >= settings.first_year
        before_end = settings.last_year is None or year <= settings.last_year
        if after_start and before_end:
            return settings.regime
    raise ValueError(f"no regime covers the year {year}")
