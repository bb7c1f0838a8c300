"""The pages of the signals: a unit's list for a cycle (*Dấu hiệu cần xem lại*), read from what
its last analysis kept, filtered by kind, child unit and whether it was examined; one finding
with its evidence (two texts side by side, the shared parts marked), examined with a note."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from xeploai.accounts.audit import log_access, log_list_read, log_read
from xeploai.accounts.http import AuthenticatedHttpRequest
from xeploai.accounts.models import AccessAction
from xeploai.core.worker import no_worker
from xeploai.cycles.models import Cycle
from xeploai.members.models import Member
from xeploai.oversight.views import cycle_of_page
from xeploai.reports.exports import XLSX
from xeploai.reports.percent import vietnamese
from xeploai.reviews.models import SECTIONS
from xeploai.units.models import Unit

from . import actions, exports
from .access import get_finding_for_user, get_unit_for_signals
from .forms import ExaminationForm
from .models import Analysis, Examination, Finding, FindingQuerySet
from .signals import (
    APPRAISAL_CHANGES,
    COPIED_TEXT,
    INCONSISTENT,
    INFLATION,
    KINDS,
    QUOTA_CEILING,
    SELF_INFLATION,
)

PER_PAGE = 50
STATUSES = {"chua": gettext_lazy("Chưa xem xét"), "roi": gettext_lazy("Đã xem xét")}


@dataclasses.dataclass(frozen=True)
class Tab:
    label: str
    count: int
    query: str
    current: bool


@login_required
@require_http_methods(["GET"])
def unit_signals(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The findings of a unit's subtree in a cycle, the strongest first; `?export=xlsx`
    downloads them as filtered. Asked by htmx, only the analysis' state."""
    unit = get_unit_for_signals(request.user, code)
    cycle = cycle_of_page(request)
    analysis = _latest_analysis(unit, cycle)
    context: dict[str, object] = {"unit": unit, "cycle": cycle, "analysis": analysis}
    if analysis is not None and analysis.pending:
        context["no_worker"] = no_worker(analysis.asked, analysis.started)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "integrity/signals.html#analysis", context)
    children = list(unit.children.order_by("path"))
    child = next((c for c in children if c.code == request.GET.get("don-vi")), None)
    status = request.GET.get("xem-xet", "")
    found = _found(cycle, child or unit, status)
    counts = dict(found.order_by().values_list("kind").annotate(n=Count("pk")))
    kind = request.GET.get("loai", "")
    if kind in KINDS:
        found = found.filter(kind=kind)
    if request.GET.get("export") == "xlsx":
        return _xlsx(request, unit, cycle, found)
    page = Paginator(found.defer("evidence"), PER_PAGE).get_page(request.GET.get("trang"))
    read = _("dấu hiệu cần xem lại {unit} {year}").format(unit=unit.code, year=cycle.year)
    log_list_read(request, listing=read, count=page.paginator.count)
    context |= {
        "tabs": _tabs(request, counts, kind),
        "children": children,
        "child": child,
        "status": status,
        "statuses": STATUSES,
        "page": page,
        "query": _query(request, trang=None, export=None),
    }
    return render(request, "integrity/signals.html", context)


def _latest_analysis(unit: Unit, cycle: Cycle) -> Analysis | None:
    """The latest analysis that covered the unit, or part of its subtree."""
    covering = Q(unit__path__in=unit.ancestor_paths()) | Q(unit__path__startswith=unit.path)
    analyses = Analysis.objects.filter(covering, cycle=cycle).order_by("-asked", "-pk")
    return analyses.select_related("unit").first()


def _found(cycle: Cycle, unit: Unit, status: str) -> FindingQuerySet:
    found = Finding.objects.filter(cycle=cycle).in_subtree(unit).with_examined()
    if status in STATUSES:
        found = found.filter(Q(examined=status == "roi"))  # annotated by `with_examined`
    return found.ranked()


def _query(request: HttpRequest, **changes: str | None) -> str:
    """The page's query string with `changes` (None drops a parameter)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return query.urlencode()


def _with_query(path: str, request: HttpRequest) -> str:
    query = _query(request)
    return f"{path}?{query}" if query else path


def _tabs(request: HttpRequest, counts: dict[str, int], kind: str) -> list[Tab]:
    """All, then each kind found (and the one asked for, found or not), with its count."""
    every = [
        Tab(
            str(_("Tất cả")),
            sum(counts.values()),
            _query(request, loai=None, trang=None),
            kind not in KINDS,
        )
    ]
    return every + [
        Tab(str(label), counts.get(k, 0), _query(request, loai=k, trang=None), k == kind)
        for k, label in KINDS.items()
        if counts.get(k) or k == kind
    ]


def _xlsx(request: HttpRequest, unit: Unit, cycle: Cycle, found: FindingQuerySet) -> HttpResponse:
    rows = [f.as_signal() for f in found.iterator(chunk_size=2000)]
    log_access(
        request,
        action=AccessAction.EXPORT,
        detail=f"dấu hiệu cần xem lại {unit.code} {cycle.year} xlsx",
    )
    response = HttpResponse(exports.xlsx(rows), content_type=XLSX)
    name = f"dau-hieu-can-xem-lai-{cycle.year}-{unit.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def analyse(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Ask the worker to analyse the unit's subtree again."""
    unit = get_unit_for_signals(request.user, code)
    cycle = cycle_of_page(request)
    actions.ask(unit, cycle=cycle, by=request.user)
    messages.success(request, _("Đã gửi yêu cầu phân tích. Kết quả hiện ở đây khi phân tích xong."))
    return redirect(f"{reverse('integrity:unit_signals', args=[unit.code])}?nam={cycle.year}")


