"""The background side of the import page: one task per uploaded file."""

from __future__ import annotations

from pathlib import Path

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .base import Run, run_import
from .kinds import KINDS
from .models import ImportRun, ImportState
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
    finish(run, report)


def finish(run: ImportRun, report: Report) -> None:
    run.state = ImportState.DONE if report.ok else ImportState.REFUSED
    run.finished = timezone.now()
    run.created_count, run.updated_count = report.created, report.updated
    run.unchanged_count, run.error_count = report.unchanged, report.error_count
    run.errors = [[e.row, e.column, e.message] for e in report.errors]
    run.save()


def report_of(run: ImportRun) -> Report:
    return Report(errors=[RowError(*e) for e in run.errors], error_count=run.error_count)
