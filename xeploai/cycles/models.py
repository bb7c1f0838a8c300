"""Cycles and the yearly evaluations of members and organisations (DOMAIN.md 4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xeploai.core.history import ExplicitHistory
from xeploai.members.models import Member, PostTier
from xeploai.rules import SETTINGS, Period, Regime, RegimeSettings
from xeploai.rules import Level as EngineLevel
from xeploai.rules import Status as EngineStatus
from xeploai.units.models import Unit, cycle_subtree_index


class CycleKind(models.TextChoices):
    YEAR = "YEAR", _("Năm")
    QUARTER = "QUARTER", _("Quý")
    TERM = "TERM", _("Nhiệm kỳ")
    AD_HOC = "AD_HOC", _("Đột xuất")


class RegimeChoice(models.TextChoices):
    LEGACY = Regime.LEGACY, _("Trước 2018 (HD 20, HD 27)")
    HD21 = Regime.HD21, _("QĐ 132-QĐ/TW, HD 21-HD/BTCTW")
    QD124 = Regime.QD124, _("QĐ 124-QĐ/TW, HD 25-HD/BTCTW")
    QD366 = Regime.QD366, _("QĐ 366-QĐ/TW, HD 43-HD/BTCTW")


class Level(models.IntegerChoices):
    EXCELLENT = EngineLevel.EXCELLENT, _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = EngineLevel.GOOD, _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = EngineLevel.COMPLETED, _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = EngineLevel.NOT_COMPLETED, _("Không hoàn thành nhiệm vụ")


class Status(models.TextChoices):
    CLASSIFIED = EngineStatus.CLASSIFIED, _("Đã xếp loại")
    EXEMPT = EngineStatus.EXEMPT, _("Miễn đánh giá")
    PENDING = EngineStatus.PENDING, _("Chưa đánh giá")
    NOT_CLASSIFIED = EngineStatus.NOT_CLASSIFIED, _("Không xếp loại")


class Step(models.TextChoices):
    """Where an evaluation stands in the review (R29), in the order `reviews/machine` enforces."""

    NOT_REVIEWED = "NOT_REVIEWED", _("Không kiểm điểm")
    SELF_REVIEW = "SELF_REVIEW", _("Đang tự kiểm điểm")
    SUBMITTED = "SUBMITTED", _("Đã nộp bản kiểm điểm")
    PROPOSED = "PROPOSED", _("Chi bộ đã đề xuất")
    DECIDED = "DECIDED", _("Đã quyết định")
    APPRAISED = "APPRAISED", _("Đã thẩm định")
    PUBLISHED = "PUBLISHED", _("Đã công khai")


class CycleQuerySet(models.QuerySet["Cycle"]):
    def current(self) -> Cycle | None:
        """The newest open yearly cycle."""
        return self.filter(kind=CycleKind.YEAR, closed=False).order_by("-year").first()

    def of_year(self, year: int) -> Cycle | None:
        """The yearly cycle of `year`, if there is one."""
        return self.filter(kind=CycleKind.YEAR, year=year).first()


class Cycle(models.Model):
    """A review period under one regime, with its reference date and step deadlines."""

    kind = models.CharField(_("loại kỳ"), max_length=8, choices=CycleKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên kỳ"), max_length=128)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    regime = models.CharField(_("quy định áp dụng"), max_length=8, choices=RegimeChoice.choices)
    reference_date = models.DateField(_("thời điểm tính"))
    self_review_due = models.DateField(_("hạn tự kiểm điểm"), null=True, blank=True)
    inputs_due = models.DateField(_("hạn lấy ý kiến"), null=True, blank=True)
    meeting_due = models.DateField(_("hạn họp kiểm điểm"), null=True, blank=True)
    decision_due = models.DateField(_("hạn quyết định xếp loại"), null=True, blank=True)
    appraisal_due = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    # The state evaluation is due before the party's decision (R12, R17): by default a civil
    # servant without it is decided with a warning; a cycle may refuse the decision instead.
    state_result_required = models.BooleanField(
        _("chỉ quyết định xếp loại công chức, viên chức đã có kết quả đánh giá công chức"),
        default=False,
    )
    closed = models.BooleanField(_("đã kết thúc"), default=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="one_cycle_per_kind_and_start"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="cycle_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_year(cls, year: int, regime: Regime, **fields: object) -> Cycle:
        """An unsaved yearly cycle with its period and reference date (31 December)."""
        end = dt.date(year, 12, 31)
        return cls(
            kind=CycleKind.YEAR,
            year=year,
            name=f"Năm {year}",
            start=dt.date(year, 1, 1),
            end=end,
            regime=regime,
            reference_date=end,
            **fields,
        )

    def due_for(self, step: Step) -> dt.date | None:
        """The deadline by which an evaluation must have left `step`."""
        return {
            Step.SELF_REVIEW: self.self_review_due,
            Step.SUBMITTED: self.meeting_due,
            Step.PROPOSED: self.decision_due,
            Step.DECIDED: self.appraisal_due,
        }.get(step)

    def is_overdue(self, step: Step, today: dt.date) -> bool:
        due = self.due_for(step)
        return due is not None and today > due

    @property
    def settings(self) -> RegimeSettings:
        return SETTINGS[Regime(self.regime)]

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.reference_date)


class Manifestation(models.Model):
    """One of the 27 manifestations of degradation (reference data, 3 groups of 9)."""

    class Group(models.IntegerChoices):
        POLITICS = 1, _("Suy thoái về tư tưởng chính trị")
        ETHICS = 2, _("Suy thoái về đạo đức, lối sống")
        SELF_EVOLUTION = 3, _('Biểu hiện "tự diễn biến", "tự chuyển hóa"')

    number = models.PositiveSmallIntegerField(_("số thứ tự"), unique=True)
    group = models.PositiveSmallIntegerField(_("nhóm"), choices=Group.choices)
    index = models.PositiveSmallIntegerField(_("thứ tự trong nhóm"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("biểu hiện suy thoái")
        verbose_name_plural = _("27 biểu hiện suy thoái")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "index"], name="one_manifestation_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class SubjectChanged(Exception):
    """An evaluation was being moved to another member, cycle or unit."""


class EvaluationFacts(models.Model):
    """The facts of a score sheet or criterion grades, and the step of the review (R29),
    shared by member and unit evaluations."""

    status = models.CharField(
        _("tình trạng"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("lý do"), max_length=255, blank=True)
    # QD366 score sheet totals (the items come with the self-review form).
    score_general = models.DecimalField(
        _("điểm tiêu chí chung"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_task_results = models.DecimalField(
        _("điểm kết quả thực hiện nhiệm vụ"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # HD21/QD124: a grade (EXCELLENT, GOOD, AVERAGE, POOR) per criterion of the regime.
    grades = models.JSONField(_("xếp loại theo tiêu chí"), null=True, blank=True)
    tasks_done = models.DecimalField(
        _("% nhiệm vụ hoàn thành"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tasks_late = models.DecimalField(
        _("% nhiệm vụ chậm tiến độ"), max_digits=5, decimal_places=2, default=0
    )
    tasks_exceeded = models.DecimalField(
        _("% nhiệm vụ vượt mức"), max_digits=5, decimal_places=2, default=0
    )
    weaknesses_total = models.PositiveSmallIntegerField(_("hạn chế phải khắc phục"), default=0)
    weaknesses_fixed = models.PositiveSmallIntegerField(_("hạn chế đã khắc phục"), default=0)
    # The levels at each step (R29); `level_final` is the result once decided and appraised.
    level_self = models.PositiveSmallIntegerField(
        _("tự xếp loại"), choices=Level.choices, null=True, blank=True
    )
    level_proposed = models.PositiveSmallIntegerField(
        _("chi bộ đề xuất"), choices=Level.choices, null=True, blank=True
    )
    level_decided = models.PositiveSmallIntegerField(
        _("cấp có thẩm quyền quyết định"), choices=Level.choices, null=True, blank=True
    )
    level_final = models.PositiveSmallIntegerField(
        _("kết quả"), choices=Level.choices, null=True, blank=True
    )
    # Imported history keeps the original label and its rank (R34).
    label = models.CharField(_("kết quả gốc"), max_length=128, blank=True)
    ordinal = models.PositiveSmallIntegerField(_("thứ hạng"), null=True, blank=True)
    exemplary = models.BooleanField(_("tiêu biểu"), default=False)
    step = models.CharField(
        _("bước"), max_length=16, choices=Step.choices, default=Step.SELF_REVIEW, db_index=True
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    # Whose evaluation, in which cycle: fixed once written, since the level history is bound to
    # it (R33); the admin shows these fields read-only and a save that changes one is refused.
    SUBJECT: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        loaded = self.__dict__.get("_subject")
        if self.pk is not None and loaded is not None and loaded != self.subject_key():
            raise SubjectChanged(f"{type(self).__name__} {self.pk}: its subject never changes")
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance.__dict__["_subject"] = instance.subject_key()
        return instance

    def subject_key(self) -> tuple[object, ...]:
        return tuple(self.__dict__.get(name) for name in self.SUBJECT)

    @property
    def final_level(self) -> EngineLevel | None:
        return EngineLevel(self.level_final) if self.level_final else None

    @property
    def total_score(self) -> Decimal | None:
        """The score sheet's total, once both its parts are scored."""
        if self.score_general is None or self.score_task_results is None:
            return None
        return self.score_general + self.score_task_results


