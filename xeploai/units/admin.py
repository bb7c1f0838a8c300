from __future__ import annotations

from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["code", "name", "kind", "field_type", "parent", "founded", "closed"]
    list_filter = ["kind", "field_type"]
    search_fields = ["code", "search_key"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