@login_required
@require_http_methods(["GET", "POST"])
def finding(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One finding with its evidence; marked examined, with a note, by POST."""
    found = get_finding_for_user(request.user, pk)
    examination = (
        Examination.objects.select_related("by").filter(cycle=found.cycle, key=found.key).first()
    )
    form = ExaminationForm(
        request.POST or None, initial={"note": examination.note if examination else ""}
    )
    if request.method == "POST" and form.is_valid():
        actions.examine(found, note=form.cleaned_data["note"], by=request.user)
        messages.success(request, _("Đã đánh dấu đã xem xét."))
        return redirect(_with_query(request.path, request))
    members = {m.code: m for m in Member.objects.filter(code__in=_people(found))}
    if request.method == "GET":
        log_read(request, members.get(found.subject), detail=found.text)
    context = {
        "finding": found,
        "kind": KINDS.get(found.kind, found.kind),
        "examination": examination,
        "form": form,
        "member": members.get(found.subject),
        "other": members.get(str(found.evidence.get("other", ""))),
        "section": SECTIONS.get(str(found.evidence.get("section", "")), ""),
        "mine": pieces(str(found.evidence.get("text", "")), found.evidence.get("spans", [])),
        "theirs": pieces(
            str(found.evidence.get("other_text", "")), found.evidence.get("other_spans", [])
        ),
        "unit": _unit_of_page(request, found),
        "facts": facts(found),
    }
    return render(request, "integrity/finding.html", context)


def facts(found: Finding) -> list[tuple[str, str]]:
    """What a signal of the levels rests on, as lines of the page (label, value)."""
    e = found.evidence
    if found.kind == INFLATION:
        against = _("các đơn vị cùng loại") if e.get("against") == "peers" else _("các năm trước")
        return [
            (_("Số kết quả có mức xếp loại"), str(e.get("n", ""))),
            (_("Tỷ lệ của đơn vị"), _percent(e.get("share"))),
            (_("Tỷ lệ so sánh ({against})").format(against=against), _percent(e.get("expected"))),
            (_("Khả năng một đơn vị bình thường có tỷ lệ như vậy"), _chance(e.get("p"))),
            (_("Sau hiệu chỉnh cho số đơn vị được kiểm tra"), _chance(e.get("q"))),
        ]
    if found.kind in (QUOTA_CEILING, SELF_INFLATION):
        return [(_("Các năm"), ", ".join(str(y) for y in e.get("years", [])))]
    if found.kind == APPRAISAL_CHANGES:
        return [
            (
                _("Năm {year}").format(year=year),
                _(
                    "quyết định {decided}, cấp trên hạ {lowered}, nâng {raised}, trả lại"
                    " {returned}, mở lại {reopened}"
                ).format(**counts),
            )
            for year, counts in sorted(e.get("years", {}).items())
        ]
    if found.kind == INCONSISTENT:
        return [(_("Quy định"), str(e.get("rule", ""))), (_("Năm"), str(e.get("year", "")))]
    return []


def _percent(share: object) -> str:
    return vietnamese(Decimal(str(share)) * 100, 1) if isinstance(share, int | float) else ""


def _chance(p: object) -> str:
    if not isinstance(p, int | float):
        return ""
    return "< 0,0001" if p < 0.0001 else f"{p:.4f}".replace(".", ",")


def _people(found: Finding) -> list[str]:
    codes = [found.subject]
    if found.kind == COPIED_TEXT:
        codes.append(str(found.evidence.get("other", "")))
    return codes


def _unit_of_page(request: HttpRequest, found: Finding) -> Unit | None:
    """The unit whose list the reader came from (`?tu=`), for the way back; else the one
    the finding's subject stood in."""
    code = request.GET.get("tu", "")
    unit = Unit.objects.filter(code=code).first() if code else None
    if unit is not None and found.unit_path.startswith(unit.path):
        return unit
    return Unit.objects.filter(path=found.unit_path).first()


@login_required
@require_POST
def unexamine(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_finding_for_user(request.user, pk)
    actions.unexamine(found)
    messages.success(request, _("Đã bỏ đánh dấu; dấu hiệu lại ở danh sách chưa xem xét."))
    return redirect(_with_query(reverse("integrity:finding", args=[found.pk]), request))


def pieces(text: str, spans: Sequence[Sequence[int]]) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each marked when it lies in one of `spans` (character
    offsets, as `texts.near_copies` gives them), for the template to escape and mark."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append((text[at:start], False))
        if out and out[-1][1] and start == at:  # overlapping or touching: one mark
            out[-1] = (out[-1][0] + text[start:end], True)
        else:
            out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out
