"""The worker's side: an analysis asked from a page runs here (a province's takes minutes)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .actions import run
from .models import Analysis, AnalysisState


@task()
def run_analysis(analysis_id: int) -> None:
    # One worker takes the job: its state leaves QUEUED in a single conditional write.
    queued = Analysis.objects.filter(pk=analysis_id, state=AnalysisState.QUEUED)
    if not queued.update(state=AnalysisState.RUNNING, started=timezone.now()):
        return
    run(Analysis.objects.select_related("unit", "cycle").get(pk=analysis_id))
