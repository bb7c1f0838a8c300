"""The superior's hand in the review (DOMAIN.md 4, RULES.md S2): the points it asks a member, a
leader or a collective to explain in their review (gợi ý kiểm điểm), their explanations (giải
trình), and the reviews of the level below it attended (dự) or directed (chỉ đạo)."""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xeploai.core.history import HistoricalRecords
from xeploai.cycles.models import Cycle, LeaderEvaluation, MemberEvaluation, UnitEvaluation
from xeploai.units.models import Unit

# The evaluations a suggestion or a record can be about, each by its own nullable key, exactly
# one of them set: a member's in their cell, a collective's, a leader's in the collective of
# their post.
SUBJECT_FIELDS: dict[type[models.Model], str] = {
    MemberEvaluation: "member_evaluation",
    UnitEvaluation: "unit_evaluation",
    LeaderEvaluation: "leader_evaluation",
}
Evaluation = MemberEvaluation | UnitEvaluation | LeaderEvaluation
# What `who()` reads of each subject, for the querysets that list them.
SUBJECTS_READ = (
    "member_evaluation__member",
    "unit_evaluation__unit",
    "leader_evaluation__member",
    "leader_evaluation__post",
    "leader_evaluation__unit",
)


def subject_field(evaluation: Evaluation) -> str:
    """The key that names `evaluation` as a subject."""
    return SUBJECT_FIELDS[type(evaluation)]


def one_subject(name: str) -> models.CheckConstraint:
    """Exactly one of the subject keys is set."""
    fields = SUBJECT_FIELDS.values()
    alternatives = [
        Q(**{f"{field}__isnull": field != chosen for field in fields}) for chosen in fields
    ]
    return models.CheckConstraint(condition=functools.reduce(operator.or_, alternatives), name=name)


class SubjectKind(models.TextChoices):
    """Whose review, as a form asks for it: the subject's evaluation is found by its code."""

    MEMBER = "member", _("Cá nhân (đảng viên)")
    LEADER = "leader", _("Cá nhân (cán bộ lãnh đạo, quản lý)")
    ORGANISATION = "organisation", _("Tập thể: tổ chức đảng")
    COLLECTIVE = "collective", _("Tập thể: tập thể lãnh đạo")


class Subjected(models.Model):
    """A row about one review of the level below a superior unit, in one cycle."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("kỳ đánh giá")
    )
    superior = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp trên")
    )
    member_evaluation = models.ForeignKey(
        MemberEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đảng viên"),
    )
    unit_evaluation = models.ForeignKey(
        UnitEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tập thể"),
    )
    leader_evaluation = models.ForeignKey(
        LeaderEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ lãnh đạo, quản lý"),
    )

    class Meta:
        abstract = True

    @property
    def subject(self) -> Evaluation:
        """The evaluation this row is about."""
        for field in SUBJECT_FIELDS.values():
            found: Evaluation | None = getattr(self, field)
            if found is not None:
                return found
        raise ValueError("a row without a subject")  # the check constraint forbids it

    def who(self) -> str:
        """The subject, as a sentence names them."""
        return self.subject.who()


class SuggestionQuerySet(models.QuerySet["Suggestion"]):
    def released(self) -> SuggestionQuerySet:
        return self.filter(released__isnull=False)

    def about(self, evaluation: Evaluation) -> SuggestionQuerySet:
        """The suggestions whose subject is `evaluation`."""
        return self.filter(**{subject_field(evaluation): evaluation})

    def visible_to(self, user: Any) -> SuggestionQuerySet:
        """What the user may read (S2): everything issued within the scope of their roles that
        oversee, and, once released, what is addressed to them and what they decide on."""
        from .access import visible_suggestions

        return self.filter(visible_suggestions(user))

    def with_subjects(self) -> SuggestionQuerySet:
        return self.select_related("superior", *SUBJECTS_READ)


class Suggestion(Subjected):
    """A review suggestion (gợi ý kiểm điểm): numbered points a superior asks a member, a
    leader or a collective of the level below to explain in their review. Confidential to
    those who oversee the issuing unit until it is released; then its subject reads and
    answers it, and its points never change again (S2)."""

    number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    issued_on = models.DateField(_("ngày gợi ý"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người soạn"),
    )
    created = models.DateTimeField(_("thời điểm soạn"), auto_now_add=True)
    released = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )

    objects = SuggestionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gợi ý kiểm điểm")
        verbose_name_plural = _("gợi ý kiểm điểm")
        constraints = [
            one_subject("suggestion_has_one_subject"),
            *(
                models.UniqueConstraint(
                    fields=["superior", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"one_suggestion_per_superior_and_{field}",
                )
                for field in SUBJECT_FIELDS.values()
            ),
            models.CheckConstraint(
                condition=Q(released__isnull=True) | Q(released_by__isnull=False),
                name="suggestion_released_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.superior} — {self.subject}"

    @property
    def is_released(self) -> bool:
        return self.released is not None


class PointLocked(Exception):
    """A released suggestion's point changed: only its explanation may be written."""