class MemberEvaluationQuerySet(models.QuerySet["MemberEvaluation"]):
    def for_cycle(self, cycle: Cycle) -> MemberEvaluationQuerySet:
        return self.filter(cycle=cycle)

    def in_subtree(self, unit: Unit) -> MemberEvaluationQuerySet:
        """Evaluations under `unit` along the tree of that cycle's year."""
        return self.filter(unit_path__startswith=unit.path)


class MemberEvaluation(EvaluationFacts):
    """One member's evaluation in one cycle."""

    SUBJECT = ("cycle_id", "member_id")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="member_evaluations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="evaluations")
    cell = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi bộ xếp loại")
    )
    # The cell's path that year, so that history rolls up along the tree as it was.
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    degraded = models.BooleanField(_("kết luận suy thoái, vi phạm"), default=False)

    objects = MemberEvaluationQuerySet.as_manager()

    versions = ExplicitHistory()  # `history` is the level history (LevelChange)

    class Meta:
        verbose_name = _("đánh giá đảng viên")
        verbose_name_plural = _("đánh giá đảng viên")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member"], name="one_evaluation_per_member")
        ]
        indexes = [cycle_subtree_index("member_eval_cycle_path")]

    def __str__(self) -> str:
        return f"{self.member} — {self.cycle}"

    def who(self) -> str:
        """Whose result this is, as a sentence names them."""
        return _("đồng chí {name}").format(name=self.member.full_name)


