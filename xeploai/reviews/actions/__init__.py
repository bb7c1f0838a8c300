"""Every step of the review (DOMAIN.md 4, R29-R33), one module per step: each an atomic
function that locks what it changes, checks where the evaluation stands and what its step
needs, then moves it through the state machine (`reviews/machine.py`), which records who did
what in the history (STYLE.md 5-6).

A step refused for a reason the user can act on raises `ReviewError` with a Vietnamese message;
acting without the power to do so raises `PermissionDenied`.
"""

from __future__ import annotations

from .appraisal import appraise, appraise_all, publish, reopen, return_to_previous
from .cell import QUORUM, MeetingData, ProposalData, add_input, propose, record_meeting
from .common import Decision, QuotaBreach, QuotaExemption, ReviewError
from .decision import LATEST_LEVEL, decide, quota_standing
from .opening import enrol, follow_member, open_cycle
from .self_review import (
    DraftConflict,
    SelfReviewData,
    open_follow_ups,
    save_self_review,
    submit_self_review,
)

__all__ = [
    "LATEST_LEVEL",
    "QUORUM",
    "Decision",
    "DraftConflict",
    "MeetingData",
    "ProposalData",
    "QuotaBreach",
    "QuotaExemption",
    "ReviewError",
    "SelfReviewData",
    "add_input",
    "appraise",
    "appraise_all",
    "decide",
    "enrol",
    "follow_member",
    "open_cycle",
    "open_follow_ups",
    "propose",
    "publish",
    "quota_standing",
    "record_meeting",
    "reopen",
    "return_to_previous",
    "save_self_review",
    "submit_self_review",
]
