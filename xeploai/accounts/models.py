"""Users, the roles they hold on units (RULES.md S1), and the log of who read what (S3)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xeploai.members.models import Member
from xeploai.units.models import Unit

PATH_MAX_LENGTH = 2000


class User(AbstractUser):
    """A person who signs in; linked to their member record when they are a party member."""

    member = models.OneToOneField(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("đảng viên"),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (`last_name`), then the given name."""
        return f"{self.last_name} {self.first_name}".strip()


class RoleKind(models.TextChoices):
    CELL_COMMITTEE = "CELL_COMMITTEE", _("Cấp ủy chi bộ")
    CELL_SECRETARY = "CELL_SECRETARY", _("Bí thư chi bộ")
    GRASSROOTS_OFFICER = "GRASSROOTS_OFFICER", _("Cán bộ đảng ủy cơ sở")
    BOARD_OFFICER = "BOARD_OFFICER", _("Cán bộ ban tổ chức cấp trên")
    STANDING_COMMITTEE = "STANDING_COMMITTEE", _("Thường trực, Ban Thường vụ cấp ủy")
    PERSONNEL_OFFICE = "PERSONNEL_OFFICE", _("Bộ phận tổ chức cán bộ của cơ quan, đơn vị")
    ADMINISTRATOR = "ADMINISTRATOR", _("Quản trị hệ thống")


class Role(models.Model):
    """A role granted on a unit; it applies to the unit's whole subtree (STYLE.md 9)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("vai trò"), max_length=24, choices=RoleKind.choices)
    granted = models.DateTimeField(_("ngày giao"), auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "kind"], name="one_role_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.unit}"


class AccessAction(models.TextChoices):
    VIEW = "VIEW", _("Xem hồ sơ")
    EXPORT = "EXPORT", _("Xuất dữ liệu")


class AccessLog(models.Model):
    """One read of a member's personal record by someone else, or one export (RULES.md S3).

    Kept under Decree 13/2023/NĐ-CP on personal data: rows are only ever added, through
    `accounts.audit.log_access`, and nobody may change or delete them, not even in the admin.
    """

    # PROTECT on both keys: the log is evidence of who read whose data, so deleting a user
    # or a member must fail loudly rather than erase (CASCADE) or anonymise (SET_NULL) the
    # trail. Neither deletion is a normal path anyway: users are deactivated and members
    # leave the party with a date.
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_logs", verbose_name=_("người dùng")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("đảng viên"),
    )
    action = models.CharField(_("hành động"), max_length=8, choices=AccessAction.choices)
    path = models.CharField(_("đường dẫn"), max_length=PATH_MAX_LENGTH, blank=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    detail = models.TextField(_("chi tiết"), blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_action_display()} — {self.member or self.path}"


class LoginThrottle(models.Model):
    """Failed attempts to prove who one is, counted under one key (see `accounts.throttle`).

    A row per (username, address) pair holds its exponential delay; a row per username holds
    the ceiling against guessing from many addresses and, once it is reached, the lock. The
    counters are updated inside a transaction that holds the rows locked, before the password
    is checked, so that simultaneous attempts cannot all slip through under one count.
    """

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # The next attempt under this key is not even checked before this moment.
    not_before = models.DateTimeField(null=True, blank=True)
    # A username row at its ceiling: locked until this moment, unless lifted sooner.
    locked_until = models.DateTimeField(null=True, blank=True)
    # A row nothing has touched for a day is forgotten: the table stays small.
    forget_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("lượt đăng nhập sai")
        verbose_name_plural = _("lượt đăng nhập sai")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
