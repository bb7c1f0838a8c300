from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xeploai.core.admin import ReadOnlyAdmin
from xeploai.core.text import search_key

from . import throttle, twofactor
from .models import AccessLog, Role, User

# Devices are reset through the users' action below, never read: django-otp's own page
# would show every user's secret key, and with it their codes, to any administrator.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class RoleInline(admin.TabularInline[Role, User]):
    model = Role
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (None, {"fields": ("member",)}))
    autocomplete_fields = ["member"]
    inlines = [RoleInline]
    actions = ["reset_two_factor", "lift_lock"]

    @admin.action(description=_("Đặt lại xác thực hai bước (mất điện thoại)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Recovery: the users set up a new device at their next sign-in."""
        twofactor.reset(queryset)
        message = _("Đã đặt lại xác thực hai bước cho %(n)d người dùng.") % {"n": len(queryset)}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Mở khóa đăng nhập"))
    def lift_lock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """For an owner locked out with no device and no mail: an administrator vouches."""
        for user in queryset:
            throttle.lift(user.get_username())
        message = _("Đã mở khóa đăng nhập cho %(n)d người dùng.") % {"n": len(queryset)}
        self.message_user(request, message, messages.SUCCESS)


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
