"""The background side of a large report's download: the worker reads the report, writes its
file once, and keeps it; asked again while the figures are the same, it serves the file it
kept rather than writing another (a province's PDF takes tens of seconds)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from xeploai.core.replica import replica

from . import exports
from .data import report as report_data
from .models import ReportFile, ReportFileState


@task()
def write_report_file(file_id: str) -> None:
    # One worker takes the job: its state leaves QUEUED in a single conditional write.
    queued = ReportFile.objects.filter(pk=file_id, state=ReportFileState.QUEUED)
    if not queued.update(state=ReportFileState.READING, started=timezone.now()):
        return
    job = ReportFile.objects.select_related("unit", "cycle").get(pk=file_id)
    try:
        with replica():
            data = report_data(job.unit, job.cycle, decimals=job.decimals)
        digest = exports.digest(data)
        older = list(job.same_report().filter(state=ReportFileState.DONE).exclude(pk=job.pk))
        for kept in older:
            name = kept.file.name
            if kept.digest == digest and name and kept.file.storage.exists(name):
                _finish(job, name, digest, older)  # the same figures: its file serves
                return
        _advance(job, ReportFileState.WRITING)
        content = getattr(exports, job.fmt)(data)
        job.file.save(f"{job.pk}.{job.fmt}", ContentFile(content), save=False)
    except Exception:
        _advance(job, ReportFileState.FAILED, finished=timezone.now())
        raise
    _finish(job, job.file.name, digest, older)


def _advance(job: ReportFile, state: ReportFileState, **fields: object) -> None:
    """Say how far the work is: the page reads it while the worker goes on."""
    job.state = state
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["state", *fields])


def _finish(job: ReportFile, name: str, digest: str, older: list[ReportFile]) -> None:
    """The job serves the file `name`, of figures `digest`; the report's older files go, so
    that one is kept (but for the file now the job's, when it adopts a kept one)."""
    with transaction.atomic():
        _advance(job, ReportFileState.DONE, finished=timezone.now(), file=name, digest=digest)
        ReportFile.objects.filter(pk__in=[old.pk for old in older]).delete()
    for old in older:
        if old.file.name and old.file.name != name:
            old.file.storage.delete(old.file.name)