class Point(models.Model):
    """One numbered point of a suggestion: an issue the subject is asked to explain."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="points", verbose_name=_("gợi ý")
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    text = models.TextField(_("vấn đề gợi ý"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vấn đề gợi ý kiểm điểm")
        verbose_name_plural = _("vấn đề gợi ý kiểm điểm")
        ordering = ["suggestion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "number"], name="one_point_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_open()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._check_open()
        return super().delete(*args, **kwargs)

    def _check_open(self) -> None:
        # Read afresh: the suggestion may have been released since this row was read.
        if Suggestion.objects.filter(pk=self.suggestion_id, released__isnull=False).exists():
            raise PointLocked(f"point {self.pk} of a released suggestion")

    @property
    def answer(self) -> Explanation | None:
        """Its explanation, if one is written (read with `select_related("explanation")`)."""
        found: Explanation | None = getattr(self, "explanation", None)
        return found


class Explanation(models.Model):
    """The subject's explanation of one point (giải trình), who wrote it and when."""

    point = models.OneToOneField(
        Point, on_delete=models.CASCADE, related_name="explanation", verbose_name=_("vấn đề")
    )
    text = models.TextField(_("nội dung giải trình"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người viết"),
    )
    written = models.DateTimeField(_("thời điểm viết"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giải trình")
        verbose_name_plural = _("giải trình")

    def __str__(self) -> str:
        return self.text[:80]


class AttendanceKind(models.TextChoices):
    DIRECTED = "DIRECTED", _("Chỉ đạo kiểm điểm (tổ công tác)")
    ATTENDED = "ATTENDED", _("Dự kiểm điểm")


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def with_subjects(self) -> AttendanceQuerySet:
        return self.select_related("superior", *SUBJECTS_READ)


class Attendance(Subjected):
    """A review of the level below that the superior attended, or directed through a working
    group (tổ công tác): when, who went, what they concluded."""

    kind = models.CharField(_("hình thức"), max_length=8, choices=AttendanceKind.choices)
    held_on = models.DateField(_("ngày kiểm điểm"))
    # One person a line, with their post: "Nguyễn Văn A — Phó Trưởng Ban Tổ chức Huyện ủy".
    group = models.TextField(_("thành viên tổ công tác, người dự"))
    conclusions = models.TextField(_("kết luận, ý kiến chỉ đạo"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded = models.DateTimeField(_("thời điểm ghi nhận"), auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dự, chỉ đạo kiểm điểm")
        verbose_name_plural = _("dự, chỉ đạo kiểm điểm")
        constraints = [one_subject("attendance_has_one_subject")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject}"

    def group_lines(self) -> list[str]:
        """The working group, one person a line."""
        return [line.strip() for line in self.group.splitlines() if line.strip()]
