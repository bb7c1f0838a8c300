"""The member review: self-review forms, inputs, cell meetings, follow-up, and the history of
every level set (DOMAIN.md 4, RULES.md R29-R33, R37)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xeploai.core.history import ExplicitHistory
from xeploai.cycles.models import (
    Cycle,
    LeaderEvaluation,
    Level,
    Manifestation,
    MemberEvaluation,
    Step,
    UnitEvaluation,
)
from xeploai.members.models import Member
from xeploai.units.models import Unit


class Report(models.Model):
    """A self-review form: its free-text sections and its score sheet, saved as a draft as it
    is typed, then submitted, which locks it (step SUBMITTED)."""

    form = models.CharField(_("mẫu"), max_length=8)
    # Free-text sections, keyed by `SECTIONS`.
    sections = models.JSONField(_("nội dung"), default=dict, blank=True)
    # QD366: points per score item code; HD21/QD124: a grade per criterion (on the evaluation).
    scores = models.JSONField(_("điểm tự chấm"), default=dict, blank=True)
    updated = models.DateTimeField(_("lưu lần cuối"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người lưu lần cuối"),
    )
    submitted = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nộp"),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.form} — {self.evaluation}"  # type: ignore[attr-defined]


class SelfReview(Report):
    """The member's self-review form (bản kiểm điểm), with the manifestations they tick."""

    evaluation = models.OneToOneField(
        MemberEvaluation,
        on_delete=models.CASCADE,
        related_name="self_review",
        verbose_name=_("đánh giá"),
    )
    manifestations = models.ManyToManyField(
        Manifestation, blank=True, verbose_name=_("biểu hiện tự nhận thấy")
    )
    assisted = models.BooleanField(_("bí thư chi bộ nhập thay"), default=False)

    # Written by imports only (a past year's text): a draft is saved at each pause in typing.
    versions = ExplicitHistory()

    class Meta:
        verbose_name = _("bản tự kiểm điểm")
        verbose_name_plural = _("bản tự kiểm điểm")


SECTIONS = {
    "strengths": _("Ưu điểm, kết quả đạt được"),
    "weaknesses": _("Hạn chế, khuyết điểm và nguyên nhân"),
    "earlier_weaknesses": _("Kết quả khắc phục hạn chế, khuyết điểm đã được chỉ ra"),
    "suggestions": _("Giải trình những vấn đề được gợi ý kiểm điểm (nếu có)"),
    "collective_responsibility": _(
        "Trách nhiệm của cá nhân đối với hạn chế, khuyết điểm của tập thể (nếu có)"
    ),
    "plan": _("Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm"),
}
REQUIRED_SECTIONS = ("strengths", "weaknesses", "plan")


class InputKind(models.TextChoices):
    """The comments a member's review needs (R7, DOMAIN.md 4 step 2)."""

    RESIDENCE = "RESIDENCE", _("Chi bộ nơi cư trú")
    MASS_ORGANISATION = "MASS_ORGANISATION", _("Tổ chức đoàn thể do đảng viên phụ trách")
    HEAD = "HEAD", _("Người đứng đầu cơ quan, đơn vị nơi công tác")
    OLD_CELL = "OLD_CELL", _("Chi bộ cũ (sinh hoạt từ 6 tháng trở lên)")
    TEMPORARY_CELL = "TEMPORARY_CELL", _("Chi bộ sinh hoạt tạm thời")


