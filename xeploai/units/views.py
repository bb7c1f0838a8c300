"""The home (the user's work, then the tops of their scope), a subtree expanded in place, a unit
with its members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xeploai.accounts.access import get_unit_for_user
from xeploai.accounts.models import User
from xeploai.accounts.policy import sees_members_of
from xeploai.core.db import vietnamese
from xeploai.core.text import printable
from xeploai.members.models import Member
from xeploai.reviews.work import work_of

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
    return render(request, "units/home.html", {"units": units, "work": work})


@login_required
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    """The direct sub-units of a unit, as tree nodes (htmx expands them in place)."""
    unit = get_unit_for_user(request.user, code)  # type: ignore[arg-type]
    children = with_counts(unit.children.visible_to(request.user))
    return render(request, "units/home.html#nodes", {"units": children})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A unit: its ancestors, direct sub-units and, when the user's role covers it, members."""
    unit = get_unit_for_user(request.user, code)  # type: ignore[arg-type]
    ancestors = Unit.objects.visible_to(request.user).filter(path__in=unit.ancestor_paths()[:-1])
    children = with_counts(unit.children.visible_to(request.user))
    context = {"unit": unit, "ancestors": ancestors, "children": children, "page": None}
    context["sees_members"] = sees_members_of(request.user, unit.path)
    query = printable(request.GET.get("q", ""))  # a NUL alone is no query
    # A cell lists its members; above a cell the subtree is searched, never listed whole.
    if context["sees_members"] and (unit.is_cell or query):
        members = Member.objects.current().in_subtree(unit).search(query).select_related("cell")
        members = members.order_by(vietnamese("full_name"), "code")
        context["page"] = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("trang"))
    context["query"] = query
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "units/unit_detail.html#members", context)
    return render(request, "units/unit_detail.html", context)
