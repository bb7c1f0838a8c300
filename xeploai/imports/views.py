"""The import page: templates to download, a file to upload, and each run's progress and
report. Importing is for system administrators."""

from __future__ import annotations

import io
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from xeploai.accounts.models import User
from xeploai.core.worker import no_worker

from . import files
from .forms import UploadForm
from .kinds import KINDS
from .models import ImportRun
from .tasks import import_file, progress_of, report_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _administrator(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_staff:
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = ImportRun(
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            dry_run=form.cleaned_data["dry_run"],
            by=user,
        )
        run.file.save(f"{run.pk}{Path(upload.name).suffix.lower()}", upload, save=False)
        run.save()
        import_file.enqueue(str(run.pk))
        return redirect("imports:run", run.pk)
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "kinds": KINDS.values(),
            "runs": ImportRun.objects.select_related("by")[:20],
        },
    )


def _run_for(request: HttpRequest, run_id: str) -> ImportRun:
    user = _administrator(request)
    run = get_object_or_404(ImportRun, pk=run_id)
    if run.by_id != user.pk and not user.is_superuser:
        raise Http404
    return run


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = _run_for(request, run_id)
    done, total = progress_of(run)
    context = {
        "run": run,
        "kind": KINDS[run.kind],
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "no_worker": no_worker(run.created, run.started),
    }
    template = "imports/run.html#status" if request.htmx else "imports/run.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def errors(request: HttpRequest, run_id: str) -> FileResponse:
    run = _run_for(request, run_id)
    return _xlsx(report_of(run).xlsx(), f"loi-{Path(run.file_name).stem}.xlsx")


@login_required
@require_GET
def template(request: HttpRequest, kind: str) -> FileResponse:
    _administrator(request)
    if kind not in KINDS:
        raise Http404
    return _xlsx(files.template(KINDS[kind]), f"mau-{kind}.xlsx")


def _xlsx(content: bytes, name: str) -> FileResponse:
    """A workbook built in memory, sent as a download: nothing of it stays on the server."""
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=XLSX)
