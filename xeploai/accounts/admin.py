from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xeploai.core.admin import ReadOnlyAdmin
from xeploai.core.text import search_key

from .models import AccessLog, Role, User


class RoleInline(admin.TabularInline[Role, User]):
    model = Role
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (None, {"fields": ("member",)}))
    autocomplete_fields = ["member"]
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["user", "kind", "unit", "granted"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "unit"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, admin.ModelAdmin[AccessLog]):
    """Searchable by administrators, alterable by nobody, superusers included (RULES.md S3)."""

    list_display = ["at", "user", "action", "member", "path"]
    list_filter = ["action", "at"]
    list_select_related = ["user", "member"]
    date_hierarchy = "at"
    ordering = ["-at", "-pk"]
    search_fields = ["user__username", "member__code", "member__search_key"]
    search_help_text = _("Tìm theo tên đăng nhập, mã hoặc họ tên đảng viên.")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AccessLog], search_term: str
    ) -> tuple[QuerySet[AccessLog], bool]:
        # Names are matched on the accent-folded key, as everywhere else: "Trần Thị An",
        # "tran thi an" and "TRAN THI AN" find the same member.
        folded = search_key(search_term)
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if folded and folded != search_term:
            results |= queryset.filter(member__search_key__contains=folded)
        return results, duplicates
