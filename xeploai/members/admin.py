from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from xeploai.accounts.audit import LoggedReadsAdmin
from xeploai.reviews.actions import follow_member

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
class MemberAdmin(LoggedReadsAdmin[Member]):
    list_display = ["code", "full_name", "birth_date", "cell", "admitted", "full_member_since"]
    search_fields = ["code", "search_key", "citizen_id"]
    ordering = ["code"]  # pages of the change list and of autocomplete fields stay stable
    autocomplete_fields = ["cell"]
    inlines = [PostInline, StatusPeriodInline, DisciplineInline]

    @transaction.atomic
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # With its statuses saved: a new member joins the open cycle, an exempt one leaves it.
        follow_member(form.instance)


@admin.register(Post)
class PostAdmin(LoggedReadsAdmin[Post]):
    list_display = ["member", "title", "kind", "unit", "head", "start", "end"]
    list_filter = ["kind", "head"]
    autocomplete_fields = ["member", "unit"]


@admin.register(StatusPeriod)
class StatusPeriodAdmin(LoggedReadsAdmin[StatusPeriod]):
    list_display = ["member", "kind", "start", "end", "reason"]
    list_filter = ["kind"]
    autocomplete_fields = ["member", "temporary_cell"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: StatusPeriod, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        follow_member(obj.member)


@admin.register(Transfer)
class TransferAdmin(LoggedReadsAdmin[Transfer]):
    list_display = ["member", "from_cell", "to_cell", "date"]
    autocomplete_fields = ["member", "from_cell", "to_cell"]

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Transfer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        latest = obj.member.transfers.order_by("-date", "-pk").first()
        if latest == obj and obj.member.cell_id != obj.to_cell_id:
            obj.member.cell = obj.to_cell
            obj.member.save(update_fields=["cell"])
            follow_member(obj.member)


@admin.register(Discipline)
class DisciplineAdmin(LoggedReadsAdmin[Discipline]):
    list_display = ["member", "form", "decided", "violated", "violation_unit"]
    list_filter = ["form"]
    autocomplete_fields = ["member", "violation_unit"]
