"""The classification engine: plain Python, no Django (STYLE.md 2).

Facts in (`facts`), the level they allow and the reasons out (`engine`), the quota over a
group (`quota`), and every regime's settings in one place (`regimes`).
"""

from __future__ import annotations

from .engine import Verdict, classify_member, classify_unit
from .facts import (
    Discipline,
    Exemption,
    MemberFacts,
    Period,
    Score,
    Tasks,
    UnitFacts,
    UnitKind,
    Weaknesses,
)
from .levels import DisciplineForm, Grade, Level, Status
from .quota import Proposal, QuotaResult, check_proposals, check_quota
from .reasons import Reason
from .regimes import (
    SETTINGS,
    ExemptBasis,
    LeaderGroup,
    Regime,
    RegimeSettings,
    UnitGroup,
    regime_for_year,
)

__all__ = [
    "SETTINGS",
    "Discipline",
    "DisciplineForm",
    "ExemptBasis",
    "LeaderGroup",
    "Exemption",
    "Grade",
    "Level",
    "MemberFacts",
    "Period",
    "Proposal",
    "QuotaResult",
    "Reason",
    "Regime",
    "RegimeSettings",
    "UnitGroup",
    "Score",
    "Status",
    "Tasks",
    "UnitFacts",
    "UnitKind",
    "Verdict",
    "Weaknesses",
    "check_proposals",
    "check_quota",
    "classify_member",
    "classify_unit",
    "regime_for_year",
]
