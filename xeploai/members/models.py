"""Members and the dated facts about them (DOMAIN.md 3)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xeploai.core.history import HistoricalRecords
from xeploai.core.text import printable, search_key
from xeploai.rules.facts import StateLevel as EngineStateLevel
from xeploai.rules.levels import DisciplineForm as EngineDisciplineForm
from xeploai.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from xeploai.accounts.models import User


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class MemberQuerySet(models.QuerySet["Member"]):
    def in_subtree(self, unit: Unit) -> MemberQuerySet:
        return self.filter(cell__path__startswith=unit.path)

    def current(self) -> MemberQuerySet:
        """Members who have not left the party."""
        return self.filter(left__isnull=True)

    def search(self, text: str) -> MemberQuerySet:
        """Members whose name holds `text`, accents and case aside, or whose code is `text`;
        what prints nothing in it counts as a space."""
        text = printable(text)
        key = search_key(text)
        return self.filter(Q(search_key__contains=key) | Q(code=text)) if key else self

    def visible_to(self, user: User | AnonymousUser) -> MemberQuerySet:
        """The members a user may see (S1): their own record, and members in their scope."""
        from xeploai.accounts.policy import member_scope

        return member_scope(self, user)


class Member(models.Model):
    """A party member, full or probationary; belongs to exactly one cell."""

    code = models.CharField(_("mã đảng viên"), max_length=32, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=128)
    search_key = models.CharField(max_length=160, db_index=True, editable=False)
    birth_date = models.DateField(_("ngày sinh"))
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, unique=True, null=True, blank=True)
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=16, blank=True)
    cell = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind__in": ["CELL", "GRASSROOTS_CELL"]},
        verbose_name=_("chi bộ"),
    )
    admitted = models.DateField(_("ngày vào Đảng"))
    full_member_since = models.DateField(_("ngày chính thức"), null=True, blank=True)
    in_political_system = models.BooleanField(_("làm việc trong hệ thống chính trị"), default=False)
    civil_servant = models.BooleanField(_("cán bộ, công chức, viên chức"), default=False)
    left = models.DateField(_("ngày ra khỏi Đảng"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [models.Index(fields=["cell", "full_name"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = search_key(self.full_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_probationary(self) -> bool:
        return self.full_member_since is None


class CellCount(models.Model):
    """How many current members a cell has, kept by the database itself: triggers on the
    members' table count every insert, move, departure and deletion, whichever way it is
    written (a form, an import, a bulk statement, SQL by hand). A unit's count is the sum of
    its cells', read without counting the members (`units.summary.with_counts`)."""

    cell = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="+")
    n = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cell_id}: {self.n}"


class PostKind(models.TextChoices):
    PARTY = "PARTY", _("Đảng")
    GOVERNMENT = "GOVERNMENT", _("Chính quyền")
    MASS = "MASS", _("Mặt trận, đoàn thể")


class PostTier(models.IntegerChoices):
    """Where a post sits in its collective: the order of a review meeting (R30) and the
    equivalent posts a quota groups (R26)."""

    HEAD = 1, _("Cấp trưởng")
    DEPUTY = 2, _("Cấp phó")
    MEMBER = 3, _("Ủy viên, thành viên")


class PostTitle(models.Model):
    """A title of leading post (chức danh), as reference data an office keeps: which posts
    make a leader, their order, and who decides the level of their holders (R32, R26, R30)."""

    name = models.CharField(_("chức danh"), max_length=128, unique=True)
    kind = models.CharField(_("loại chức vụ"), max_length=12, choices=PostKind.choices)
    tier = models.PositiveSmallIntegerField(_("vị trí"), choices=PostTier.choices)
    # Among posts at units of the same level, the smaller the higher: a leader holding several
    # posts is classified where the post is highest (the higher unit first, then this rank).
    rank = models.PositiveSmallIntegerField(_("thứ bậc"))
    # The committee that manages the cadre, counted up from the post's unit: 1, the standing
    # committee of the committee directly above (the default of the guidance).
    decided_levels_up = models.PositiveSmallIntegerField(
        _("cấp quyết định (tính từ cấp trên trực tiếp)"), default=1
    )

    class Meta:
        verbose_name = _("chức danh lãnh đạo, quản lý")
        verbose_name_plural = _("chức danh lãnh đạo, quản lý")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


UNTITLED_HEAD_RANK, UNTITLED_RANK = 500, 900


