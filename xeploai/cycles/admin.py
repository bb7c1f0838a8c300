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
    readonly_fields = ["unit_path", "version"]


@admin.register(UnitEvaluation)
class UnitEvaluationAdmin(admin.ModelAdmin[UnitEvaluation]):
    list_display = ["unit", "kind", "cycle", "status", "level_final", "label"]
    list_filter = ["cycle", "kind", "status", "level_final"]
    search_fields = ["unit__code", "unit__search_key"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["unit_path", "version"]
