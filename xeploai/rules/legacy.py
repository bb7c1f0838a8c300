"""Labels of earlier regimes and how they rank (R34).

Legacy labels map to an ordinal by rank only; they are kept as imported and never reported
as a current level.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from .levels import LEVEL_LABELS, STATUS_LABELS, Level, Status


@dataclasses.dataclass(frozen=True)
class LegacyResult:
    label: str  # as imported
    ordinal: int  # 1 (best) to 4
    exemplary: bool  # "trong sạch vững mạnh tiêu biểu"


def fold(text: str) -> str:
    """Accent-, case- and space-insensitive key: "Trong  Sạch" → "trong sach"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace(",", " , ").split()).replace(" ,", ",")


_LEGACY_LABELS: dict[str, tuple[int, bool]] = {
    "Trong sạch vững mạnh tiêu biểu": (1, True),
    "Trong sạch vững mạnh": (1, False),
    "Hoàn thành tốt nhiệm vụ": (2, False),
    "Hoàn thành nhiệm vụ": (3, False),
    "Yếu kém": (4, False),
    "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ": (1, False),
    "Đủ tư cách, hoàn thành tốt nhiệm vụ": (2, False),
    "Đủ tư cách, hoàn thành nhiệm vụ": (3, False),
    "Đủ tư cách, hoàn thành nhiệm vụ nhưng còn hạn chế": (3, False),
    "Vi phạm tư cách": (4, False),
}
_LEGACY = {fold(label): value for label, value in _LEGACY_LABELS.items()}
_CURRENT = {fold(label): level for level, label in LEVEL_LABELS.items()}
_CURRENT.update({fold(level.short): level for level in Level})
_CURRENT.update({fold(level.name): level for level in Level})
_STATUSES = {fold(label): status for status, label in STATUS_LABELS.items()}
_STATUSES.update({fold(status.value): status for status in Status})


def parse_level(label: str) -> Level | None:
    """A current level from its Vietnamese label, abbreviation or code, or None."""
    return _CURRENT.get(fold(label))


def parse_status(label: str) -> Status | None:
    """A non-level status ("Miễn đánh giá", ...) from its label or code, or None."""
    return _STATUSES.get(fold(label))


def rank_label(label: str) -> LegacyResult | None:
    """The ordinal of any result label of any regime, keeping the label; None if unknown."""
    key = fold(label)
    if key in _LEGACY:
        ordinal, exemplary = _LEGACY[key]
        return LegacyResult(label=label, ordinal=ordinal, exemplary=exemplary)
    if key in _CURRENT:
        return LegacyResult(label=label, ordinal=int(_CURRENT[key]), exemplary=False)
    return None