class Comment(models.Model):
    """A comment on a year's review (ý kiến tham gia): who gave it, what it says, who entered
    it and when."""

    source = models.CharField(_("cơ quan, tổ chức"), max_length=255)
    text = models.TextField(_("nội dung nhận xét"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    entered = models.DateTimeField(_("ngày nhập"), auto_now_add=True)

    class Meta:
        abstract = True


class Input(Comment):
    """One comment on a member's year, entered by its author or from paper."""

    evaluation = models.ForeignKey(
        MemberEvaluation,
        on_delete=models.CASCADE,
        related_name="inputs",
        verbose_name=_("đánh giá"),
    )
    kind = models.CharField(_("nguồn ý kiến"), max_length=24, choices=InputKind.choices)
    from_paper = models.BooleanField(_("nhập từ văn bản giấy"), default=False)

    class Meta:
        verbose_name = _("ý kiến tham gia")
        verbose_name_plural = _("ý kiến tham gia")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "kind", "source"], name="one_input_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source}"


class Meeting(models.Model):
    """A cell's review meeting (họp kiểm điểm) for a cycle, and its attendance."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kỳ đánh giá")
    )
    cell = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("chi bộ")
    )
    held_on = models.DateField(_("ngày họp"))
    chair = models.CharField(_("chủ trì"), max_length=128)
    minutes_taker = models.CharField(_("thư ký"), max_length=128, blank=True)
    summoned = models.PositiveIntegerField(_("số đảng viên được triệu tập"))
    present = models.PositiveIntegerField(_("số có mặt"))
    # [{"member": code, "name": ..., "reason": ...}] for each absent member.
    absences = models.JSONField(_("vắng mặt"), default=list, blank=True)
    secret_ballot = models.BooleanField(_("bỏ phiếu kín"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    class Meta:
        verbose_name = _("cuộc họp kiểm điểm")
        verbose_name_plural = _("cuộc họp kiểm điểm")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "cell"], name="one_meeting_per_cell_and_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.cell} — {self.held_on:%d/%m/%Y}"


class Proposal(models.Model):
    """What the meeting concluded for one member: comments, conclusion, vote, proposed level.

    A secret ballot keeps counts per level only, never who voted what (S2).
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("cuộc họp")
    )
    evaluation = models.OneToOneField(
        MemberEvaluation,
        on_delete=models.CASCADE,
        related_name="proposal",
        verbose_name=_("đánh giá"),
    )
    comments = models.TextField(_("ý kiến góp ý, phê bình"), blank=True)
    conclusion = models.TextField(_("kết luận của chủ trì"))
    votes = models.JSONField(_("số phiếu theo mức"), default=dict)  # {level: count}
    level = models.PositiveSmallIntegerField(_("mức đề xuất"), choices=Level.choices)

    class Meta:
        verbose_name = _("đề xuất xếp loại")
        verbose_name_plural = _("đề xuất xếp loại")

    def __str__(self) -> str:
        return f"{self.evaluation}: {self.get_level_display()}"


class FollowUp(models.Model):
    """A weakness concluded in a review, to be fixed and reported on next cycle (R37)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("đảng viên")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("kỳ chỉ ra")
    )
    text = models.TextField(_("hạn chế, khuyết điểm"))
    # Filled in the next cycle's self-review.
    result = models.TextField(_("kết quả khắc phục"), blank=True)
    fixed = models.BooleanField(_("đã khắc phục"), default=False)

    class Meta:
        verbose_name = _("hạn chế phải khắc phục")
        verbose_name_plural = _("hạn chế phải khắc phục")
        ordering = ["cycle__start", "pk"]

    def __str__(self) -> str:
        return self.text


class QuotaExceptionQuerySet(models.QuerySet["QuotaException"]):
    def covering(self, cycle: Cycle, group: Unit, excellent: int) -> QuotaExceptionQuerySet:
        """The exceptions recorded for the group in the cycle that allow this many
        excellent results (R27)."""
        return self.filter(cycle=cycle, group=group, excellent__gte=excellent, subject="members")

    def covering_units(
        self, cycle: Cycle, group: Unit, *, kind: str, field_type: str, excellent: int
    ) -> QuotaExceptionQuerySet:
        """The same for a group of organisations or of collectives (`kind`), of one type of
        field, decided by `group`."""
        return self.filter(
            cycle=cycle, group=group, subject=kind, field_type=field_type, excellent__gte=excellent
        )


class QuotaException(models.Model):
    """A quota breach the deciding body accepted, with its reason and decision (R27)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("kỳ đánh giá")
    )
    group = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="quota_exceptions",
        verbose_name=_("tổ chức cơ sở đảng"),
    )
    # Members are grouped by grassroots unit; organisations and collectives (`subject`: the
    # kind of unit evaluation) by the unit that decides them and their type of field (R26).
    subject = models.CharField(_("đối tượng"), max_length=16, default="members")
    field_type = models.CharField(_("loại hình"), max_length=16, blank=True)
    excellent = models.PositiveIntegerField(_("số xuất sắc"))
    allowed = models.PositiveIntegerField(_("số được phép"))
    reason = models.TextField(_("lý do"))
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded = models.DateTimeField(_("thời điểm ghi nhận"), auto_now_add=True)

    objects = QuotaExceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("ngoại lệ tỷ lệ xuất sắc")
        verbose_name_plural = _("ngoại lệ tỷ lệ xuất sắc")

    def __str__(self) -> str:
        return f"{self.group} — {self.decision_number}"


