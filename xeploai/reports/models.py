from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xeploai.cycles.models import Cycle
from xeploai.units.models import cycle_subtree_index

MEMBERS = "MEMBER"  # the subject of a tally of member evaluations; otherwise a unit kind


class Tally(models.Model):
    """How many evaluations of one cycle, at one place of that year's tree, share everything a
    report splits them by: the per-unit aggregate the statistics read (reports/tally.py keeps
    it in step with the evaluations). Member evaluations are counted at their cell's path,
    an organisation's own evaluation at its unit's path."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    subject = models.CharField(max_length=24)  # MEMBERS, or the kind of the evaluated unit
    status = models.CharField(max_length=16)
    status_reason = models.CharField(max_length=255)
    level = models.PositiveSmallIntegerField(null=True)
    label = models.CharField(max_length=128)
    ordinal = models.PositiveSmallIntegerField(null=True)
    exemplary = models.BooleanField(default=False)  # "tiêu biểu" (R34, R38)
    probationary = models.BooleanField(default=False)
    leader = models.BooleanField(default=False)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        indexes = [cycle_subtree_index("tally_cycle_path")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.subject} {self.status} {self.level}: {self.n}"
