"""The background side of the import page: one task per uploaded file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .base import Run, run_import
from .kinds import KINDS
from .models import FINISHED, UPLOAD_FOLDER, UPLOADS, ImportRun, ImportState
from .report import Report, RowError


def progress_key(run_id: object) -> str:
    return f"xeploai:import-progress:{run_id}"


def progress_of(run: ImportRun) -> tuple[int, int]:
    """Rows read and rows in the file, as the worker last said (shared through the cache:
    the import's own writes stay invisible until its transaction ends)."""
    done, total = cache.get(progress_key(run.pk), (0, 0))
    return int(done), int(total)


@task()
def import_file(run_id: str) -> None:
    run = ImportRun.objects.select_related("by").get(pk=run_id)
    if run.finished_work:  # given up while it waited (purge_uploads)
        return
    run.state, run.started = ImportState.RUNNING, timezone.now()
    run.save(update_fields=["state", "started"])

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(run.pk), (done, total), timeout=24 * 3600)

    try:
        report = run_import(
            KINDS[run.kind],
            Path(run.file.path),
            dry_run=run.dry_run,
            run=Run(by=run.by, reason=_("Nhập tệp {name}").format(name=run.file_name)),
            progress=progress,
        )
    except Exception:
        run.state, run.finished = ImportState.FAILED, timezone.now()
        run.save(update_fields=["state", "finished"])
        raise
    finally:
        run.drop_file()
    finish(run, report)
    purge_uploads()


def finish(run: ImportRun, report: Report) -> None:
    run.state = ImportState.DONE if report.ok else ImportState.REFUSED
    run.finished = timezone.now()
    run.created_count, run.updated_count = report.created, report.updated
    run.unchanged_count, run.error_count = report.unchanged, report.error_count
    run.errors = [[e.row, e.column, e.message] for e in report.errors]
    run.save()


def report_of(run: ImportRun) -> Report:
    return Report(errors=[RowError(*e) for e in run.errors], error_count=run.error_count)


def purge_uploads(days: int | None = None) -> int:
    """Delete the uploaded files older than `days` (the setting IMPORT_UPLOAD_DAYS, 7 by
    default), and say how many: files of imports whose worker stopped before their end or
    never started them (each import deletes its own file once it has run). Their runs are
    given up as failed. Run after each import, and by `xeploai purge_uploads`."""
    if days is None:
        days = int(getattr(settings, "IMPORT_UPLOAD_DAYS", 7))
    cutoff = timezone.now() - dt.timedelta(days=days)
    try:
        _folders, names = UPLOADS.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:  # nothing was ever uploaded
        return 0
    old = [
        name
        for name in (f"{UPLOAD_FOLDER}/{n}" for n in names)
        if UPLOADS.get_modified_time(name) < cutoff
    ]
    for name in old:
        UPLOADS.delete(name)
    runs = ImportRun.objects.filter(file__in=old)
    runs.exclude(state__in=FINISHED).update(state=ImportState.FAILED, finished=timezone.now())
    runs.update(file="")
    return len(old)