class UnitSelfReview(Report):
    """The report an organisation's or a leadership collective's committee drafts (Mẫu 01):
    the same sections as a member's, and the collective score sheet or criterion grades
    (on the evaluation)."""

    evaluation = models.OneToOneField(
        UnitEvaluation,
        on_delete=models.CASCADE,
        related_name="self_review",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("báo cáo kiểm điểm tập thể")
        verbose_name_plural = _("báo cáo kiểm điểm tập thể")


class PeerKind(models.TextChoices):
    """The organisations of the same unit whose levels bind a party organisation's (R22)."""

    GOVERNMENT = "GOVERNMENT", _("Chính quyền, cơ quan, đơn vị")
    FRONT = "FRONT", _("Mặt trận Tổ quốc")
    MASS = "MASS", _("Đoàn thể chính trị - xã hội")


class PeerResult(models.Model):
    """The level of the government, the Fatherland Front or a mass organisation of the same
    unit in the year, entered by the party organisation's committee with its source (R22), or
    imported for a past year (import kind `peer_results`): an imported one has no `entered_by`,
    its versions say who imported it and from which file."""

    evaluation = models.ForeignKey(
        UnitEvaluation,
        on_delete=models.CASCADE,
        related_name="peer_results",
        verbose_name=_("đánh giá"),
    )
    kind = models.CharField(_("loại tổ chức"), max_length=16, choices=PeerKind.choices)
    name = models.CharField(_("tên tổ chức"), max_length=255)
    level = models.PositiveSmallIntegerField(_("mức xếp loại"), choices=Level.choices)
    source = models.CharField(_("văn bản, quyết định"), max_length=255)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    entered = models.DateTimeField(_("ngày nhập"), auto_now_add=True)
    versions = ExplicitHistory()  # written by imports only, as for evaluations

    class Meta:
        verbose_name = _("kết quả tổ chức cùng cấp")
        verbose_name_plural = _("kết quả tổ chức cùng cấp")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "kind", "name"], name="one_peer_result")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_level_display()}"


class ConclusionKind(models.TextChoices):
    """What a competent body concluded of a collective in the year (R24, R25)."""

    DISCIPLINED = "DISCIPLINED", _("Tập thể bị kỷ luật")
    DISUNITY = "DISUNITY", _("Mất đoàn kết nội bộ")
    DEGRADED_MEMBER = (
        "DEGRADED_MEMBER",
        _("Có thành viên suy thoái, “tự diễn biến”, “tự chuyển hóa”"),
    )


# The evaluation's fact each kind of conclusion sets.
CONCLUSION_FACTS = {
    ConclusionKind.DISCIPLINED: "disciplined",
    ConclusionKind.DISUNITY: "disunity",
    ConclusionKind.DEGRADED_MEMBER: "degraded_member",
}


