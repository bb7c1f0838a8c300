from __future__ import annotations

from django.contrib import admin

from .models import Cycle, Manifestation, MemberEvaluation, UnitEvaluation


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    list_display = ["name", "kind", "year", "regime", "start", "end", "closed"]
    list_filter = ["kind", "regime", "closed"]


@admin.register(Manifestation)
class ManifestationAdmin(admin.ModelAdmin[Manifestation]):
    list_display = ["number", "group", "index", "text"]
    list_filter = ["group"]


@admin.register(MemberEvaluation)
class MemberEvaluationAdmin(admin.ModelAdmin[MemberEvaluation]):
    list_display = ["member", "cycle", "status", "level_self", "level_final", "label"]
    list_filter = ["cycle", "status", "level_final"]
    search_fields = ["member__code", "member__search_key"]
    autocomplete_fields = ["member", "cell"]
    # The review's steps and levels change only through its actions, which keep the history
    # (R33) and check the rules and the quota; imported history is corrected by re-importing.
    readonly_fields = [
        "unit_path",
        "version",
        "step",
        "status",
        "level_self",
        "level_proposed",
        "level_decided",
        "level_final",
    ]


@admin.register(UnitEvaluation)
class UnitEvaluationAdmin(admin.ModelAdmin[UnitEvaluation]):
    list_display = ["unit", "kind", "cycle", "status", "level_final", "label"]
    list_filter = ["cycle", "kind", "status", "level_final"]
    search_fields = ["unit__code", "unit__search_key"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["unit_path", "version"]
