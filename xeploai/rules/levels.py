"""Levels, statuses and criterion grades, with the Vietnamese words for them."""

from __future__ import annotations

import enum


class Level(enum.IntEnum):
    """A quality level; a smaller number is a better level (RULES.md: EXCELLENT (1) > ...)."""

    EXCELLENT = 1
    GOOD = 2
    COMPLETED = 3
    NOT_COMPLETED = 4

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def short(self) -> str:
        return LEVEL_SHORT[self]

    def cap(self, other: Level) -> Level:
        """This level, made no better than `other`."""
        return max(self, other)

    def is_better_than(self, other: Level) -> bool:
        return self < other


LEVEL_LABELS = {
    Level.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Level.GOOD: "Hoàn thành tốt nhiệm vụ",
    Level.COMPLETED: "Hoàn thành nhiệm vụ",
    Level.NOT_COMPLETED: "Không hoàn thành nhiệm vụ",
}

LEVEL_SHORT = {
    Level.EXCELLENT: "HTXSNV",
    Level.GOOD: "HTTNV",
    Level.COMPLETED: "HTNV",
    Level.NOT_COMPLETED: "KHTNV",
}


class Status(enum.StrEnum):
    """Whether a subject got a level at all (DOMAIN.md 6: statuses, not levels)."""

    CLASSIFIED = "CLASSIFIED"
    EXEMPT = "EXEMPT"
    PENDING = "PENDING"
    NOT_CLASSIFIED = "NOT_CLASSIFIED"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.CLASSIFIED: "Đã xếp loại",
    Status.EXEMPT: "Miễn đánh giá",
    Status.PENDING: "Chưa đánh giá",
    Status.NOT_CLASSIFIED: "Không xếp loại",
}


class Grade(enum.IntEnum):
    """A criterion grade under HD21 and QD124; a smaller number is a better grade."""

    EXCELLENT = 1
    GOOD = 2
    AVERAGE = 3
    POOR = 4

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    def at_least(self, other: Grade) -> bool:
        return self <= other


GRADE_LABELS = {
    Grade.EXCELLENT: "Xuất sắc",
    Grade.GOOD: "Tốt",
    Grade.AVERAGE: "Trung bình",
    Grade.POOR: "Kém",
}


class DisciplineForm(enum.IntEnum):
    """Forms of discipline, from the mildest; R23 counts warning and above."""

    REPRIMAND = 1
    WARNING = 2
    DISMISSAL = 3
    EXPULSION = 4

    @property
    def label(self) -> str:
        return DISCIPLINE_LABELS[self]


DISCIPLINE_LABELS = {
    DisciplineForm.REPRIMAND: "Khiển trách",
    DisciplineForm.WARNING: "Cảnh cáo",
    DisciplineForm.DISMISSAL: "Cách chức",
    DisciplineForm.EXPULSION: "Khai trừ",
}
