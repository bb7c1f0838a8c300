from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xeploai.accounts.audit import LoggedReadsAdmin
from xeploai.core.admin import ReadOnlyAdmin

from .models import (
    Conclusion,
    FollowUp,
    HistorySeal,
    Input,
    LevelChange,
    Meeting,
    PeerResult,
    Proposal,
    QuotaException,
    SelfReview,
    UnitInput,
    UnitLevelChange,
    UnitSelfReview,
)


@admin.register(SelfReview)
class SelfReviewAdmin(LoggedReadsAdmin[SelfReview]):
    member_path = "evaluation.member"
    list_display = ["evaluation", "form", "submitted", "assisted"]
    list_filter = ["form", "assisted"]
    search_fields = ["evaluation__member__code", "evaluation__member__search_key"]
    raw_id_fields = ["evaluation", "submitted_by"]


@admin.register(Input)
class InputAdmin(LoggedReadsAdmin[Input]):
    member_path = "evaluation.member"
    list_display = ["evaluation", "kind", "source", "from_paper", "entered"]
    list_filter = ["kind", "from_paper"]
    raw_id_fields = ["evaluation", "entered_by"]


@admin.register(Meeting)
class MeetingAdmin(LoggedReadsAdmin[Meeting]):
    member_path = None  # the cell's meeting: its absentees, with their reasons
    list_display = ["cell", "cycle", "held_on", "present", "summoned"]
    list_filter = ["cycle"]
    raw_id_fields = ["cell", "recorded_by"]


@admin.register(Proposal)
class ProposalAdmin(LoggedReadsAdmin[Proposal]):
    member_path = "evaluation.member"
    list_display = ["evaluation", "level", "meeting"]
    raw_id_fields = ["evaluation", "meeting"]
    readonly_fields = ["evaluation", "meeting", "level", "votes"]  # set by the cell's proposal

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(LoggedReadsAdmin[FollowUp]):
    list_display = ["member", "cycle", "text", "fixed"]
    list_filter = ["cycle", "fixed"]
    raw_id_fields = ["member"]


@admin.register(QuotaException)
class QuotaExceptionAdmin(ReadOnlyAdmin, admin.ModelAdmin[QuotaException]):
    list_display = ["group", "cycle", "excellent", "allowed", "decision_number"]


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin, LoggedReadsAdmin[LevelChange]):
    """Readable by administrators; nobody adds, changes or deletes history (R33)."""

    member_path = "evaluation.member"

    list_display = [
        "evaluation",
        "seq",
        "action",
        "by_name",
        "role",
        "at",
        "level_from",
        "level_to",
    ]
    list_filter = ["action", "role"]
    search_fields = ["evaluation__member__code", "by_name", "decision_number"]
    list_select_related = ["evaluation__member", "evaluation__cycle"]


@admin.register(UnitLevelChange)
class UnitLevelChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin[UnitLevelChange]):
    """An organisation's level history: read-only like the members' (R33)."""

    list_display = ["evaluation", "seq", "action", "by_name", "at", "level_from", "level_to"]
    list_filter = ["action"]
    search_fields = ["evaluation__unit__code", "by_name", "decision_number"]
    list_select_related = ["evaluation__unit", "evaluation__cycle"]


@admin.register(HistorySeal)
class HistorySealAdmin(ReadOnlyAdmin, admin.ModelAdmin[HistorySeal]):
    """The seals of the level history, made by `xeploai history seal`; read-only."""

    list_display = ["seq", "at", "through_member", "through_unit", "digest"]


@admin.register(UnitSelfReview)
class UnitSelfReviewAdmin(ReadOnlyAdmin, admin.ModelAdmin[UnitSelfReview]):
    """A collective's report: written and submitted on its review page only."""

    list_display = ["evaluation", "form", "submitted"]
    list_filter = ["form"]
    search_fields = ["evaluation__unit__code"]


@admin.register(PeerResult)
class PeerResultAdmin(ReadOnlyAdmin, admin.ModelAdmin[PeerResult]):
    list_display = ["evaluation", "kind", "name", "level", "source"]


@admin.register(Conclusion)
class ConclusionAdmin(ReadOnlyAdmin, admin.ModelAdmin[Conclusion]):
    """Conclusions about collectives (R24, R25): recorded by the superior with their document,
    never here."""

    list_display = ["evaluation", "kind", "body", "document_number", "document_date"]
    list_filter = ["kind"]


@admin.register(UnitInput)
class UnitInputAdmin(ReadOnlyAdmin, admin.ModelAdmin[UnitInput]):
    list_display = ["evaluation", "source", "entered"]
