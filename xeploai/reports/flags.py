"""What published results call for (RULES.md R35, R38): members and leaders whose results
the committee should consider, organisations it may propose for a reward. A page per unit
and year lists them for each unit of its subtree, and the same lists download as files.

Flags only: nothing here changes a result, a post or a reward; the committee decides. Only
published results count, this year's and every earlier year's alike; imported results count
too, an imported label of the rules before 2018 by its rank (R34), and printed in its own
words, never as a current level.

Each kind of subject whose results raise flags is one source in `SOURCES`, a function of the
unit and the cycle that reads a fixed number of queries, whatever the size of the subtree:
its results of the year under the unit's path, then the earlier results of the few subjects
found there.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import enum
import functools
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from xeploai.accounts.audit import log_access, log_list_read
from xeploai.accounts.http import AuthenticatedHttpRequest
from xeploai.accounts.models import AccessAction
from xeploai.core.text import name_sort_key
from xeploai.cycles.models import (
    Cycle,
    CycleKind,
    LeaderEvaluation,
    Level,
    MemberEvaluation,
    Step,
    UnitEvaluation,
    UnitEvaluationKind,
)
from xeploai.formats_safe import WORKBOOK_OPTIONS, quoted, text_style, write_text
from xeploai.reviews.access import get_scope_unit_for_user
from xeploai.units.models import Unit

from .exports import XLSX
from .views import cycle_of_year

# R35: results NOT_COMPLETED this many years running call for a review.
RUN_NOT_COMPLETED = 2
# R38: results EXCELLENT this many years running qualify for the commendation.
RUN_EXCELLENT = 5
CSV = "text/csv; charset=utf-8"
CONTENT_TYPES = {"xlsx": XLSX, "csv": CSV}
FORMATS = {"xlsx": "Excel", "csv": "CSV"}
E = TypeVar("E", MemberEvaluation, UnitEvaluation, LeaderEvaluation)


def published() -> Q:
    """Results made public: published at the end of the review, or imported for a closed
    year (an import is the IMPORT move of `reviews.machine`, which leads to publication;
    only imported results carry the label of their file)."""
    return Q(step=Step.PUBLISHED) | (Q(cycle__closed=True) & ~Q(label=""))


def ranked(rank: int) -> Q:
    """Results of this rank: the level, or an imported label's ordinal when it has no
    level (R34)."""
    return Q(level_final=rank) | Q(level_final__isnull=True, ordinal=rank)


class FlagKind(enum.StrEnum):
    """What a flag proposes, in the order the page lists them."""

    MEMBER = "member"
    LEADER = "leader"
    EXEMPLARY = "exemplary"
    FIVE_YEARS = "five-years"

    @property
    def heading(self) -> str:
        return str(TITLES[self]).format(n=RUN_EXCELLENT)

    @property
    def order(self) -> int:
        return list(FlagKind).index(self)


TITLES = {
    FlagKind.MEMBER: gettext_lazy("Chi bộ xem xét"),
    FlagKind.LEADER: gettext_lazy("Xem xét cho thôi giữ chức vụ hoặc bố trí công tác khác"),
    FlagKind.EXEMPLARY: gettext_lazy("Có thể đề nghị công nhận “Trong sạch vững mạnh tiêu biểu”"),
    FlagKind.FIVE_YEARS: gettext_lazy("Đủ điều kiện đề nghị khen thưởng {n} năm liền"),
}


@dataclasses.dataclass(frozen=True)
class YearResult:
    """A subject's published result of one year, as the flag prints it."""

    year: int
    rank: int  # the level, or an imported label's ordinal (R34)
    words: str

    @classmethod
    def of(cls, year: int, level: int | None, label: str, ordinal: int | None) -> YearResult:
        if level:
            return cls(year, level, str(Level(level).label))
        # A label with no current level is printed as written, never as a level (R34).
        words = _("{label} (ghi theo quy định trước đây)").format(label=label)
        return cls(year, ordinal or 0, words)


@dataclasses.dataclass(frozen=True)
class Flag:
    """One flag: on a member or an organisation, listed under a unit of the subtree, with
    the published results behind it, oldest first."""

    kind: FlagKind
    unit_path: str  # the unit it is listed under: the member's cell that year, or itself
    unit_code: str
    unit_name: str
    subject_code: str
    subject_name: str
    years: tuple[YearResult, ...]
    posts: str = ""  # a leader's posts, which the flag is about

    @property
    def title(self) -> str:
        return self.kind.heading

    @property
    def reason(self) -> str:
        first, last = self.years[0].year, self.years[-1].year
        if self.kind == FlagKind.EXEMPLARY:
            return _("Hoàn thành xuất sắc nhiệm vụ năm {year}").format(year=last)
        if self.kind == FlagKind.FIVE_YEARS:
            words = _("Hoàn thành xuất sắc nhiệm vụ {n} năm liền ({first}–{last})")
        else:
            words = _("Không hoàn thành nhiệm vụ {n} năm liền ({first}–{last})")
        return words.format(n=len(self.years), first=first, last=last)

    @property
    def results(self) -> str:
        return "; ".join(f"{y.year}: {y.words}" for y in self.years)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.unit_path, self.kind.order, name_sort_key(self.subject_name))


