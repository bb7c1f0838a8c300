"""The home (the user's work, then the tops of their scope), a subtree expanded in place, a unit
with its members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xeploai.accounts.access import get_unit_for_user
from xeploai.accounts.audit import log_list_read
from xeploai.accounts.models import User
from xeploai.accounts.policy import reads_signals, sees_members_of
from xeploai.core.db import vietnamese
from xeploai.core.text import printable
from xeploai.cycles.models import Cycle
from xeploai.members.models import Member
from xeploai.reviews.actions.units import COLLECTIVE_KINDS
from xeploai.reviews.work import Work, work_of

from .models import Unit
from .summary import with_counts

MEMBERS_PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits on the user (their own review first, then their cells and committees), and
    the tops of their scope: units no other visible unit contains."""
    user: User = request.user  # type: ignore[assignment]
    visible = Unit.objects.visible_to(user).only("path")
    paths = sorted(visible.values_list("path", flat=True)[:1000])
    tops = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    units = with_counts(Unit.objects.filter(path__in=tops))
    work = work_of(user, timezone.localdate())
    _log_late_names(request, work)
    return render(request, "units/home.html", {"units": units, "work": work})


def _log_late_names(request: HttpRequest, work: Work) -> None:
    """A secretary's cards name the members late at a step: a list of others' records, so
    logged once (S3) when it names anyone. Counts alone (a committee's cards) name nobody."""
    late = [(review.cell.code, len(review.late)) for review in work.cells if review.late]
    if late:
        cells = ", ".join(code for code, _n in late)
        read = _("việc cần làm: đảng viên quá hạn ở {cells}").format(cells=cells)
        log_list_read(request, listing=read, count=sum(n for _code, n in late))


@login_required
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """The direct sub-units of a unit, as tree nodes (htmx expands them in place)."""
    unit = get_unit_for_user(request.user, code)  # type: ignore[arg-type]
    children = with_counts(unit.children.visible_to(request.user))
    return render(request, "units/home.html#nodes", {"units": children})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A unit: its ancestors, direct sub-units and, when the user's role covers it, members,
    listed in a cell and searched above it; a list or a search shown is logged once (S3)."""
    unit = get_unit_for_user(request.user, code)  # type: ignore[arg-type]
    ancestors = Unit.objects.visible_to(request.user).filter(path__in=unit.ancestor_paths()[:-1])
    children = with_counts(unit.children.visible_to(request.user))
    context = {"unit": unit, "ancestors": ancestors, "children": children, "page": None}
    context["sees_members"] = sees_members_of(request.user, unit.path)
    if context["sees_members"]:  # the open cycle's reviews of the unit and of those below it
        context["cycle"] = Cycle.objects.current()
        context["has_collective"] = unit.kind in COLLECTIVE_KINDS
        context["reads_signals"] = reads_signals(request.user, unit.path)
    query = printable(request.GET.get("q", ""))  # a NUL alone is no query
    # A cell lists its members; above a cell the subtree is searched, never listed whole.
    if context["sees_members"] and (unit.is_cell or query):
        context["page"] = _members_page(request, unit, query)
    context["query"] = query
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "units/unit_detail.html#members", context)
    return render(request, "units/unit_detail.html", context)


def _members_page(request: HttpRequest, unit: Unit, query: str) -> Page[Member]:
    """The page asked for of the subtree's current members matching `query`. Showing it is a
    read of their records, logged once whatever its length (S3)."""
    members = Member.objects.current().in_subtree(unit).search(query).select_related("cell")
    members = members.order_by(vietnamese("full_name"), "code")
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("trang"))
    read = _("tìm đảng viên trong {unit}") if query else _("danh sách đảng viên {unit}")
    # The pager prints the count anyway: reading it here costs no query.
    log_list_read(request, listing=read.format(unit=unit.code), count=page.paginator.count)
    return page
