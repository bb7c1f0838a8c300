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
    job = ReportFile.objects.select_related("unit", "cycle").get(pk=file_id)
    if job.state != ReportFileState.QUEUED:  # already taken by another worker
        return
    _advance(job, ReportFileState.READING, started=timezone.now())
    try:
        with replica():
            data = report_data(job.unit, job.cycle, decimals=job.decimals)
        digest = exports.digest(data)
        kept = (
            job.same_report()
            .filter(state=ReportFileState.DONE, digest=digest)
            .exclude(file="")
            .first()
        )
        if kept is not None and kept.file.storage.exists(kept.file.name):
            _adopt(job, kept)
            return
        _advance(job, ReportFileState.WRITING)
        content = getattr(exports, job.fmt)(data)
        job.file.save(f"{job.pk}.{job.fmt}", ContentFile(content), save=False)
    except Exception:
        _advance(job, ReportFileState.FAILED, finished=timezone.now())
        raise
    job.digest = digest
    _replace(job)


def _advance(job: ReportFile, state: ReportFileState, **fields: object) -> None:
    """Say how far the work is: the page reads it while the worker goes on."""
    job.state = state
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["state", *fields])


def _adopt(job: ReportFile, kept: ReportFile) -> None:
    """The figures have not changed since `kept` was written: this job serves its file."""
    with transaction.atomic():
        job.file.name, job.digest = kept.file.name, kept.digest
        kept.delete()  # the row only: its file is now this job's
        _advance(
            job, ReportFileState.DONE, finished=timezone.now(), file=job.file, digest=job.digest
        )


def _replace(job: ReportFile) -> None:
    """The new file is done: the older files of the same report, with other figures, go."""
    older = list(job.same_report().filter(state=ReportFileState.DONE).exclude(pk=job.pk))
    with transaction.atomic():
        _advance(
            job, ReportFileState.DONE, finished=timezone.now(), file=job.file, digest=job.digest
        )
        for old in older:
            old.delete()
    for old in older:
        if old.file.name:
            old.file.storage.delete(old.file.name)
