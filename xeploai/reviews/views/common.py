"""What the review's pages share: the cycle a page is about."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from xeploai.cycles.models import Cycle, CycleKind


def _year(request: HttpRequest) -> int:
    """The year a page is asked for (`?nam=`), else the current cycle's."""
    current = Cycle.objects.current()
    try:
        return int(request.GET.get("nam") or (current.year if current else 0))
    except ValueError:
        return 0


def cycle_of_page(request: HttpRequest) -> Cycle:
    """The open yearly cycle a page is about; 404 when there is none for that year."""
    return get_object_or_404(
        Cycle.objects.filter(kind=CycleKind.YEAR, closed=False), year=_year(request)
    )
