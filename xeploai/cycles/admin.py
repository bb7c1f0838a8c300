from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xeploai.accounts.audit import LoggedReadsAdmin

from .models import Cycle, Manifestation, MemberEvaluation, UnitEvaluation

# The review's levels change only through its actions, which keep the history (R33) and
# check the rules and the quota; imported results are corrected by importing again.
LEVEL_FIELDS = ("status", "level_self", "level_proposed", "level_decided", "level_final")
# An organisation's facts come from its committee's report and from conclusions recorded with
# their documents (`reviews.actions.units`), never from this form.
UNIT_FACTS = (
    "step",
    "score_general",
    "score_task_results",
    "grades",
    "tasks_done",
    "tasks_late",
    "tasks_exceeded",
    "key_targets_missed",
    "force_majeure",
    "weaknesses_total",
    "weaknesses_fixed",
    "disciplined",
    "disunity",
    "degraded_member",
)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    list_display = ["name", "kind", "year", "regime", "start", "end", "closed"]
    list_filter = ["kind", "regime", "closed"]


@admin.register(Manifestation)
class ManifestationAdmin(admin.ModelAdmin[Manifestation]):
    list_display = ["number", "group", "index", "text"]
    list_filter = ["group"]


@admin.register(MemberEvaluation)
class MemberEvaluationAdmin(LoggedReadsAdmin[MemberEvaluation]):
    list_display = ["member", "cycle", "status", "level_self", "level_final", "label"]
    list_filter = ["cycle", "status", "level_final"]
    list_select_related = ["member", "cycle"]
    search_fields = ["member__code", "member__search_key"]
    autocomplete_fields = ["member", "cell"]
    readonly_fields = ["unit_path", "version", "step", *LEVEL_FIELDS]

    def get_readonly_fields(
        self, request: HttpRequest, obj: MemberEvaluation | None = None
    ) -> list[str]:
        """Whose evaluation it is, of which cycle and in which cell is settled once it exists:
        its history is chained to that subject (`history verify` checks it), the per-cell
        tallies count it where it is, and a member changes cell only through a transfer,
        whose action moves their open evaluation."""
        fields = [*super().get_readonly_fields(request, obj)]
        return fields if obj is None else [*fields, "member", "cycle", "cell"]


@admin.register(UnitEvaluation)
class UnitEvaluationAdmin(admin.ModelAdmin[UnitEvaluation]):
    list_display = ["unit", "kind", "cycle", "status", "level_final", "label"]
    list_filter = ["cycle", "kind", "status", "level_final"]
    search_fields = ["unit__code", "unit__search_key"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["unit_path", "version", *LEVEL_FIELDS, *UNIT_FACTS]

    def get_readonly_fields(
        self, request: HttpRequest, obj: UnitEvaluation | None = None
    ) -> list[str]:
        """The unit, the cycle and the kind (organisation or leadership collective) are
        settled once the evaluation exists: its history is chained to them."""
        fields = [*super().get_readonly_fields(request, obj)]
        return fields if obj is None else [*fields, "cycle", "unit", "kind"]
