"""The statistics page of a unit and cycle, and its downloads (DOMAIN.md 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xeploai.accounts.audit import log_access
from xeploai.accounts.models import AccessAction, User
from xeploai.core.replica import replica
from xeploai.cycles.models import Cycle, CycleKind
from xeploai.reviews.access import get_scope_unit_for_user
from xeploai.units.models import Unit

from . import exports
from .data import figures
from .data import report as report_data

FORMATS = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF"}


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
    }
    return render(request, "reports/report.html", context)


@login_required
def charts(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The page's charts, fetched once the tables show (they take longest to draw): from the
    report's figures only, not the whole report again."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    data = _read(unit, year, request, read=figures)
    return render(request, "reports/_charts.html", {"charts": exports.chart_svgs(data)})


@login_required
def download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The same report as a file (an export: logged)."""
    user: User = request.user  # type: ignore[assignment]
    unit = get_scope_unit_for_user(user, code)
    if fmt not in FORMATS:
        raise Http404
    data = _read(unit, year, request)
    log_access(request, action=AccessAction.EXPORT, detail=f"báo cáo {unit.code} {year} {fmt}")
    content = getattr(exports, fmt)(data)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    name = f"bao-cao-xep-loai-{year}-{unit.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