class Post(models.Model):
    """A post a member holds; a leader's post, and whether they head the unit."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("loại chức vụ"), max_length=12, choices=PostKind.choices)
    title = models.CharField(_("chức vụ"), max_length=128)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("đơn vị")
    )
    organisation = models.CharField(_("cơ quan, tổ chức"), max_length=255, blank=True)
    post_title = models.ForeignKey(
        PostTitle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("chức danh"),
    )
    leader = models.BooleanField(_("cán bộ lãnh đạo, quản lý"), default=True)
    head = models.BooleanField(_("người đứng đầu"), default=False)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")

    def __str__(self) -> str:
        return f"{self.title} — {self.member.full_name}"

    @property
    def tier(self) -> PostTier:
        """Its place in the collective: its title's, else the head's or a member's."""
        if self.post_title is not None:
            return PostTier(self.post_title.tier)
        return PostTier.HEAD if self.head else PostTier.MEMBER

    @property
    def rank(self) -> int:
        """Its order among posts at units of the same level; untitled posts come last."""
        if self.post_title is not None:
            return self.post_title.rank
        return UNTITLED_HEAD_RANK if self.head else UNTITLED_RANK

    def held_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class StatusKind(models.TextChoices):
    EXEMPT = "EXEMPT", _("Miễn công tác và sinh hoạt đảng")
    SUSPENDED = "SUSPENDED", _("Đình chỉ sinh hoạt đảng")
    SUSPENDED_COMMITTEE = "SUSPENDED_COMMITTEE", _("Đình chỉ sinh hoạt cấp ủy")
    SICK_LEAVE = "SICK_LEAVE", _("Nghỉ ốm dài ngày")
    MATERNITY_LEAVE = "MATERNITY_LEAVE", _("Nghỉ thai sản")
    TEMPORARY = "TEMPORARY", _("Sinh hoạt tạm thời")


class StatusPeriodQuerySet(models.QuerySet["StatusPeriod"]):
    def overlapping(self, start: dt.date, end: dt.date) -> StatusPeriodQuerySet:
        return self.filter(Q(end__isnull=True) | Q(end__gte=start), start__lte=end)


class StatusPeriod(models.Model):
    """A dated status of a member: exempt, suspended, leave, temporary membership elsewhere."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_periods")
    kind = models.CharField(_("tình trạng"), max_length=24, choices=StatusKind.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    temporary_cell = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="temporary_members",
        verbose_name=_("chi bộ sinh hoạt tạm thời"),
    )

    objects = StatusPeriodQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tình trạng đảng viên")
        verbose_name_plural = _("tình trạng đảng viên")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="status_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.start:%d/%m/%Y})"

    def days_within(self, start: dt.date, end: dt.date) -> int:
        """Days of this period that fall between `start` and `end`, both included."""
        first, last = max(self.start, start), min(self.end or end, end)
        return max(0, (last - first).days + 1)


class Transfer(models.Model):
    """A member's move from one cell to another (chuyển sinh hoạt)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_cell = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("từ chi bộ"),
    )
    from_outside = models.CharField(_("từ đảng bộ ngoài hệ thống"), max_length=255, blank=True)
    to_cell = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("đến chi bộ")
    )
    date = models.DateField(_("ngày chuyển"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chuyển sinh hoạt")
        verbose_name_plural = _("chuyển sinh hoạt")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.member.full_name} → {self.to_cell} ({self.date:%d/%m/%Y})"


class DisciplineForm(models.IntegerChoices):
    REPRIMAND = EngineDisciplineForm.REPRIMAND, _("Khiển trách")
    WARNING = EngineDisciplineForm.WARNING, _("Cảnh cáo")
    DISMISSAL = EngineDisciplineForm.DISMISSAL, _("Cách chức")
    EXPULSION = EngineDisciplineForm.EXPULSION, _("Khai trừ")


class Discipline(models.Model):
    """A discipline decision against a member (R8)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disciplines")
    form = models.PositiveSmallIntegerField(_("hình thức"), choices=DisciplineForm.choices)
    decided = models.DateField(_("ngày quyết định"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    violated = models.DateField(_("ngày vi phạm"))
    violation_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị khi vi phạm"),
    )
    reason = models.CharField(_("nội dung vi phạm"), max_length=255, blank=True)
    counted_in = models.ForeignKey(
        "cycles.Cycle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đã tính khi xếp loại kỳ"),
    )
    self_remedied = models.BooleanField(_("tự phát hiện, đã khắc phục"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        ordering = ["decided"]

    def __str__(self) -> str:
        return f"{self.get_form_display()} ({self.decided:%d/%m/%Y})"


class StateLevel(models.TextChoices):
    """The levels of the state evaluation of civil servants and public employees."""

    EXCELLENT = EngineStateLevel.EXCELLENT, _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = EngineStateLevel.GOOD, _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = EngineStateLevel.COMPLETED, _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = EngineStateLevel.NOT_COMPLETED, _("Không hoàn thành nhiệm vụ")


# The decree under which civil servants are evaluated, from its first year.
DECREES = (
    (2026, _("Nghị định 335/2025/NĐ-CP")),
    (2020, _("Nghị định 90/2020/NĐ-CP")),
    (2015, _("Nghị định 56/2015/NĐ-CP")),
)


class StateResult(models.Model):
    """A civil servant's or public employee's level in the state evaluation of a year, as
    the personnel office of their workplace entered or imported it, with the decision it
    comes from (R12, R17, R28). The member never types it; it is entered or imported
    through `members.state` only."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="state_results")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    level = models.CharField(_("mức xếp loại"), max_length=16, choices=StateLevel.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))

    history = HistoricalRecords()  # who entered or imported each version, and when

    class Meta:
        verbose_name = _("kết quả đánh giá công chức, viên chức")
        verbose_name_plural = _("kết quả đánh giá công chức, viên chức")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_state_result_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.member.full_name}: {self.get_level_display()} ({self.year})"

    @property
    def decree(self) -> str:
        return next((str(name) for first, name in DECREES if self.year >= first), "")
