"""What an analysis found, kept so that a page reads it without analysing again, and what an
officer said of each finding, kept across analyses."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from xeploai.core.history import HistoricalRecords
from xeploai.cycles.models import Cycle
from xeploai.units.models import Unit, cycle_subtree_index

from .signals import KINDS, Signal


class AnalysisState(models.TextChoices):
    QUEUED = "QUEUED", _("Đang chờ phân tích")
    RUNNING = "RUNNING", _("Đang phân tích")
    DONE = "DONE", _("Đã phân tích xong")
    FAILED = "FAILED", _("Phân tích không thành công")


class Analysis(models.Model):
    """One analysis of a unit's subtree in a cycle: asked from its page or the command line,
    run by the worker. Its findings replace those of the same subtree."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    state = models.CharField(max_length=8, choices=AnalysisState.choices)
    asked = models.DateTimeField()
    started = models.DateTimeField(null=True)
    finished = models.DateTimeField(null=True)
    found = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lượt phân tích")
        verbose_name_plural = _("lượt phân tích")
        indexes = [models.Index(fields=["cycle", "unit", "-asked"], name="analysis_latest")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.cycle.year} {self.state}"

    @property
    def pending(self) -> bool:
        return self.state in (AnalysisState.QUEUED, AnalysisState.RUNNING)


@dataclasses.dataclass(frozen=True)
class Summary:
    total: int
    examined: int
    kinds: list[tuple[str, int]]  # each kind found, as an officer reads it, with its count


class FindingQuerySet(models.QuerySet["Finding"]):
    def in_subtree(self, unit: Unit) -> FindingQuerySet:
        return self.filter(unit_path__startswith=unit.path)

    def ranked(self) -> FindingQuerySet:
        """The strongest first, as the command lists them."""
        return self.order_by("-score", "kind", "subject", "key")

    def with_examined(self) -> FindingQuerySet:
        """Each finding with `examined`: whether an officer marked it (`Examination`)."""
        marked = Examination.objects.filter(cycle=OuterRef("cycle"), key=OuterRef("key"))
        return self.annotate(examined=Exists(marked))

    def summary(self) -> Summary:
        """How many findings of each kind, and how many of them were examined (one query)."""
        rows = (
            self.with_examined()
            .order_by()
            .values_list("kind")
            .annotate(n=Count("pk"), done=Count("pk", filter=Q(examined=True)))
        )
        counts = {kind: (n, done) for kind, n, done in rows}
        return Summary(
            total=sum(n for n, _done in counts.values()),
            examined=sum(done for _n, done in counts.values()),
            kinds=[(str(label), counts[k][0]) for k, label in KINDS.items() if k in counts],
        )

    def by_subject(self, cycle: Cycle, unit: Unit, codes: list[str]) -> dict[str, list[Finding]]:
        """The findings of these subjects of `unit`'s subtree, by subject, the strongest
        first: what a list of results shows beside each (one query)."""
        found: dict[str, list[Finding]] = {}
        rows = self.filter(cycle=cycle, subject__in=codes).in_subtree(unit).defer("evidence")
        for finding in rows.ranked():
            found.setdefault(finding.subject, []).append(finding)
        return found


class Finding(models.Model):
    """One signal as the last analysis of its subtree found it (`signals.Signal`)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Where the subject stood that year: the member's cell, or the unit itself.
    unit_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=24, choices=list(KINDS.items()))
    subject = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    key = models.CharField(max_length=255)  # the signal's identity, kept across analyses
    score = models.FloatField()
    text = models.TextField()
    evidence = models.JSONField()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("dấu hiệu cần xem lại")
        verbose_name_plural = _("dấu hiệu cần xem lại")
        indexes = [cycle_subtree_index("finding_cycle_path")]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "key"], name="finding_once_per_cycle")
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def of(cls, signal: Signal, cycle: Cycle) -> Finding:
        return cls(
            cycle=cycle,
            unit_path=signal.unit_path,
            kind=signal.kind,
            subject=signal.subject,
            name=signal.name,
            key=signal.key,
            score=signal.score,
            text=signal.text,
            evidence=signal.evidence,
        )

    def as_signal(self) -> Signal:
        return Signal(
            self.kind, self.subject, self.score, self.text, self.evidence, self.unit_path, self.name
        )

    def as_json(self) -> dict[str, Any]:
        return self.as_signal().as_json()


class Examination(models.Model):
    """An officer's word that a finding was looked into, with what they concluded. Keyed by
    the finding's identity, so that it stays when the finding is found again."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    note = models.TextField(_("ghi chú"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kết quả xem xét")
        verbose_name_plural = _("kết quả xem xét")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "key"], name="examination_once_per_cycle")
        ]

    def __str__(self) -> str:
        return self.key
