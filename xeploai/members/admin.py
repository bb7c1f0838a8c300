from __future__ import annotations

from django.contrib import admin

from .models import Discipline, Member, Post, StatusPeriod, Transfer


class PostInline(admin.TabularInline[Post, Member]):
    model = Post
    extra = 0
    autocomplete_fields = ["unit"]


class StatusPeriodInline(admin.TabularInline[StatusPeriod, Member]):
    model = StatusPeriod
    extra = 0
    autocomplete_fields = ["temporary_cell"]


class DisciplineInline(admin.TabularInline[Discipline, Member]):
    model = Discipline
    extra = 0
    autocomplete_fields = ["violation_unit"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ["code", "full_name", "birth_date", "cell", "admitted", "full_member_since"]
    search_fields = ["code", "search_key", "citizen_id"]
    autocomplete_fields = ["cell"]
    inlines = [PostInline, StatusPeriodInline, DisciplineInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ["member", "title", "kind", "unit", "head", "start", "end"]
    list_filter = ["kind", "head"]
    autocomplete_fields = ["member", "unit"]


@admin.register(StatusPeriod)
class StatusPeriodAdmin(admin.ModelAdmin[StatusPeriod]):
    list_display = ["member", "kind", "start", "end", "reason"]
    list_filter = ["kind"]
    autocomplete_fields = ["member", "temporary_cell"]


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin[Transfer]):
    list_display = ["member", "from_cell", "to_cell", "date"]
    autocomplete_fields = ["member", "from_cell", "to_cell"]


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin[Discipline]):
    list_display = ["member", "form", "decided", "violated", "violation_unit"]
    list_filter = ["form"]
    autocomplete_fields = ["member", "violation_unit"]
