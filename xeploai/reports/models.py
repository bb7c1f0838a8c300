from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xeploai.core.storage import PrivateStorage
from xeploai.cycles.models import Cycle
from xeploai.units.models import Unit, cycle_subtree_index

MEMBERS = "MEMBER"  # the subject of a tally of member evaluations; otherwise a unit kind


class Counted(models.Model):
    """How many evaluations of one cycle share everything a report splits them by."""

    # Indexed with the path by each table (`Tally`, `Rollup`): an index of the cycle alone
    # would only slow down counting a cycle again.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255)  # the path of the unit above, "" at the top
    subject = models.CharField(max_length=24)  # MEMBERS, or the kind of the evaluated unit
    status = models.CharField(max_length=16)
    status_reason = models.CharField(max_length=255)
    level = models.PositiveSmallIntegerField(null=True)
    # The level the quota counts (R26): final, decided, else proposed; none out of the review.
    latest = models.PositiveSmallIntegerField(null=True)
    label = models.CharField(max_length=128)
    ordinal = models.PositiveSmallIntegerField(null=True)
    exemplary = models.BooleanField(default=False)  # "tiêu biểu" (R34, R38)
    probationary = models.BooleanField(default=False)
    leader = models.BooleanField(default=False)
    # A civil servant or public employee in the review (any step but not reviewed), and their
    # level in the state evaluation of the year, blank where there is none (R28).
    servant = models.BooleanField(default=False)
    state = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class Tally(Counted):
    """The evaluations counted at one place of that year's tree: the per-cell aggregate the
    roll-ups add up (reports/tally.py keeps both in step with the evaluations). Member
    evaluations are counted at their cell's path, an organisation's own evaluation at its
    unit's path."""

    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        indexes = [
            cycle_subtree_index("tally_cycle_path"),
            models.Index(fields=["cycle", "parent_path"], name="tally_cycle_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.subject} {self.status} {self.level}: {self.n}"


class Rollup(Counted):
    """The tally of everything below a unit in that year's tree (its subtree but its own
    rows), so that a report reads the rows of its unit and of its direct children, never its
    subtree's: a unit's figures are its own tally rows and its roll-up. A cell has none.
    `key` joins the fields counted by, the one row of each (`tally.group_key`); `n` is added
    to as the tally changes (it may go below zero only if the two drifted apart, which the
    reconciliation reports)."""

    key = models.TextField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit_path", "key"], name="rollup_key")
        ]
        indexes = [models.Index(fields=["cycle", "parent_path"], name="rollup_cycle_parent")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.key}: {self.n}"


class Mismatch(models.Model):
    """A place where the last check (reports/checks.py) found the tally apart from the
    evaluations it counts, or a roll-up apart from the tally it adds up: what the reports of
    the units above it say until the place is counted again."""

    EVALUATIONS = "EVALUATIONS"  # the tally of a cell against its evaluations
    ROLLUP = "ROLLUP"  # a unit's roll-up against the tally of its subtree

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    subject = models.CharField(max_length=24)  # MEMBERS, or ORGANISATIONS
    found = models.CharField(max_length=16)  # EVALUATIONS or ROLLUP
    counted = models.JSONField()  # the measures of `checks.MEASURES` in the tally, or roll-up
    live = models.JSONField()  # the same, in the evaluations, or the tally

    class Meta:
        indexes = [cycle_subtree_index("mismatch_cycle_path")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.subject} {self.found}"


REPORT_FILES = PrivateStorage()


class ReportFileState(models.TextChoices):
    QUEUED = "QUEUED", _("Đang chờ xử lý")
    READING = "READING", _("Đang đọc số liệu")
    WRITING = "WRITING", _("Đang viết tệp")
    DONE = "DONE", _("Đã xong")
    FAILED = "FAILED", _("Lỗi hệ thống: chưa viết được tệp")


FINISHED = (ReportFileState.DONE, ReportFileState.FAILED)


class ReportFile(models.Model):
    """A report of a large subtree written to a file by the background worker (tasks.py).
    Each is kept and served again while the report's figures stay the same (`digest`); at
    most one finished file per unit, cycle, format and decimals: a newer one with other
    figures replaces it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    fmt = models.CharField(max_length=4)
    decimals = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(
        max_length=8, choices=ReportFileState.choices, default=ReportFileState.QUEUED
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)  # of the figures the file holds
    file = models.FileField(upload_to="reports/", storage=REPORT_FILES, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "cycle", "fmt", "decimals"], name="reportfile_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.cycle_id} {self.fmt}: {self.state}"

    @property
    def working(self) -> bool:
        return self.state not in FINISHED

    def same_report(self) -> models.QuerySet[ReportFile]:
        """The files of the same unit, cycle, format and decimals, this one among them."""
        return ReportFile.objects.filter(
            unit=self.unit_id, cycle=self.cycle_id, fmt=self.fmt, decimals=self.decimals
        )
