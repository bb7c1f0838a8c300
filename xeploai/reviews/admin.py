from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xeploai.core.admin import ReadOnlyAdmin

from .models import FollowUp, Input, LevelChange, Meeting, Proposal, QuotaException, SelfReview


@admin.register(SelfReview)
class SelfReviewAdmin(admin.ModelAdmin[SelfReview]):
    list_display = ["evaluation", "form", "submitted", "assisted"]
    list_filter = ["form", "assisted"]
    search_fields = ["evaluation__member__code", "evaluation__member__search_key"]
    raw_id_fields = ["evaluation", "submitted_by"]


@admin.register(Input)
class InputAdmin(admin.ModelAdmin[Input]):
    list_display = ["evaluation", "kind", "source", "from_paper", "entered"]
    list_filter = ["kind", "from_paper"]
    raw_id_fields = ["evaluation", "entered_by"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ["cell", "cycle", "held_on", "present", "summoned"]
    list_filter = ["cycle"]
    raw_id_fields = ["cell", "recorded_by"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin[Proposal]):
    list_display = ["evaluation", "level", "meeting"]
    raw_id_fields = ["evaluation", "meeting"]
    readonly_fields = ["evaluation", "meeting", "level", "votes"]  # set by the cell's proposal

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin[FollowUp]):
    list_display = ["member", "cycle", "text", "fixed"]
    list_filter = ["cycle", "fixed"]
    raw_id_fields = ["member"]


@admin.register(QuotaException)
class QuotaExceptionAdmin(ReadOnlyAdmin, admin.ModelAdmin[QuotaException]):
    list_display = ["group", "cycle", "excellent", "allowed", "decision_number"]


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin[LevelChange]):
    """Readable by administrators; nobody adds, changes or deletes history (R33)."""

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