@dataclasses.dataclass(frozen=True)
class UnitFlags:
    """The flags listed under one unit of the subtree."""

    code: str
    name: str
    flags: list[Flag]


@dataclasses.dataclass
class Scope:
    """The unit and cycle flags are looked for in; what one source finds that another needs
    is read once here."""

    unit: Unit
    cycle: Cycle
    today: dt.date

    @functools.cached_property
    def not_completed(self) -> list[tuple[MemberEvaluation, tuple[YearResult, ...]]]:
        """Members under the unit whose published results were NOT_COMPLETED this year and
        the years before it, with those years: two queries."""
        found = (
            MemberEvaluation.objects.for_cycle(self.cycle)
            .in_subtree(self.unit)
            .filter(published(), ranked(Level.NOT_COMPLETED))
            .select_related("member", "cell")
        )
        return _runs(list(found), "member_id", MemberEvaluation.objects.all(), self.cycle)


def _runs(
    found: list[E], subject: str, earlier: QuerySet[E], cycle: Cycle
) -> list[tuple[E, tuple[YearResult, ...]]]:
    """Each result found with the run of published results of the same rank that ends with
    it, in consecutive yearly cycles (a year without one breaks it): one query."""
    ids = [getattr(e, subject) for e in found]
    history: dict[int, dict[int, YearResult]] = defaultdict(dict)
    rows = earlier.filter(
        published(),
        cycle__kind=CycleKind.YEAR,
        cycle__year__lt=cycle.year,
        **{f"{subject}__in": ids},
    ).values_list(subject, "cycle__year", "level_final", "label", "ordinal")
    for subject_id, year, level, label, ordinal in rows:  # no query when `ids` is empty
        history[subject_id][year] = YearResult.of(year, level, label, ordinal)
    runs = []
    for e in found:
        run = [YearResult.of(cycle.year, e.level_final, e.label, e.ordinal)]
        past = history[getattr(e, subject)]
        while (before := past.get(run[-1].year - 1)) is not None and before.rank == run[0].rank:
            run.append(before)
        runs.append((e, tuple(reversed(run))))
    return runs


def _members(scope: Scope) -> Iterable[Flag]:
    """R35, any member: NOT_COMPLETED two years running, for the cell's review."""
    for e, years in scope.not_completed:
        if len(years) >= RUN_NOT_COMPLETED:
            yield _member_flag(FlagKind.MEMBER, e, years)


def _leaders(scope: Scope) -> Iterable[Flag]:
    """R35, a leader: NOT_COMPLETED as a leader two years running (R32: their level where
    they are classified, at their highest post, whichever post it was each year), to be
    considered for removal from their post; listed under the unit of this year's post. A
    year with no result as a leader (history imported as members' only) breaks the run: the
    member's own flag still stands. Two queries."""
    leaders = LeaderEvaluation.objects.filter(classified=True)
    found = (
        leaders.filter(cycle=scope.cycle, unit_path__startswith=scope.unit.path)
        .filter(published(), ranked(Level.NOT_COMPLETED))
        .select_related("member", "unit", "post")
    )
    for e, years in _runs(list(found), "member_id", leaders, scope.cycle):
        if len(years) >= RUN_NOT_COMPLETED:
            post = f"{e.post.title}, {e.post.organisation or e.unit.name}"
            unit, member = e.unit, e.member
            args = (e.unit_path, unit.code, unit.name, member.code, member.full_name)
            yield Flag(FlagKind.LEADER, *args, years, post)


def _member_flag(
    kind: FlagKind, e: MemberEvaluation, years: tuple[YearResult, ...], posts: str = ""
) -> Flag:
    return Flag(
        kind, e.unit_path, e.cell.code, e.cell.name, e.member.code, e.member.full_name, years, posts
    )


def _organisations(scope: Scope) -> Iterable[Flag]:
    """R38: an organisation EXCELLENT this year may be proposed as exemplary; EXCELLENT five
    years running qualifies for the commendation. Two queries. A year under the rules before
    2018 has labels, no levels, so it raises none (R38 holds from HD21 on)."""
    organisations = UnitEvaluation.objects.filter(kind=UnitEvaluationKind.ORGANISATION)
    found = (
        organisations.filter(cycle=scope.cycle, unit_path__startswith=scope.unit.path)
        .filter(published(), level_final=Level.EXCELLENT)
        .select_related("unit")
    )
    for e, years in _runs(list(found), "unit_id", organisations, scope.cycle):
        unit = e.unit
        args = (e.unit_path, unit.code, unit.name, unit.code, unit.name)
        yield Flag(FlagKind.EXEMPLARY, *args, years[-1:])
        if len(years) >= RUN_EXCELLENT:
            yield Flag(FlagKind.FIVE_YEARS, *args, years)


