"""Levels, statuses and criterion grades, with the Vietnamese words for them."""

from __future__ import annotations

import enum

from .i18n import _, gettext_noop


class Level(enum.IntEnum):
    """A quality level; a smaller number is a better level (RULES.md: EXCELLENT (1) > ...)."""

    EXCELLENT = 1
    GOOD = 2
    COMPLETED = 3
    NOT_COMPLETED = 4

    @property
    def label(self) -> str:
        return _(LEVEL_LABELS[self])

    @property
    def short(self) -> str:
        return LEVEL_SHORT[self]

    def cap(self, other: Level) -> Level:
        """This level, made no better than `other`."""
        return max(self, other)

    def is_better_than(self, other: Level) -> bool:
        return self < other


LEVEL_LABELS = {
    Level.EXCELLENT: gettext_noop("Hoàn thành xuất sắc nhiệm vụ"),
    Level.GOOD: gettext_noop("Hoàn thành tốt nhiệm vụ"),
    Level.COMPLETED: gettext_noop("Hoàn thành nhiệm vụ"),
    Level.NOT_COMPLETED: gettext_noop("Không hoàn thành nhiệm vụ"),
}

LEVEL_SHORT = {
    Level.EXCELLENT: gettext_noop("HTXSNV"),
    Level.GOOD: gettext_noop("HTTNV"),
    Level.COMPLETED: gettext_noop("HTNV"),
    Level.NOT_COMPLETED: gettext_noop("KHTNV"),
}


class Status(enum.StrEnum):
    """Whether a subject got a level at all (DOMAIN.md 6: statuses, not levels)."""

    CLASSIFIED = "CLASSIFIED"
    EXEMPT = "EXEMPT"
    PENDING = "PENDING"
    NOT_CLASSIFIED = "NOT_CLASSIFIED"

    @property
    def label(self) -> str:
        return _(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.CLASSIFIED: gettext_noop("Đã xếp loại"),
    Status.EXEMPT: gettext_noop("Miễn đánh giá"),
    Status.PENDING: gettext_noop("Chưa đánh giá"),
    Status.NOT_CLASSIFIED: gettext_noop("Không xếp loại"),
}


class Grade(enum.IntEnum):
    """A criterion grade under HD21 and QD124; a smaller number is a better grade."""

    EXCELLENT = 1
    GOOD = 2
    AVERAGE = 3
    POOR = 4

    @property
    def label(self) -> str:
        return _(GRADE_LABELS[self])

    def at_least(self, other: Grade) -> bool:
        return self <= other


GRADE_LABELS = {
    Grade.EXCELLENT: gettext_noop("Xuất sắc"),
    Grade.GOOD: gettext_noop("Tốt"),
    Grade.AVERAGE: gettext_noop("Trung bình"),
    Grade.POOR: gettext_noop("Kém"),
}


class DisciplineForm(enum.IntEnum):
    """Forms of discipline, from the mildest; R23 counts warning and above."""

    REPRIMAND = 1
    WARNING = 2
    DISMISSAL = 3
    EXPULSION = 4

    @property
    def label(self) -> str:
        return _(DISCIPLINE_LABELS[self])


DISCIPLINE_LABELS = {
    DisciplineForm.REPRIMAND: gettext_noop("Khiển trách"),
    DisciplineForm.WARNING: gettext_noop("Cảnh cáo"),
    DisciplineForm.DISMISSAL: gettext_noop("Cách chức"),
    DisciplineForm.EXPULSION: gettext_noop("Khai trừ"),
}