class UnitEvaluationKind(models.TextChoices):
    ORGANISATION = "organisation", _("Tổ chức đảng")
    COLLECTIVE = "collective", _("Tập thể lãnh đạo")


UNIT_STEP_LABELS = {
    Step.NOT_REVIEWED: _("Không xếp loại"),
    Step.SELF_REVIEW: _("Đang xây dựng báo cáo kiểm điểm"),
    Step.SUBMITTED: _("Đã nộp báo cáo kiểm điểm"),
    Step.PROPOSED: _("Đã thẩm định, đề xuất"),
}


class UnitEvaluation(EvaluationFacts):
    """One organisation's, or one leadership collective's, evaluation in one cycle."""

    SUBJECT = ("cycle_id", "unit_id", "kind")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="unit_evaluations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField(
        _("đối tượng"),
        max_length=16,
        choices=UnitEvaluationKind.choices,
        default=UnitEvaluationKind.ORGANISATION,
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    # R10: whether key targets were missed (None: not recorded), and force majeure.
    key_targets_missed = models.BooleanField(_("không đạt chỉ tiêu chủ yếu"), null=True)
    force_majeure = models.BooleanField(_("do nguyên nhân bất khả kháng"), default=False)
    # R24, R25: set only from a conclusion recorded with its document (`reviews.Conclusion`).
    disciplined = models.BooleanField(_("tập thể bị kỷ luật"), default=False)
    disunity = models.BooleanField(_("mất đoàn kết nội bộ"), default=False)
    degraded_member = models.BooleanField(_("có thành viên suy thoái"), default=False)

    versions = ExplicitHistory()  # `history` is the level history (LevelChange)

    class Meta:
        verbose_name = _("đánh giá tổ chức đảng")
        verbose_name_plural = _("đánh giá tổ chức đảng")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit", "kind"], name="one_evaluation_per_unit_and_kind"
            )
        ]
        indexes = [cycle_subtree_index("unit_eval_cycle_path")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"

    def step_label(self) -> str:
        """The step in the words of an organisation's review: its committee reports, the
        superior's advisory body examines and proposes."""
        return str(UNIT_STEP_LABELS.get(Step(self.step), Step(self.step).label))

    def who(self) -> str:
        """Whose result this is, as a sentence names them."""
        if self.kind == UnitEvaluationKind.COLLECTIVE:
            return _("tập thể lãnh đạo {unit}").format(unit=self.unit.name)
        return self.unit.name


LEADER_STEP_LABELS = {
    Step.NOT_REVIEWED: _("Không kiểm điểm"),
    Step.PROPOSED: _("Tập thể lãnh đạo đã đề xuất"),
}


class LeaderEvaluation(EvaluationFacts):
    """A leader's evaluation as a leader in one cycle, for one post: reviewed in the leadership
    collective of the post's unit, and classified as a leader only for the highest of their
    posts (`classified`, R32). Their evaluation as a member is the `MemberEvaluation`."""

    SUBJECT = ("cycle_id", "member_id", "post_id")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="leader_evaluations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="leader_evaluations")
    post = models.ForeignKey(
        "members.Post",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("chức vụ"),
    )
    # The post's unit, whose collective reviews the leader; its path that year.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="leader_evaluations", verbose_name=_("đơn vị")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    # As the cycle opened: the post's place in the collective (R30, R26), whether it heads the
    # unit (R16), and whether the leader is classified here, at their highest post (R32).
    tier = models.PositiveSmallIntegerField(_("vị trí"), choices=PostTier.choices)
    head = models.BooleanField(_("người đứng đầu"), default=False)
    classified = models.BooleanField(_("xếp loại tại đây"), default=True)
    degraded = models.BooleanField(_("kết luận suy thoái, vi phạm"), default=False)

    versions = ExplicitHistory()  # `history` is the level history (LeaderLevelChange)

    class Meta:
        verbose_name = _("đánh giá cán bộ lãnh đạo, quản lý")
        verbose_name_plural = _("đánh giá cán bộ lãnh đạo, quản lý")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "post"], name="one_evaluation_per_post")
        ]
        indexes = [cycle_subtree_index("leader_eval_cycle_path")]

    def __str__(self) -> str:
        return f"{self.member} — {self.post.title} — {self.cycle}"

    def step_label(self) -> str:
        return str(LEADER_STEP_LABELS.get(Step(self.step), Step(self.step).label))

    def who(self) -> str:
        """Whose result this is, as a sentence names them."""
        return _("đồng chí {name}, {title}").format(
            name=self.member.full_name, title=self.post.title
        )
