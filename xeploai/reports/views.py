"""The statistics page of a unit and cycle, and its downloads (DOMAIN.md 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, User
from xeploai.accounts.policy import reads_signals, sees_members_of
from xeploai.core.replica import replica
from xeploai.core.worker import no_worker
from xeploai.cycles.models import Cycle, CycleKind
from xeploai.integrity.models import Finding, Summary
from xeploai.reviews.access import get_scope_unit_for_user
from xeploai.units.models import Unit, UnitKind

from . import exports
from .data import figures
from .data import report as report_data
from .models import FINISHED, ReportFile, ReportFileState
from .tasks import write_report_file

FORMATS = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF"}
BACKGROUND_KINDS = (UnitKind.CENTRE, UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.BLOC)
GIVEN_UP_AFTER = dt.timedelta(hours=1)  # an unfinished request older than this is not followed


@login_required
def latest(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's report for the latest yearly cycle."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    cycle = Cycle.objects.filter(kind=CycleKind.YEAR).order_by("-year").first()
    if cycle is None:
        raise Http404(_("Chưa có kỳ đánh giá nào."))
    return redirect("reports:report", unit.code, cycle.year)


@login_required
def report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    data = _read(unit, year, request)
    children = [c["unit"] for c in data["children"] if not c["own"] and c["unit"]["code"]]
    context = {
        **exports.context(data, with_charts=False),
        "charts_url": reverse("reports:charts", args=[unit.code, year])
        + ("?thap-phan=2" if data["decimals"] == 2 else ""),
        "unit": unit,
        "year": year,
        "decimals": data["decimals"],
        "years": Cycle.objects.filter(kind=CycleKind.YEAR)
        .order_by("year")
        .values_list("year", flat=True),
        "ancestors": Unit.objects.visible_to(user).filter(path__in=unit.ancestor_paths()[:-1]),
        "children": children,
        "formats": FORMATS.items(),
        "in_background": written_in_background(unit),
        "signals": _signals(user, unit, year),
    }
    return render(request, "reports/report.html", context)


def _signals(user: User, unit: Unit, year: int) -> Summary | None:
    """The counts of the unit's signals of the year, for those who read them (integrity)."""
    if not reads_signals(user, unit.path):
        return None
    found = Finding.objects.filter(cycle__kind=CycleKind.YEAR, cycle__year=year)
    return found.in_subtree(unit).summary()


@login_required
def charts(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The page's charts, fetched once the tables show (they take longest to draw): from the
    report's figures only, not the whole report again."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    data = _read(unit, year, request, read=figures)
    return render(request, "reports/_charts.html", {"charts": exports.chart_svgs(data)})


@login_required
@require_GET
def download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The same report as a file (an export: logged); for a large subtree, the page that
    asks the background worker for it."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    if fmt not in FORMATS:
        raise Http404
    if written_in_background(unit):
        cycle_of_year(year)  # 404 for a year without a cycle
        context = {"unit": unit, "year": year, "fmt": fmt, "label": FORMATS[fmt]}
        return render(request, "reports/prepare.html", {**context, "decimals": _decimals(request)})
    data = _read(unit, year, request)
    log_access(request, action=AccessAction.EXPORT, detail=f"báo cáo {unit.code} {year} {fmt}")
    content = getattr(exports, fmt)(data)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    name = f"bao-cao-xep-loai-{year}-{unit.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def written_in_background(unit: Unit) -> bool:
    """Whether the unit's report files are written by the background worker: those of the
    units above the grassroots (a district's PDF takes about 9 s, a province's 40 s, longer
    than a request should)."""
    return unit.kind in BACKGROUND_KINDS


@login_required
@require_POST
def prepare(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """Ask the worker for the report's file, or follow the request already made for it."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    if fmt not in FORMATS or not written_in_background(unit):
        raise Http404
    cycle = cycle_of_year(year)
    decimals = 2 if request.POST.get("thap-phan") == "2" else 1
    job = ReportFile(unit=unit, cycle=cycle, fmt=fmt, decimals=decimals, by=user)
    working = job.same_report().exclude(state__in=FINISHED)
    running = working.filter(created__gte=timezone.now() - GIVEN_UP_AFTER).first()
    if running is not None:
        return redirect("reports:file", running.pk)
    job.save()
    write_report_file.enqueue(str(job.pk))
    return redirect("reports:file", job.pk)


def _job_for(request: HttpRequest, file_id: str) -> ReportFile:
    """The file of a report the user may see; 404 otherwise."""
    user: User = request.user  # type: ignore[assignment]
    job = get_object_or_404(ReportFile.objects.select_related("unit", "cycle"), pk=file_id)
    if not sees_members_of(user, job.unit.path):
        raise Http404
    return job


@login_required
@require_GET
def report_file(request: HttpRequest, file_id: str) -> HttpResponse:
    """How far the worker is with a report's file; its link once written."""
    job = _job_for(request, file_id)
    steps = (ReportFileState.QUEUED, ReportFileState.READING, ReportFileState.WRITING)
    step = steps.index(job.state) if job.state in steps else len(steps)
    context = {
        "job": job,
        "label": FORMATS[job.fmt],
        "percent": 100 * step // len(steps),
        "no_worker": no_worker(job.created, job.started),
    }
    template = "reports/file.html#status" if request.htmx else "reports/file.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def report_file_download(request: HttpRequest, file_id: str) -> FileResponse:
    """The written file (an export: logged)."""
    job = _job_for(request, file_id)
    if job.state != ReportFileState.DONE or not job.file.name:
        raise Http404
    try:
        content = job.file.open("rb")
    except FileNotFoundError:  # removed from the disk by hand: asked for again, written again
        raise Http404 from None
    unit, year = job.unit, job.cycle.year
    log_access(request, action=AccessAction.EXPORT, detail=f"báo cáo {unit.code} {year} {job.fmt}")
    return FileResponse(
        content,
        as_attachment=True,
        filename=f"bao-cao-xep-loai-{year}-{unit.code}.{job.fmt}",
        content_type=exports.CONTENT_TYPES[job.fmt],
    )


def _read(
    unit: Unit,
    year: int,
    request: HttpRequest,
    *,
    read: Callable[..., dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The unit's report in the year's cycle (or what `read` reads of it: `figures`), read
    from the replica where there is one."""
    cycle = cycle_of_year(year)
    with replica():
        return (read or report_data)(unit, cycle, decimals=_decimals(request))


def cycle_of_year(year: int) -> Cycle:
    """The yearly cycle of the page's year; 404 without one."""
    cycle = Cycle.objects.of_year(year)
    if cycle is None:
        raise Http404(_("Không có kỳ đánh giá năm {year}.").format(year=year))
    return cycle


def _decimals(request: HttpRequest) -> int:
    return 2 if request.GET.get("thap-phan") == "2" else 1
