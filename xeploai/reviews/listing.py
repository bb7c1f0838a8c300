"""The results of a grassroots unit as the decision and appraisal pages list them: what is
ready for the page's step first, the rest behind tabs by step, and a filter by cell, with
counts; read in two grouped queries whatever the size of the unit."""

from __future__ import annotations

import dataclasses
from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xeploai.core.db import vietnamese
from xeploai.cycles.models import Cycle, MemberEvaluation, MemberEvaluationQuerySet, Step
from xeploai.units.models import Unit


@dataclasses.dataclass(frozen=True)
class Tab:
    key: str  # in the page's address: ?buoc=<key>
    label: StrOrPromise
    steps: tuple[Step, ...]


ALL = Tab("tat-ca", _("Tất cả"), tuple(s for s in Step if s != Step.NOT_REVIEWED))
DECIDE_TABS = (
    Tab("cho-quyet-dinh", _("Chờ quyết định"), (Step.PROPOSED,)),
    Tab("chua-de-xuat", _("Chưa đến bước quyết định"), (Step.SELF_REVIEW, Step.SUBMITTED)),
    Tab("cho-tham-dinh", _("Đã quyết định, chờ thẩm định"), (Step.DECIDED,)),
    Tab("da-tham-dinh", _("Đã thẩm định"), (Step.APPRAISED,)),
    Tab("da-cong-khai", _("Đã công khai"), (Step.PUBLISHED,)),
    ALL,
)
APPRAISE_TABS = (
    Tab("cho-tham-dinh", _("Chờ thẩm định"), (Step.DECIDED,)),
    Tab(
        "chua-quyet-dinh",
        _("Chưa đến bước thẩm định"),
        (Step.SELF_REVIEW, Step.SUBMITTED, Step.PROPOSED),
    ),
    Tab("da-tham-dinh", _("Đã thẩm định"), (Step.APPRAISED,)),
    Tab("da-cong-khai", _("Đã công khai"), (Step.PUBLISHED,)),
    ALL,
)


@dataclasses.dataclass(frozen=True)
class Choice:
    """A tab or a cell to filter by, with how many results it holds and its address."""

    key: str
    label: StrOrPromise
    count: int
    query: str
    current: bool


@dataclasses.dataclass(frozen=True)
class Listing:
    tab: Tab
    cell: Unit | None
    tabs: list[Choice]
    cells: list[Choice]
    evaluations: MemberEvaluationQuerySet  # the shown results, in tree then name order


def _query(cell: Unit | None, tab: Tab) -> str:
    params = {"buoc": tab.key} | ({"chi_bo": cell.code} if cell else {})
    return "?" + urlencode(params)


def listing(group: Unit, cycle: Cycle, tabs: tuple[Tab, ...], params: QueryDict) -> Listing:
    """The results of `group` in `cycle` filtered by `?buoc=` (a tab, the first by default)
    and `?chi_bo=` (a cell code, all cells by default)."""
    reviewed = (
        MemberEvaluation.objects.for_cycle(cycle).in_subtree(group).exclude(step=Step.NOT_REVIEWED)
    )
    counts = Counter(
        {
            (cell_id, step): n
            for cell_id, step, n in reviewed.values_list("cell_id", "step")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    cells = list(
        Unit.objects.filter(pk__in={cell_id for cell_id, _step in counts})
        .only("code", "name")
        .order_by(vietnamese("name"))
    )
    tab = next((t for t in tabs if t.key == params.get("buoc")), tabs[0])
    cell = next((c for c in cells if c.code == params.get("chi_bo")), None)

    def count(tab: Tab, cell_id: int | None) -> int:
        return sum(
            n for (c, step), n in counts.items() if step in tab.steps and cell_id in (None, c)
        )

    shown = reviewed.filter(step__in=tab.steps)
    if cell is not None:
        shown = shown.filter(cell=cell)
    return Listing(
        tab=tab,
        cell=cell,
        tabs=[
            Choice(t.key, t.label, count(t, cell.pk if cell else None), _query(cell, t), t == tab)
            for t in tabs
        ],
        cells=[Choice(c.code, c.name, count(tab, c.pk), "", c == cell) for c in cells],
        evaluations=shown.order_by("unit_path", vietnamese("member__full_name")),
    )