# The subjects whose results raise flags, one source each.
SOURCES: dict[str, Callable[[Scope], Iterable[Flag]]] = {
    "member": _members,
    "leader": _leaders,
    "organisation": _organisations,
}


def flags(unit: Unit, cycle: Cycle, *, today: dt.date | None = None) -> list[Flag]:
    """Every flag under `unit` in `cycle`, by unit of the tree as it was that year, then by
    kind and name."""
    scope = Scope(unit, cycle, today or timezone.localdate())
    found = [flag for source in SOURCES.values() for flag in source(scope)]
    return sorted(found, key=Flag.sort_key)


def by_unit(found: list[Flag]) -> list[UnitFlags]:
    """The flags, sorted, grouped by the unit they are listed under."""
    groups: list[UnitFlags] = []
    for flag in found:
        if not groups or groups[-1].code != flag.unit_code:
            groups.append(UnitFlags(flag.unit_code, flag.unit_name, []))
        groups[-1].flags.append(flag)
    return groups


# The files: one row per flag, every text a text cell (formats_safe).


def headers() -> list[str]:
    return [
        _("STT"),
        _("Đơn vị"),
        _("Mã đơn vị"),
        _("Nội dung"),
        _("Đảng viên, tổ chức"),
        _("Mã"),
        _("Căn cứ"),
        _("Kết quả các năm"),
        _("Chức vụ"),
    ]


def rows(found: list[Flag]) -> list[list[int | str]]:
    return [
        [
            n,
            f.unit_name,
            f.unit_code,
            f.title,
            f.subject_name,
            f.subject_code,
            f.reason,
            f.results,
            f.posts,
        ]
        for n, f in enumerate(found, start=1)
    ]


def title(unit: Unit, cycle: Cycle) -> str:
    return _("Đề xuất xem xét, khen thưởng sau xếp loại năm {year} — {unit}").format(
        year=cycle.year, unit=unit.name
    )


def xlsx(unit: Unit, cycle: Cycle, found: list[Flag]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **WORKBOOK_OPTIONS})
    sheet = book.add_worksheet(_("Đề xuất"))
    bold = text_style(book, bold=True)
    heading = text_style(book, bold=True, text_wrap=True, valign="top", border=1)
    text = text_style(book, text_wrap=True, valign="top", border=1)
    number = book.add_format({"valign": "top", "border": 1})
    write_text(sheet, 0, 0, title(unit, cycle), bold)
    write_text(sheet, 1, 0, _("Chỉ tính các kết quả đã công khai."), text_style(book))
    for c, (header, width) in enumerate(
        zip(headers(), (5, 30, 12, 36, 28, 12, 36, 48, 36), strict=True)
    ):
        write_text(sheet, 3, c, header, heading)
        sheet.set_column(c, c, width)
    for r, row in enumerate(rows(found), start=4):
        for c, cell in enumerate(row):
            if isinstance(cell, int):
                sheet.write_number(r, c, cell, number)
            else:
                write_text(sheet, r, c, cell, text)
    sheet.freeze_panes(4, 0)
    book.close()
    return out.getvalue()


def csv_file(unit: Unit, cycle: Cycle, found: list[Flag]) -> bytes:
    """A .csv file Excel opens as UTF-8 (its BOM), every text quoted against formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for row in rows(found):
        writer.writerow(quoted(cell) if isinstance(cell, str) else cell for cell in row)
    return ("\ufeff" + out.getvalue()).encode()


EXPORTS: dict[str, Callable[[Unit, Cycle, list[Flag]], bytes]] = {"xlsx": xlsx, "csv": csv_file}


# The page and its files, for whoever may see the unit's reports.


@login_required
@require_GET
def page(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    """The flags under a unit in a year, for whoever may see its reports."""
    user = request.user
    unit = get_scope_unit_for_user(user, code)
    cycle = cycle_of_year(year)
    found = flags(unit, cycle)
    counts = [(kind.heading, sum(1 for f in found if f.kind == kind)) for kind in FlagKind]
    context = {
        "unit": unit,
        "cycle": cycle,
        "groups": by_unit(found),
        "counts": counts,
        "years": Cycle.objects.filter(kind=CycleKind.YEAR)
        .order_by("year")
        .values_list("year", flat=True),
        "ancestors": Unit.objects.visible_to(user).filter(path__in=unit.ancestor_paths()[:-1]),
        "formats": FORMATS.items(),
    }
    read = _("đề xuất sau xếp loại {unit} năm {year}").format(unit=unit.code, year=year)
    log_list_read(request, listing=read, count=len(found))
    return render(request, "reports/flags.html", context)


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The same lists as a file (an export: logged)."""
    unit = get_scope_unit_for_user(request.user, code)
    if fmt not in EXPORTS:
        raise Http404
    cycle = cycle_of_year(year)
    content = EXPORTS[fmt](unit, cycle, flags(unit, cycle))
    log_access(request, action=AccessAction.EXPORT, detail=f"đề xuất {unit.code} {year} {fmt}")
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"de-xuat-sau-xep-loai-{year}-{unit.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