class Conclusion(models.Model):
    """A conclusion about a collective, recorded by the body that reached it, with its reason
    and document: the only way the facts it stands for are set (R24, R25)."""

    evaluation = models.ForeignKey(
        UnitEvaluation,
        on_delete=models.PROTECT,
        related_name="conclusions",
        verbose_name=_("đánh giá"),
    )
    kind = models.CharField(_("kết luận"), max_length=16, choices=ConclusionKind.choices)
    body = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp kết luận")
    )
    document_number = models.CharField(_("số văn bản"), max_length=64)
    document_date = models.DateField(_("ngày văn bản"))
    reason = models.TextField(_("nội dung"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded = models.DateTimeField(_("thời điểm ghi nhận"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết luận về tập thể")
        verbose_name_plural = _("kết luận về tập thể")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.document_number}"


class UnitInput(Comment):
    """A comment on an organisation's or collective's year by a body that gives one: the
    government and mass organisations of the unit, the superior's working group."""

    evaluation = models.ForeignKey(
        UnitEvaluation,
        on_delete=models.CASCADE,
        related_name="inputs",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("ý kiến tham gia về tập thể")
        verbose_name_plural = _("ý kiến tham gia về tập thể")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "source"], name="one_unit_input_per_source"
            )
        ]

    def __str__(self) -> str:
        return self.source


class ActingRole(models.TextChoices):
    """The capacity in which someone changed a level: a role kind, or the member themselves."""

    MEMBER = "MEMBER", _("Đảng viên")
    CELL_COMMITTEE = "CELL_COMMITTEE", _("Cấp ủy chi bộ")
    CELL_SECRETARY = "CELL_SECRETARY", _("Bí thư chi bộ")
    GRASSROOTS_OFFICER = "GRASSROOTS_OFFICER", _("Cán bộ đảng ủy cơ sở")
    BOARD_OFFICER = "BOARD_OFFICER", _("Cán bộ ban tổ chức cấp trên")
    STANDING_COMMITTEE = "STANDING_COMMITTEE", _("Thường trực, Ban Thường vụ cấp ủy")
    ADMINISTRATOR = "ADMINISTRATOR", _("Quản trị hệ thống")


class Action(models.TextChoices):
    SUBMIT = "SUBMIT", _("Nộp bản tự kiểm điểm")
    PROPOSE = "PROPOSE", _("Chi bộ đề xuất")
    DECIDE = "DECIDE", _("Quyết định xếp loại")
    APPROVE = "APPROVE", _("Thẩm định, thống nhất")
    ADJUST = "ADJUST", _("Thẩm định, điều chỉnh")
    RETURN = "RETURN", _("Trả lại bước trước")
    REOPEN = "REOPEN", _("Mở lại kết quả")
    PUBLISH = "PUBLISH", _("Công khai")
    # A result reached outside this system and loaded from a file (or the demo's past years).
    IMPORT = "IMPORT", _("Nhập kết quả")


class HistoryError(Exception):
    pass


class ChainedChange(models.Model):
    """One level set or changed at one step (R33), appended to its evaluation's chain, which
    nobody may alter.

    Each row is signed (HMAC under the history key, which the database never holds) over a
    canonical form of everything it says: its subject (`subject`: the cycle and the member
    or unit, so that a row moved to another evaluation no longer matches), the state of the
    evaluation it left (`facts`: a digest of the scores, facts and levels, so that a fact
    changed after the decision is seen) and the hash of the row before. The canonical form
    survives Django's own serialisation (`at` to the millisecond, in UTC) and pg_dump.
    The chains as a whole are anchored by the seals (`seals.py`).
    """

    seq = models.PositiveIntegerField(_("thứ tự"))
    subject = models.CharField(_("đối tượng"), max_length=96)
    step = models.CharField(_("bước"), max_length=16, choices=Step.choices, blank=True)
    action = models.CharField(_("thao tác"), max_length=16, choices=Action.choices)
    # None for a result imported from the command line, where nobody is signed in.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    by_name = models.CharField(_("họ tên"), max_length=160)
    role = models.CharField(_("với vai trò"), max_length=24, choices=ActingRole.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tại đơn vị")
    )
    at = models.DateTimeField(_("thời điểm"))
    level_from = models.PositiveSmallIntegerField(
        _("từ mức"), choices=Level.choices, null=True, blank=True
    )
    level_to = models.PositiveSmallIntegerField(
        _("thành mức"), choices=Level.choices, null=True, blank=True
    )
    reason = models.TextField(_("lý do"), blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    facts = models.CharField(_("mã băm dữ kiện"), max_length=64, blank=True)
    prev_hash = models.CharField(_("mã băm dòng trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64, unique=True)

    # The actions in the words of this subject's review, where they differ from a member's.
    ACTION_LABELS: ClassVar[dict[str, StrOrPromise]] = {}

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise HistoryError("history rows are never changed")
        self.hash = self.compute_hash()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise HistoryError("history rows are never deleted")

    def content(self) -> dict[str, Any]:
        """What the signature covers: every field but the hash, in a canonical form."""
        return {
            "evaluation": self.evaluation_id,  # type: ignore[attr-defined]
            "subject": self.subject,
            "seq": self.seq,
            "step": self.step,
            "action": self.action,
            "by": self.by_id,
            "by_name": self.by_name,
            "role": self.role,
            "unit": self.unit_id,
            "at": canonical_time(self.at),
            "level_from": self.level_from,
            "level_to": self.level_to,
            "reason": self.reason,
            "decision_number": self.decision_number,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "facts": self.facts,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        """HMAC-SHA-256 of the content under the history key, which the database never holds."""
        return sign(self.content())

    def action_label(self) -> str:
        """The action in the words of this subject's review, where they differ from a
        member's (`ACTION_LABELS`)."""
        action = Action(self.action)
        return str(self.ACTION_LABELS.get(action, action.label))


def canonical_time(at: dt.datetime) -> str:
    """A moment as Django's serialisers keep it: UTC, to the millisecond."""
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def sign(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    key = settings.HISTORY_KEY.encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class LevelChange(ChainedChange):
    """A row of a member's level history."""

    evaluation = models.ForeignKey(
        MemberEvaluation,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("lịch sử xếp loại")
        verbose_name_plural = _("lịch sử xếp loại")
        ordering = ["evaluation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "seq"], name="one_history_row_per_seq")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.seq}: {self.action}"


class UnitLevelChange(ChainedChange):
    """A row of an organisation's or a leadership collective's level history."""

    evaluation = models.ForeignKey(
        UnitEvaluation,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("lịch sử xếp loại tổ chức")
        verbose_name_plural = _("lịch sử xếp loại tổ chức")
        ordering = ["evaluation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "seq"], name="one_unit_history_row_per_seq"
            )
        ]

    ACTION_LABELS = {
        Action.SUBMIT: _("Nộp báo cáo kiểm điểm"),
        Action.PROPOSE: _("Thẩm định, đề xuất"),
    }

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.seq}: {self.action}"


class LeaderLevelChange(ChainedChange):
    """A row of a leader's level history, as a leader."""

    evaluation = models.ForeignKey(
        LeaderEvaluation,
        on_delete=models.PROTECT,
        related_name="history",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("lịch sử xếp loại cán bộ lãnh đạo")
        verbose_name_plural = _("lịch sử xếp loại cán bộ lãnh đạo")
        ordering = ["evaluation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "seq"], name="one_leader_history_row_per_seq"
            )
        ]

    ACTION_LABELS = {
        Action.SUBMIT: _("Nộp bản kiểm điểm"),
        Action.PROPOSE: _("Tập thể lãnh đạo đề xuất"),
    }

    def __str__(self) -> str:
        return f"{self.evaluation} #{self.seq}: {self.action}"


class HistorySeal(models.Model):
    """A seal of the level history: the head of every chain written since the seal before,
    and the number of evaluations of each cycle, signed and chained to the seal before.
    Each seal is also appended to a file outside the database (`settings.HISTORY_SEALS`),
    against which rows deleted or rolled back here are found (`seals.py`)."""

    seq = models.PositiveIntegerField(_("thứ tự"), unique=True)
    at = models.DateTimeField(_("thời điểm"))
    through_member = models.BigIntegerField()  # the last member history row covered
    through_unit = models.BigIntegerField()  # the last organisation history row covered
    through_leader = models.BigIntegerField(default=0)  # the last leader history row covered
    counts = models.JSONField()  # {cycle id: [members', units' (, leaders') evaluations]}
    prev = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("niêm phong lịch sử xếp loại")
        verbose_name_plural = _("niêm phong lịch sử xếp loại")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%d/%m/%Y %H:%M}"


class SealedHead(models.Model):
    """The last row of one chain when a seal was made. No foreign key: a head outlives the
    evaluation deleted behind it, which is how the deletion is found."""

    seal = models.ForeignKey(HistorySeal, on_delete=models.PROTECT, related_name="heads")
    kind = models.CharField(max_length=1)  # "m": a member's chain, "u": a unit's, "l": a leader's
    evaluation_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["kind", "evaluation_id"])]

    def __str__(self) -> str:
        return f"{self.kind}{self.evaluation_id} #{self.seq}"


class LeaderSelfReview(Report):
    """A leader's self-review as a leader (Mẫu 2B, 02B, 02), for the meeting of the
    leadership collective of the post's unit."""

    evaluation = models.OneToOneField(
        LeaderEvaluation,
        on_delete=models.CASCADE,
        related_name="self_review",
        verbose_name=_("đánh giá"),
    )

    class Meta:
        verbose_name = _("bản kiểm điểm cán bộ lãnh đạo, quản lý")
        verbose_name_plural = _("bản kiểm điểm cán bộ lãnh đạo, quản lý")
