"""The facts the engine reads: plain dataclasses, filled from rows or from JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from decimal import Decimal

from .levels import DisciplineForm, Grade, Level
from .spans import Span


@dataclasses.dataclass(frozen=True)
class Period:
    """The evaluation period of a cycle and its reference date (R4, R5, R8)."""

    start: dt.date
    end: dt.date
    reference_date: dt.date

    @classmethod
    def year(cls, year: int, reference_date: dt.date | None = None) -> Period:
        end = dt.date(year, 12, 31)
        return cls(start=dt.date(year, 1, 1), end=end, reference_date=reference_date or end)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclasses.dataclass(frozen=True)
class Discipline:
    """One discipline decision (R8)."""

    form: DisciplineForm
    decided: dt.date
    # The year of an earlier classification that already counted this violation.
    counted_in_year: int | None = None
    self_remedied: bool = False  # QD124's "self-detected and remedied" (config)


@dataclasses.dataclass(frozen=True)
class Exemption(Span):
    """A period of exemption from party work and activities (R2), with its reason."""

    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Tasks:
    """Results against the year's assigned tasks or targets, in percent of them.

    For a unit's own results and the results of the units a leader leads, R10 also reads
    whether key targets were missed (None: not recorded) and whether force majeure explains
    the shortfall; a member's own tasks have neither.
    """

    done_percent: Decimal
    late_percent: Decimal = Decimal(0)
    exceeded_percent: Decimal = Decimal(0)
    key_targets_missed: bool | None = None  # R10
    force_majeure: bool = False  # R10

    @property
    def all_on_time(self) -> bool:
        return self.done_percent >= 100 and self.late_percent <= 0


@dataclasses.dataclass(frozen=True)
class Score:
    """The QD366 score sheet: general criteria and task results (R20)."""

    general: Decimal
    task_results: Decimal

    @property
    def total(self) -> Decimal:
        return self.general + self.task_results


@dataclasses.dataclass(frozen=True)
class Weaknesses:
    """Follow-up items carried from earlier reviews, and how many were fixed (R20, R37)."""

    total: int = 0
    fixed: int = 0

    @property
    def all_fixed(self) -> bool:
        return self.fixed >= self.total


class StateLevel(enum.StrEnum):
    """A civil servant's level in the state evaluation (R12, R17)."""

    EXCELLENT = "EXCELLENT"
    GOOD = "GOOD"
    COMPLETED = "COMPLETED"
    NOT_COMPLETED = "NOT_COMPLETED"


@dataclasses.dataclass(frozen=True)
class MemberFacts:
    """What is known of one member for one cycle.

    `None` for a sheet the regime needs (score, grades, tasks) means "not entered yet":
    the engine then answers PENDING and names the missing fact.
    """

    id: str
    admitted: dt.date
    exempt: bool = False  # R2: exempt for the period, as the caller judged it
    exempt_reason: str = ""
    exemptions: tuple[Exemption, ...] = ()  # R2: judged by the regime's `exempt_basis`
    suspended: bool = False  # R3
    suspended_from_committee_only: bool = False  # R3
    discipline: tuple[Discipline, ...] = ()  # R8
    degraded: bool = False  # R9
    tasks: Tasks | None = None  # R10, R19, R20
    grades: dict[str, Grade] | None = None  # R11, R18
    score: Score | None = None  # R13, R20
    weaknesses: Weaknesses = Weaknesses()  # R20, R37
    civil_servant: bool = False  # R12, R17
    state_level: StateLevel | None = None  # R12, R17
    sick_leave_months: Decimal = Decimal(0)  # R14
    maternity_leave_months: Decimal = Decimal(0)  # R15
    # As a leader (R10, R16, R20): the results of the units they lead, and the level of the
    # unit they head when classified as its head; until that level is final
    # (`head_of_unit_final` false, with or without a level yet) the head waits (R16).
    leader: bool = False
    led_units_tasks: Tasks | None = None
    head_of_unit_level: Level | None = None
    head_of_unit_final: bool = True


class UnitKind(enum.StrEnum):
    """Kinds of subject on the organisation side (DOMAIN.md 2 and 4)."""

    ORGANISATION = "organisation"  # a party organisation: committee, grassroots unit or cell
    COLLECTIVE = "collective"  # the leadership collective (committee) of a unit


@dataclasses.dataclass(frozen=True)
class UnitFacts:
    """What is known of one organisation or leadership collective for one cycle."""

    id: str
    founded: dt.date
    kind: UnitKind = UnitKind.ORGANISATION
    grassroots_or_cell: bool = True  # R21 applies to grassroots committees and cells
    disciplined: bool = False  # R24
    subunits: int = 0  # R24
    subunits_disciplined: int = 0  # R20, R24
    leadership_discipline: tuple[DisciplineForm, ...] = ()  # R20, R23
    disunity: bool = False  # R25
    degraded_member: bool = False  # R25
    tasks: Tasks | None = None
    grades: dict[str, Grade] | None = None
    score: Score | None = None
    weaknesses: Weaknesses = Weaknesses()
    # Levels of the classified sub-units (of a committee) or members (of a cell) (R21).
    sub_results: tuple[Level, ...] | None = None
    # Levels of the government, Fatherland Front and mass organisations of the same unit (R22).
    peer_levels: tuple[Level, ...] | None = None
